"""The films' pages, and their built files (videos, captions, posters) by content-hashed name."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from web.content.films import BuiltFilm, BuiltVersion, Film, FilmLibrary
from web.content.names import LANGUAGE_NAMES
from web.shell.formats import file_size
from web.shell.i18n import N_, translations
from web.shell.navigation import LanguageLink, NavItem, film_url, page_url
from web.shell.pages import render, save_data, served_once
from web.shell.site import site_of

MEDIA_PREFIX = "/films/media/"
IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {".mp4": "video/mp4", ".vtt": "text/vtt; charset=utf-8", ".jpg": "image/jpeg", ".png": "image/png"}
# The names of track languages and kinds, in the reader's language (`N_` marks them for extraction).
TRACK_LANGUAGES = {"en": N_("English"), "cy": N_("Welsh")}
DESCRIPTIONS_LABEL = N_("Audio description")
# Each rendition, standard or audio-described, in words a screen reader says well ("640 by 360 pixels").
RENDITION_LABELS = {
    ("standard", False): N_("Standard quality video (MP4, %(width)d by %(height)d pixels, %(size)s)"),
    ("low", False): N_("Low data video (MP4, %(width)d by %(height)d pixels, %(size)s)"),
    ("standard", True): N_(
        "Standard quality video with audio description (MP4, %(width)d by %(height)d pixels, %(size)s)"
    ),
    ("low", True): N_("Low data video with audio description (MP4, %(width)d by %(height)d pixels, %(size)s)"),
}


def length(seconds: float) -> dict[str, int]:
    whole = round(seconds)
    return {"minutes": whole // 60, "seconds": whole % 60}


def player_view(version: BuiltFilm | BuiltVersion, lang: str, *, described: bool, low_first: bool) -> dict[str, Any]:
    """What the template needs for one <video>: sources in the order to try, tracks, sizes, length."""
    gettext = translations(lang).gettext
    renditions = sorted(
        version.renditions, key=lambda item: (item.name != "low") if low_first else (item.name == "low")
    )
    sources = [
        {
            "url": MEDIA_PREFIX + item.file,
            "type": item.type,
            "label": gettext(RENDITION_LABELS.get((item.name, described), item.name))
            % {"width": item.width, "height": item.height, "size": file_size(item.bytes)},
        }
        for item in renditions
    ]
    tracks = []
    for track in sorted(version.tracks, key=lambda item: (item.kind == "descriptions", item.srclang != lang)):
        name = DESCRIPTIONS_LABEL if track.kind == "descriptions" else TRACK_LANGUAGES[track.srclang]
        tracks.append(
            {
                "kind": track.kind,
                "srclang": track.srclang,
                "label": gettext(name),
                "url": MEDIA_PREFIX + track.file,
                "size": file_size(track.bytes),
                "default": track.kind == "captions" and track.srclang == lang,
            }
        )
    return {
        "described": described,
        "poster": MEDIA_PREFIX + version.poster,
        "width": max(item.width for item in version.renditions),
        "height": max(item.height for item in version.renditions),
        "sources": sources,
        "tracks": tracks,
        "length": length(version.duration),
    }


def video_view(built: BuiltFilm, lang: str, *, low_first: bool) -> dict[str, Any]:
    """The players: the standard film, then (when built) the audio-described version beside it; and the
    downloads (both versions' videos, the standard version's captions and its descriptions as text)."""
    players = [player_view(built, lang, described=False, low_first=low_first)]
    if built.described:
        players.append(player_view(built.described, lang, described=True, low_first=low_first))
    return {
        "players": players,
        "downloads": [source for player in players for source in player["sources"]],
        "tracks": players[0]["tracks"],
    }


def _language(request: Request) -> tuple[FilmLibrary, str]:
    library = site_of(request).films
    lang = request.path_params["lang"]
    if not library.in_language(lang):
        raise HTTPException(status_code=404)
    return library, lang


def _language_links(languages: tuple[str, ...], lang: str, slug: str | None) -> list[LanguageLink]:
    return [
        LanguageLink(lang=other, name=LANGUAGE_NAMES[other], href=film_url(other, slug), current=other == lang)
        for other in languages
    ]


def _films_page(request: Request, library: FilmLibrary, lang: str) -> Response:
    items = []
    for film in library.in_language(lang):
        built = library.built(film, lang)
        sizes = {item.name: file_size(item.bytes) for item in built.renditions} if built else {}
        items.append(
            {
                "href": film_url(lang, film.slug),
                "script": film.scripts[lang],
                "length": length(built.duration) if built else None,
                "size": sizes.get("standard"),
                "low_size": sizes.get("low"),
            }
        )
    languages = tuple(sorted({other for film in library.films for other in film.languages}, key=lambda x: x != "en"))
    return render(
        request,
        "films/films.html",
        lang,
        films=items,
        canonical_url=film_url(lang),
        alternates={other: film_url(other) for other in languages},
        language_links=_language_links(languages, lang, None),
        breadcrumbs=[NavItem(href=page_url(lang, "home"), text=translations(lang).gettext("Home"))],
    )


async def films_page(request: Request) -> Response:
    library, lang = _language(request)
    # A new build of the films (their manifest re-read) is a new version.
    return served_once(
        request,
        film_url(lang),
        lambda: _films_page(request, library, lang),
        version=(library.manifest(),),
        remember=False,  # the manifest is read again from disk: RememberedPages could not see it change
    )


async def film_page(request: Request) -> Response:
    library, lang = _language(request)
    film = library.film(request.path_params["slug"])
    if film is None or lang not in film.scripts:
        raise HTTPException(status_code=404)
    low_first = save_data(request)
    key = (film_url(lang, film.slug), low_first)
    return served_once(
        request,
        key,
        lambda: _film_page(request, library, film, lang, low_first=low_first),
        version=(library.manifest(),),  # a new build of the films: a new version
        remember=False,
    )


def _film_page(request: Request, library: FilmLibrary, film: Film, lang: str, *, low_first: bool) -> Response:
    built = library.built(film, lang)
    gettext = translations(lang).gettext
    return render(
        request,
        "films/film.html",
        lang,
        headers={"Vary": "Save-Data"},
        film=film,
        script=film.scripts[lang],
        video=video_view(built, lang, low_first=low_first) if built else None,
        save_data=low_first,
        canonical_url=film_url(lang, film.slug),
        alternates={other: film_url(other, film.slug) for other in film.languages},
        language_links=_language_links(film.languages, lang, film.slug),
        breadcrumbs=[
            NavItem(href=page_url(lang, "home"), text=gettext("Home")),
            NavItem(href=film_url(lang), text=gettext("Films")),
        ],
    )


async def film_file(request: Request) -> Response:
    """A built file by its content-hashed name, with Range support (206) for the videos."""
    library = site_of(request).films
    name = request.path_params["name"]
    path = library.file(name)
    if path is None:
        raise HTTPException(status_code=404)
    headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{name}"'}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"), headers=headers)
