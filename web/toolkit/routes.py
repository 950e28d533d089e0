"""The communications toolkit's page and downloads, for each police force, in English or Welsh.

`/toolkit` is a GET form (force and language); with `?force=&lang=` it also lists every file, each image's
alt text and suggested post, and a link to download everything as one zip archive. Files are served at
`/toolkit/<force>/<lang>/<file>` (`everything.zip` for the archive), made on demand by web/toolkit/archive.py
and kept in its in-memory caches, so each file is made once per process.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from web.content.forces import Force, load_forces
from web.content.names import DEFAULT_LANGUAGE
from web.settings import Settings
from web.shell.formats import file_size
from web.shell.pages import render, served_once
from web.shell.site import site_of
from web.toolkit import archive, images, posters
from web.toolkit.words import THEMES, load_kit

DEFAULT_SITE = "https://actearly.uk"
FILE_ROUTE = "/toolkit/{force:str}/{lang:str}/{name:str}"  # web/app.py: toolkit_file
CACHE_CONTROL = "public, max-age=86400"
WEB_ADDRESS, BREAK_AFTER = re.compile(r"https://\S+"), re.compile(r"(\?|&amp;|=)")
INTERFACE_LANGUAGES = ("en",)  # the toolkit page itself; /cy/toolkit can follow once its text is translated
LANGUAGES = archive.LANGUAGES
FORMATS = {"pdf": "PDF", "png": "PNG", "docx": "Word"}


def forces_of(request: Request) -> dict[str, Force]:
    return load_forces(site_of(request).settings.content_dir / "forces.yaml")


def site_url(settings: Settings) -> str:
    """The address the QR codes point to: the public site when it is served over https, else actearly.uk."""
    base = settings.public_base_url.rstrip("/")
    return base if base.startswith("https://") else DEFAULT_SITE


def _choice(request: Request) -> tuple[Force, str]:
    force = forces_of(request).get(request.path_params["force"])
    lang = request.path_params["lang"]
    if force is None or lang not in LANGUAGES:
        raise HTTPException(status_code=404)
    return force, lang


def _send(request: Request, body: bytes, media_type: str, filename: str, lang: str) -> Response:
    etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": etag,
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Language": lang,
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


async def toolkit_file(request: Request) -> Response:
    """One file of the toolkit, or everything for the force as a zip archive."""
    return await _serve(request, request.path_params["name"])


async def toolkit_poster(request: Request) -> Response:
    """The first toolkit's address for the A4 poster, kept for links already shared."""
    return await _serve(request, "poster.pdf")


async def toolkit_social(request: Request) -> Response:
    """The first toolkit's address for the square image."""
    return await _serve(request, "social.png")


async def _serve(request: Request, name: str) -> Response:
    """Files are made in a worker thread: the archive takes seconds the first time."""
    force, lang = _choice(request)
    settings = site_of(request).settings
    site, content_dir = site_url(settings), settings.content_dir
    if name == archive.ARCHIVE:
        body = await run_in_threadpool(archive.archive, force, lang, site, content_dir)
        return _send(request, body, archive.MEDIA_TYPES["zip"], archive.archive_name(force, lang), lang)
    found = archive.find(force, lang, site, content_dir, name)
    if found is None:
        raise HTTPException(status_code=404)
    body = await run_in_threadpool(archive.asset, force, lang, site, content_dir, found.name)
    return _send(request, body, found.media_type, archive.download_name(force, lang, name), lang)


def _form_choice(request: Request) -> tuple[Force | None, str | None, list[str]]:
    """The force and language asked for in the query, and the fields still to answer (in form order).

    An empty answer is the reader's to fix (the error summary); a value no form offers is a 404.
    """
    force_slug = request.query_params.get("force", "").strip()
    lang = request.query_params.get("lang", "").strip()
    force = forces_of(request).get(force_slug) if force_slug else None
    if (force_slug and force is None) or (lang and lang not in LANGUAGES):
        raise HTTPException(status_code=404)
    errors = [field for field, answered in (("force", force), ("lang", lang)) if not answered]
    return force, lang or None, errors


