"""What the public site is made of, built once by `create_app`: settings, content, templates, the database,
keys, form tokens and limits. Handlers reach it with `site_of(request)`, typed, instead of `app.state`."""

from __future__ import annotations

from dataclasses import dataclass, field

from nacl.public import PublicKey
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from web.content import ContentLibrary
from web.content.films import FilmLibrary
from web.content.search import SearchIndex
from web.http.form_tokens import FormTokens
from web.http.limits import SubmissionLimiter
from web.settings import Settings
from web.shell.assets import Assets
from web.shell.rendered import RenderedPages
from web.storage.figures import FigureCounter


@dataclass(frozen=True)
class Site:
    settings: Settings
    library: ContentLibrary
    films: FilmLibrary
    assets: Assets
    templates: Jinja2Templates
    engine: Engine
    search_index: SearchIndex
    public_key: PublicKey  # seals concerns for the officers (the console alone has the private key)
    form_tokens: FormTokens  # the concern form and the call-back request
    submission_limiter: SubmissionLimiter  # concerns and call-back requests from one client, an hour
    feedback_tokens: FormTokens  # "Is this page useful?": their own key, so a concern's token is not one
    feedback_limiter: SubmissionLimiter
    offline_save_limiter: SubmissionLimiter  # "saved for offline" counts from one client, an hour
    figure_counter: FigureCounter | None  # None when MEASUREMENT=off
    rendered: RenderedPages = field(default_factory=RenderedPages)  # pages the same for every reader


def site_of(connection: HTTPConnection) -> Site:
    return site_of_app(connection.app)


def site_of_app(app: Starlette) -> Site:
    site = app.state.site
    assert isinstance(site, Site), "the app was not made by web.app.create_app"
    return site


def language_of(connection: HTTPConnection) -> str:
    """The `{lang}` of the address, when the site has content in that language; else the not-found page."""
    lang = str(connection.path_params["lang"])
    if lang not in site_of(connection).library.languages:
        raise HTTPException(status_code=404)
    return lang
