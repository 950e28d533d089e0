"""The public site: routes, middleware and what it is made of. Handlers live in their area's module."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from web.concern import routes as concern
from web.content import load_library
from web.content.films import FILMS_DIR, FilmLibrary, load_films
from web.content.search import SYNONYMS_FILE, SearchIndex, load_synonyms
from web.films import routes as films
from web.http.access_log import AccessLogMiddleware
from web.http.body_limit import BodyLimitMiddleware
from web.http.cache import HttpCacheMiddleware
from web.http.form_tokens import FormTokens
from web.http.limits import SubmissionLimiter
from web.http.redirects import LetsTalkAboutItRedirects, TrailingSlashRedirects
from web.http.routing import RememberingRouter
from web.http.security_headers import SecurityHeadersMiddleware
from web.http.slow_clients import SlowBodyMiddleware
from web.launch.routes import routes as launch_routes
from web.offline import routes as offline
from web.public import advice, feedback, measurement, search, site
from web.sealing import ensure_development_keys, load_or_create_secret, load_public_key
from web.settings import Settings
from web.shell.assets import Assets
from web.shell.errors import ErrorPageMiddleware, http_error
from web.shell.remembered import RememberedPages
from web.shell.site import Site
from web.shell.templating import create_templates
from web.storage import create_database_engine, disposing
from web.storage.figures import FigureCounter
from web.storage.migrate import check_schema, migrate
from web.toolkit import routes as toolkit


def build_site(settings: Settings) -> Site:
    """Everything the handlers share, made once: content, templates, the database (migrated), keys, limits."""
    assets = Assets(settings.static_dist_dir)
    library = load_library(settings.content_dir, settings.deployment_contacts())
    engine = create_database_engine(settings.database_url)
    if settings.development:
        migrate(engine)
    else:  # `python -m web serve` (or the deploy's `python -m web migrate`) migrated, once, before the workers
        check_schema(engine)
    ensure_development_keys(
        settings.concern_public_key_file, settings.console_private_key_file, development=settings.development
    )
    secret = load_or_create_secret(settings.form_secret, settings.form_secret_file, create=settings.development)
    form_tokens = FormTokens(secret)
    templates = create_templates(settings, assets, library.facts)
    synonyms = load_synonyms(settings.content_dir / SYNONYMS_FILE)
    return Site(
        settings=settings,
        library=library,
        films=FilmLibrary(load_films(settings.content_dir / "films"), FILMS_DIR),
        assets=assets,
        templates=templates,
        engine=engine,
        search_index=SearchIndex(library, synonyms, shown=advice.boxes_text(templates, library)),
        public_key=load_public_key(settings.concern_public_key_file),
        form_tokens=form_tokens,
        submission_limiter=SubmissionLimiter(
            settings.submissions_per_hour, name="concern", engine=engine, secret=form_tokens.key
        ),
        feedback_tokens=FormTokens(form_tokens.key + b":feedback"),
        feedback_limiter=SubmissionLimiter(
            feedback.FEEDBACK_PER_HOUR, name="feedback", engine=engine, secret=form_tokens.key
        ),
        offline_save_limiter=SubmissionLimiter(
            measurement.OFFLINE_SAVES_PER_HOUR, name="offline-save", engine=engine, secret=form_tokens.key
        ),
        figure_counter=FigureCounter() if settings.measurement else None,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    made = build_site(settings)
    routes = [
        Route("/", advice.advice_page, name="home"),
        Route("/sitemap.xml", site.sitemap, name="sitemap"),
        Route("/robots.txt", site.robots, name="robots"),
        Route("/healthz", site.healthz, name="healthz"),
        Route("/exit", site.exit_page, name="exit_page"),
        Route("/assets/{name:str}", made.assets.serve, name="asset"),
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
        *launch_routes(),
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
    https = settings.public_base_url.startswith("https://")
    views = measurement.PageViews(made.figure_counter)
    middleware = [
        # Kept pages answered again in front of the rest, doing what the rest would do (web/shell/remembered.py).
        Middleware(
            RememberedPages,
            clock=advice.clock_version,
            count=views.answered if made.figure_counter is not None else None,
            https=https,
            public_base_url=settings.public_base_url,
        ),
        Middleware(AccessLogMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(SecurityHeadersMiddleware, https=https),
        Middleware(ErrorPageMiddleware, debug=settings.debug),
        Middleware(SlowBodyMiddleware, timeout=settings.body_timeout_seconds, error_page=http_error),
        Middleware(HttpCacheMiddleware),
        Middleware(measurement.CountingMiddleware, views=views),
        Middleware(LetsTalkAboutItRedirects, public_base_url=settings.public_base_url),
        Middleware(TrailingSlashRedirects, routes=routes),
    ]
    lifespan = measurement.flushing(made.figure_counter, made.engine, inner=disposing(made.engine))
    app = Starlette(
        debug=settings.debug,
        lifespan=lifespan,
        routes=routes,
        middleware=middleware,
        exception_handlers={code: http_error for code in (400, 403, 404, 405, 413)},
    )
    # The first route that answers a path, remembered (web/http/routing.py); TrailingSlashRedirects adds or
    # removes slashes, without the Host header.
    app.router = RememberingRouter(routes=routes, lifespan=lifespan, redirect_slashes=False)
    app.state.site = made
    return app
