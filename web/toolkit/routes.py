"""The communications toolkit: a poster and a social image for each police force, in English or Welsh.

`/toolkit` is a GET form (force and language); with `?force=&lang=` it also lists the downloads and a
suggested social media post. The files are made on demand by `web.toolkit.posters` and kept in an in-memory
LRU cache keyed by kind, force, language and site address (all 45 forces × 2 languages × 2 kinds
come to about 13 MB), so each file is made once per process.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from web.content.forces import Force, load_forces
from web.content.names import DEFAULT_LANGUAGE
from web.settings import Settings
from web.shell.formats import file_size
from web.shell.pages import render
from web.shell.site import site_of
from web.toolkit import posters

DEFAULT_SITE = "https://actearly.uk"
CACHE_CONTROL = "public, max-age=86400"
WEB_ADDRESS, BREAK_AFTER = re.compile(r"https://\S+"), re.compile(r"(\?|&amp;|=)")
INTERFACE_LANGUAGES = ("en",)  # the toolkit page itself; /cy/toolkit can follow once its text is translated


@dataclass(frozen=True)
class Kind:
    """One kind of download: where it is made and what it is called."""

    name: str  # poster or social
    file: str  # the last part of its address
    media_type: str
    utm_source: str

    def filename(self, force: Force, lang: str) -> str:
        return f"act-early-{self.name}-{force.slug}-{lang}.{self.file.rsplit('.', 1)[1]}"

    def href(self, force: Force, lang: str) -> str:
        return f"/toolkit/{force.slug}/{lang}/{self.file}"


POSTER = Kind("poster", "poster.pdf", "application/pdf", "poster")
SOCIAL = Kind("social", "social.png", "image/png", "social")


def forces_of(request: Request) -> dict[str, Force]:
    return load_forces(site_of(request).settings.content_dir / "forces.yaml")


def site_url(settings: Settings) -> str:
    """The address the QR codes point to: the public site when it is served over https, else actearly.uk."""
    base = settings.public_base_url.rstrip("/")
    return base if base.startswith("https://") else DEFAULT_SITE


def campaign_url(site: str, kind: Kind, force: Force) -> str:
    return f"{site}/?utm_source={kind.utm_source}&utm_campaign={force.slug}"


@lru_cache(maxsize=256)
def download(kind: Kind, force: Force, lang: str, site: str) -> bytes:
    make = posters.poster_pdf if kind is POSTER else posters.social_png
    return make(lang, force.name_in(lang), campaign_url(site, kind, force), site)


def _choice(request: Request) -> tuple[Force, str]:
    force = forces_of(request).get(request.path_params["force"])
    lang = request.path_params["lang"]
    if force is None or lang not in posters.LANGUAGES:
        raise HTTPException(status_code=404)
    return force, lang


def _send(request: Request, kind: Kind) -> Response:
    force, lang = _choice(request)
    body = download(kind, force, lang, site_url(site_of(request).settings))
    etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": etag,
        "Content-Disposition": f'attachment; filename="{kind.filename(force, lang)}"',
        "Content-Language": lang,
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=kind.media_type, headers=headers)


async def toolkit_poster(request: Request) -> Response:
    return _send(request, POSTER)


async def toolkit_social(request: Request) -> Response:
    return _send(request, SOCIAL)


def _form_choice(request: Request) -> tuple[Force | None, str | None, list[str]]:
    """The force and language asked for in the query, and the fields still to answer (in form order).

    An empty answer is the reader's to fix (the error summary); a value no form offers is a 404.
    """
    force_slug = request.query_params.get("force", "").strip()
    lang = request.query_params.get("lang", "").strip()
    force = forces_of(request).get(force_slug) if force_slug else None
    if (force_slug and force is None) or (lang and lang not in posters.LANGUAGES):
        raise HTTPException(status_code=404)
    errors = [field for field, answered in (("force", force), ("lang", lang)) if not answered]
    return force, lang or None, errors


async def toolkit_page(request: Request) -> Response:
    page_lang = request.path_params.get("lang", DEFAULT_LANGUAGE)
    if page_lang not in INTERFACE_LANGUAGES:
        raise HTTPException(status_code=404)
    asked = "force" in request.query_params or "lang" in request.query_params
    force, lang, errors = _form_choice(request) if asked else (None, None, [])
    context: dict[str, Any] = {
        "forces": sorted(forces_of(request).values(), key=lambda force: force.name_in(page_lang)),
        "chosen_force": force,
        "chosen_lang": lang,
        "errors": errors,
        "canonical_url": "/toolkit" if page_lang == DEFAULT_LANGUAGE else f"/{page_lang}/toolkit",
    }
    if force is not None and lang is not None and not errors:
        context.update(downloads_context(force, lang, site_url(site_of(request).settings)))
    return render(request, "toolkit/toolkit.html", page_lang, status_code=400 if errors else 200, **context)


def downloads_context(force: Force, lang: str, site: str) -> dict[str, Any]:
    """What the page shows once a force and language are chosen: the files, and copy for a social media post."""
    post = posters.social_post(lang, campaign_url(site, SOCIAL, force))
    poster_url = campaign_url(site, POSTER, force)
    return {
        "downloads": [
            {
                "kind": kind.name,
                "href": kind.href(force, lang),
                "size": file_size(len(download(kind, force, lang, site))),
            }
            for kind in (POSTER, SOCIAL)
        ],
        "social_post": post,
        "social_post_html": breakable(post),
        "alt_text": posters.image_alt_text(lang, force.name_in(lang), site),
        "poster_url": poster_url,
        "poster_url_html": breakable(poster_url),
    }


def breakable(text: str) -> Markup:
    """Text whose web addresses may wrap on a narrow screen: a <wbr> after each ? & and = in them.

    <wbr> adds no character, so the text copies exactly as it is.
    """
    escaped = str(escape(text))
    return Markup(WEB_ADDRESS.sub(lambda match: BREAK_AFTER.sub(r"\1<wbr>", match[0]), escaped))
