"""The public site: routes, middleware and mounts. Handlers live in their area's module."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from web import advice, concern, feedback, films, measurement, offline, redirects, search, site, toolkit
from web.access_log import AccessLogMiddleware
from web.assets import Assets
from web.content import load_library
from web.errors import ErrorPageMiddleware, http_error
from web.form_guard import BodyLimitMiddleware, FormTokens, SubmissionLimiter
from web.http_cache import HttpCacheMiddleware
from web.sealing import ensure_development_keys, load_or_create_secret, load_public_key
from web.security import SecurityHeadersMiddleware
from web.settings import Settings
from web.slow_clients import SlowBodyMiddleware
from web.storage import create_database_engine, dispose_engine_on_shutdown
from web.storage.migrate import migrate
from web.storage.search import SearchIndex
from web.templating import create_templates


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    assets = Assets(settings.static_dist_dir)
    counter = measurement.FigureCounter() if settings.measurement else None
    routes = [
        Route("/", advice.advice_page, name="home"),
        Route("/sitemap.xml", site.sitemap, name="sitemap"),
        Route("/robots.txt", site.robots, name="robots"),
        Route("/healthz", site.healthz, name="healthz"),
        Route("/exit", site.exit_page, name="exit_page"),
        Route("/assets/{name:str}", assets.serve, name="asset"),
        Route("/{lang:str}/share-a-concern", concern.concern_start, name="concern_start"),
        Route("/{lang:str}/share-a-concern", concern.concern_answer, methods=["POST"], name="concern_answer"),
        Route("/{lang:str}/share-a-concern/questions", concern.concern_question, name="concern_question"),
        Route("/{lang:str}/share-a-concern/callback", concern.callback_form, name="callback_form"),
        Route("/{lang:str}/share-a-concern/callback", concern.callback_send, methods=["POST"], name="callback_send"),
        Route("/{lang:str}/search", search.search, name="search"),
        Route("/{lang:str}/feedback", feedback.feedback_send, methods=["POST"], name="feedback_send"),
        Route("/{lang:str}/feedback/thanks", feedback.feedback_thanks, name="feedback_thanks"),
        Route(
            "/{lang:str}/offline/saved-count",
            measurement.offline_saved_count,
            methods=["POST"],
            name="offline_saved_count",
        ),
        Route("/toolkit", toolkit.toolkit_page, name="toolkit_page"),
        Route("/toolkit/{force:str}/{lang:str}/poster.pdf", toolkit.toolkit_poster, name="toolkit_poster"),
        Route("/toolkit/{force:str}/{lang:str}/social.png", toolkit.toolkit_social, name="toolkit_social"),
        Route("/films/media/{name:str}", films.film_file, name="film_file"),
        Route("/{lang:str}/films", films.films_page, name="films_page"),
        Route("/{lang:str}/films/{slug:str}", films.film_page, name="film_page"),
        Route("/sw.js", offline.service_worker, name="service_worker"),
        Route("/manifest.webmanifest", offline.web_manifest, name="web_manifest"),
        Route("/icons/{name:str}", offline.icon, name="icon"),
        Route("/{lang:str}/offline", offline.offline_page, name="offline_page"),
        Route("/{lang:str}/offline/saved", offline.saved_pages, name="saved_pages"),
        Route("/{lang:str}/offline/pages.json", offline.offline_pages_json, name="offline_pages_json"),
        Route("/{lang:str}", advice.language_home_redirect, name="language_home_redirect"),
        Route("/{lang:str}/", advice.advice_page, name="language_home"),
        Route("/{lang:str}/{slug:str}", advice.advice_page, name="advice_page"),
    ]
    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(SecurityHeadersMiddleware, https=settings.public_base_url.startswith("https://")),
        Middleware(ErrorPageMiddleware, debug=settings.debug),
        Middleware(SlowBodyMiddleware, timeout=settings.body_timeout_seconds),
        Middleware(HttpCacheMiddleware),
        Middleware(measurement.CountingMiddleware, counter=counter),
        Middleware(redirects.LetsTalkAboutItRedirects),
    ]
    app = Starlette(
        debug=settings.debug,
        lifespan=measurement.flushing(dispose_engine_on_shutdown),
        routes=routes,
        middleware=middleware,
        exception_handlers={code: http_error for code in (400, 403, 404, 405, 413)},
    )
    app.state.settings = settings
    app.state.assets = assets
    app.state.library = load_library(settings.content_dir)
    app.state.films = films.FilmLibrary(films.load_films(settings.content_dir / "films"), films.FILMS_DIR)
    app.state.templates = create_templates(settings, assets)
    app.state.engine = create_database_engine(settings.database_url)
    migrate(app.state.engine)
    app.state.search_index = SearchIndex(app.state.engine)
    app.state.search_index.rebuild(app.state.library)
    ensure_development_keys(settings.concern_public_key_file, settings.console_private_key_file)
    app.state.public_key = load_public_key(settings.concern_public_key_file)
    app.state.form_tokens = FormTokens(load_or_create_secret(settings.form_secret, settings.form_secret_file))
    app.state.submission_limiter = SubmissionLimiter(settings.submissions_per_hour)
    app.state.figure_counter = counter
    feedback.install(app)
    return app