async def toolkit_page(request: Request) -> Response:
    page_lang = request.path_params.get("lang", DEFAULT_LANGUAGE)
    if page_lang not in INTERFACE_LANGUAGES:
        raise HTTPException(status_code=404)
    asked = "force" in request.query_params or "lang" in request.query_params
    if not asked:  # the form alone is the same for everyone: rendered once
        return served_once(request, ("toolkit", page_lang), lambda: _toolkit_page(request, page_lang, asked=False))
    return _toolkit_page(request, page_lang, asked=True)


def _toolkit_page(request: Request, page_lang: str, *, asked: bool) -> Response:
    force, lang, errors = _form_choice(request) if asked else (None, None, [])
    context: dict[str, Any] = {
        "forces": sorted(forces_of(request).values(), key=lambda force: force.name_in(page_lang)),
        "chosen_force": force,
        "chosen_lang": lang,
        "errors": errors,
        "canonical_url": "/toolkit" if page_lang == DEFAULT_LANGUAGE else f"/{page_lang}/toolkit",
    }
    if force is not None and lang is not None and not errors:
        settings = site_of(request).settings
        context.update(downloads_context(force, lang, site_url(settings), settings.content_dir, page_lang))
    return render(request, "toolkit/toolkit.html", page_lang, status_code=400 if errors else 200, **context)


def downloads_context(force: Force, lang: str, site: str, content_dir: Path, page_lang: str) -> dict[str, Any]:
    """What the page shows once a force and language are chosen: every file, in groups, and the archive.

    Only the two files the first toolkit offered are made to show the page (their sizes are shown, as
    they were); the rest are made when they are downloaded, so the page gives their format and size in
    pixels or paper instead. Labels are in the page's language; alt text and posts in the files'.
    """
    kit, page_kit = load_kit(content_dir, lang), load_kit(content_dir, page_lang)
    labels = {item.name: item.label for item in archive.catalogue(force, page_lang, site, content_dir)}
    base = f"/toolkit/{force.slug}/{lang}"
    files: dict[str, dict[str, Any]] = {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in archive.catalogue(force, lang, site, content_dir):
        file = {
            "name": item.name,
            "href": f"{base}/{item.name}",
            "label": labels[item.name],
            "format": FORMATS[item.name.rsplit(".", 1)[1]],
            "size": item.size,
            "alt": item.alt,
            "post_html": breakable(item.post) if item.post else "",
            "link_html": breakable(item.link) if item.link else "",
        }
        files[item.name] = file
        groups.setdefault(item.folder, []).append(file)
    themes = [(theme, page_kit.themes[theme].name) for theme in THEMES]
    poster, social = (archive.ALIASES[name] for name in ("poster.pdf", "social.png"))
    return {
        "groups": groups,
        "poster_themes": [
            {"name": name, "files": [files[f"poster-{theme}-{size}.pdf"] for size in posters.SIZES]}
            for theme, name in themes
        ],
        "image_themes": [
            {"name": name, "files": [files[f"social-{theme}-{size}.png"] for size in images.SIZES]}
            for theme, name in themes
        ],
        "archive_href": f"{base}/{archive.ARCHIVE}",
        "file_count": len(files) + 1,  # and the contents list
        "translator_reviewed": kit.translator_reviewed,
        "poster_href": f"{base}/poster.pdf",
        "social_href": f"{base}/social.png",
        "poster_size": file_size(len(archive.asset(force, lang, site, content_dir, poster))),
        "social_size": file_size(len(archive.asset(force, lang, site, content_dir, social))),
        "poster_url_html": breakable(archive.campaign_url(site, kit.path_of("act-early"), "poster", force)),
        "downloads": True,
    }


def breakable(text: str) -> Markup:
    """Text whose web addresses may wrap on a narrow screen: a <wbr> after each ? & = and / in them.

    <wbr> adds no character, so the text copies exactly as it is.
    """
    escaped = str(escape(text))
    return Markup(WEB_ADDRESS.sub(lambda match: BREAK_AFTER.sub(r"\1<wbr>", match[0]), escaped))
