"""A static copy of the public site, to serve from nginx (or any file server) in front of the app.

    python -m web export DIR

Every page of the sitemap, in every language, becomes DIR/<path>/index.html (and / becomes
DIR/index.html), beside 404 pages, sitemap.xml, robots.txt, the service worker, the web app manifest,
its icons and the hashed assets. Each text file gets a brotli (.br) and a gzip (.gz) copy. Pages are
rendered in-process by the app itself, so every file is byte for byte what the app sends, but for the
"Is this page useful?" form's token: an exported page is served for as long as the export is, so its form
carries a token for that page that lasts as long (web/public/feedback.py), not the hour's.
A film's page is not exported: it depends on Save-Data (the low-data video first, `Vary: Save-Data`), so
nginx sends it to the app, which answers it as it answers any reader.
DIR.nginx.conf (beside DIR, never inside it: the web root is public) serves it all with the app's headers
and proxies the dynamic routes to the app.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import brotli
from starlette.applications import Starlette

from web.app import create_app
from web.http.security_headers import CONTENT_SECURITY_POLICY, HEADERS
from web.offline import routes as offline
from web.ops.in_process import Answer, get
from web.ops.page_log import LOG_NAME, nginx_log_settings
from web.public.feedback import with_export_tokens
from web.settings import Settings, url_host
from web.shell.site import site_of_app

NGINX_SUFFIX = ".nginx.conf"  # DIR's server block is DIR.nginx.conf
NGINX_EXAMPLE = "nginx.conf.example"  # where exports before issue 19 wrote it, inside the web root
PAGE_LOG = Path("/var/log/nginx/act-early-pages.log")  # what `python -m web figures import-log` reads
COMPRESSED_SUFFIXES = (".html", ".xml", ".txt", ".js", ".json", ".webmanifest", ".css", ".svg")
# Served by the app, never from files: forms and search, the toolkit, leaving, the health check (to this
# machine alone), the old Let's Talk About It addresses, and "Get help now", which says whether the
# support line is open now.
DYNAMIC_PAGES = ("share-a-concern", "search", "get-help")
FILM_PAGE = "^/[a-z]{2,3}/films/[^/]+$"  # a film's page: the app's, for Save-Data (web/films/routes.py)
NOT_FOUND_PROBE = "this-page-is-not-part-of-the-export"
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class ExportError(RuntimeError):
    """The export cannot be written where it was asked to go, or a page did not render."""


@dataclass(frozen=True)
class ExportReport:
    out_dir: Path
    pages: int
    files: int
    bytes: int
    policies: Mapping[str, str] = field(default_factory=dict)  # the files with a policy of their own (CSS inline)

    def summary(self) -> str:
        return (
            f"exported {self.pages} pages in {self.files} files ({self.bytes / 1024:.0f} KB before compression)"
            f" to {self.out_dir}; nginx example: {nginx_example_path(self.out_dir)}"
        )


def nginx_example_path(out_dir: Path) -> Path:
    """Where the export's nginx server block is written: beside the export, outside the web root."""
    return out_dir.with_name(out_dir.name + NGINX_SUFFIX)


def file_for(path: str) -> str:
    """Where a URL path is written: a page is a folder with index.html, a file keeps its name."""
    if path.endswith("/"):
        return f"{path}index.html"
    return path if "." in path.rsplit("/", 1)[-1] else f"{path}/index.html"


def sitemap_paths(xml: bytes) -> list[str]:
    """The path of every page the sitemap lists: the export holds exactly what search engines are told of."""
    return [urlsplit(loc.text or "").path for loc in ElementTree.fromstring(xml).findall("s:url/s:loc", SITEMAP)]


def export_site(settings: Settings, out_dir: Path, app: Starlette | None = None) -> ExportReport:
    _prepare(out_dir)
    app = app or create_app(settings)
    pages, written, policies = asyncio.run(_render(app, settings.public_base_url, out_dir))
    written += _copy_assets(app, out_dir)
    https = settings.public_base_url.startswith("https://")
    config = nginx_config(out_dir.resolve(), upstream=upstream_of(settings), https=https, page_policies=policies)
    nginx_example_path(out_dir).write_text(config)
    files = [path for path in out_dir.rglob("*") if path.is_file()]
    return ExportReport(out_dir, len(pages), len(files), sum(path.stat().st_size for path in written), policies)


def upstream_of(settings: Settings) -> str:
    """Where nginx reaches the app: HOST and PORT, an IPv6 address in brackets (`[::1]:8000`)."""
    return f"{url_host(settings.host)}:{settings.port}"


async def _render(app: Starlette, base_url: str, out_dir: Path) -> tuple[list[str], list[Path], dict[str, str]]:
    """Every page the sitemap lists, the files beside them and each language's not-found page, as the app
    answers them in this process (web/ops/in_process.py: no test client, which needs httpx); and the
    Content-Security-Policy of each file whose policy is its own (a page with its CSS inline allows that CSS
    by its hash: web/shell/critical.py), by the file's path."""
    site = site_of_app(app)
    library = site.library
    identity = {"Accept-Encoding": "identity"}
    written: list[Path] = []
    policies: dict[str, str] = {}

    def policy_of(answer: Answer, relative: str) -> None:
        policy = answer.headers.get("content-security-policy", CONTENT_SECURITY_POLICY)
        if policy != CONTENT_SECURITY_POLICY:
            policies[relative] = policy

    def policy_of_page(answer: Answer, path: str) -> None:
        policy_of(answer, file_for(path))
        if path.endswith("/"):  # `/en/` is found by try_files as `$uri/index.html`: `/en//index.html`
            policy_of(answer, f"{path}/index.html")

    listed = sitemap_paths((await get(app, base_url + "/sitemap.xml", identity)).content)
    pages = ["/", *(path for path in listed if not re.match(FILM_PAGE, path))]
    exported_at = time.time()
    for path in [*pages, "/sitemap.xml", "/robots.txt", *offline.export_paths(library)]:
        response = await get(app, base_url + path, identity)
        if response.status_code != 200:
            raise ExportError(f"{path} answered {response.status_code}")
        content = response.content
        if response.headers.get("content-type", "").startswith("text/html"):
            content = with_export_tokens(content, site.feedback_tokens, now=exported_at)
            if b'name="token" value="feedback.' in content:
                raise ExportError(f"{path}: its feedback form's token could not be made an exported page's")
        written.append(_write(out_dir, file_for(path), content))
        policy_of_page(response, path)
    for lang in library.languages:
        response = await get(app, f"{base_url}/{lang}/{NOT_FOUND_PROBE}", identity)
        if response.status_code != 404:
            raise ExportError(f"the {lang} not-found page answered {response.status_code}")
        for relative in (f"/{lang}/404.html", *(["/404.html"] if lang == library.languages[0] else [])):
            written.append(_write(out_dir, relative, response.content))
            policy_of(response, relative)
    return pages, written, policies


def _prepare(out_dir: Path) -> None:
    """An empty folder, or an earlier export (which is replaced, but for its hashed assets, which stay so that
    pages still in readers' caches or proxies keep their styles): never anything else. An earlier export is
    known by its nginx example, beside it (or, from before issue 19, inside it)."""
    kept = out_dir.with_name(out_dir.name + ".assets-kept")
    if out_dir.exists() and any(out_dir.iterdir()):
        if not nginx_example_path(out_dir).exists() and not (out_dir / NGINX_EXAMPLE).exists():
            raise ExportError(f"{out_dir} is not empty and is not an earlier export: choose an empty folder")
        if (out_dir / "assets").is_dir() and not kept.exists():
            (out_dir / "assets").rename(kept)  # hashed names: an earlier build's never clash with this one's
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if kept.exists():
        kept.rename(out_dir / "assets")


def _write(out_dir: Path, relative: str, data: bytes) -> Path:
    target = out_dir / relative.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if target.suffix in COMPRESSED_SUFFIXES:
        target.with_name(target.name + ".br").write_bytes(brotli.compress(data, quality=11))
        target.with_name(target.name + ".gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return target


def _copy_assets(app: Starlette, out_dir: Path) -> list[Path]:
    """The built assets, with the brotli and gzip copies the build already made."""
    assets = site_of_app(app).assets
    dist = assets.dist
    folder = out_dir / "assets"
    folder.mkdir(exist_ok=True)
    copied = []
    for name in sorted(assets.files):
        for source in (dist / name, dist / f"{name}.br", dist / f"{name}.gz"):
            if source.exists():
                shutil.copyfile(source, folder / source.name)
        copied.append(folder / name)
    return copied


def nginx_config(
    root: Path,
    *,
    listen: str = "80",
    upstream: str = "127.0.0.1:8000",
    https: bool = False,
    page_log: Path = PAGE_LOG,
    page_policies: Mapping[str, str] | None = None,
) -> str:
    """A `server` block (with its upstream, maps and log format) to include in nginx's `http` block.
    `page_policies`: the Content-Security-Policy of each exported file whose policy is its own, by its path."""
    security = dict(HEADERS)
    if https:
        security["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    headers = "".join(f'        add_header {name} "{value}" always;\n' for name, value in security.items())
    page_headers = headers.replace(CONTENT_SECURITY_POLICY, "$act_early_page_policy")
    policies = "".join(f'    "{path}" "{policy}";\n' for path, policy in sorted((page_policies or {}).items()))
    dynamic = "|".join(DYNAMIC_PAGES)
    proxy = (
        "        proxy_pass http://act_early_app;\n"
        "        proxy_http_version 1.1;\n"
        '        proxy_set_header Connection "";\n'
        "        proxy_set_header Host $http_host;\n"  # with its port: the app checks Origin against it
        "        proxy_set_header X-Forwarded-For $remote_addr;\n"
    )
    return f"""# ACT Early: an example nginx configuration for the static export in {root}.
# Written by `python -m web export`. Include it in nginx's http block (e.g. /etc/nginx/conf.d/).
#
# Pages, the worker, the manifest and assets are files, each with a precompressed .gz (gzip_static)
# and .br beside it. Brotli needs the ngx_brotli module (not in Debian's nginx): with it, add
# `brotli_static on;` beside `gzip_static on;` and the .br files are used as they are.
# Headers are the app's: web/http/security_headers.py's on every response, Cache-Control as the app sends it
# (pages, worker and manifest "no-cache" with an ETag, so they revalidate to 304; hashed assets and
# icons immutable). Dynamic routes, and whatever is not in the export, are proxied to the app
# (`python -m web serve`) at {upstream}.
# No access log but {page_log}: the pages served from these files, for the daily figures, with no address
# and no User-Agent (web/ops/page_log.py; `python -m web figures import-log` after each rotation). The pages
# the app answers it counts itself.
# The app's limits count each client apart, so X-Forwarded-For is set to the client's address (replacing
# whatever the client sent). Start the app with FORWARDED_ALLOW_IPS set to the address nginx connects from
# (127.0.0.1 on one machine), or every reader shares one limit. With a load balancer in front of nginx,
# make $remote_addr the client's with nginx's realip module (set_real_ip_from, real_ip_header).
# The headers are repeated per location because a location with its own add_header inherits none.

upstream act_early_app {{
    server {upstream};
    keepalive 16;
}}

{nginx_log_settings()}
# A page with its CSS inline allows it by its hash, in its own policy (as the app sends it): by the file served.
map $uri $act_early_page_policy {{
    default "{CONTENT_SECURITY_POLICY}";
{policies}}}

map $uri $act_early_not_found {{
    "~^/(?<lang>[a-z]{{2,3}})/" /$lang/404.html;
    default /404.html;
}}

server {{
    listen {listen};
    root {root};
    access_log off;
    server_tokens off;
    absolute_redirect off;
    client_max_body_size 64k;
    charset utf-8;
    charset_types text/plain text/css text/javascript application/xml image/svg+xml;  # and text/html, always
    gzip_static on;
    gzip_vary on;
    types {{
        text/html html;
        text/css css;
        text/javascript js;
        application/json json;
        application/manifest+json webmanifest;
        application/xml xml;
        text/plain txt;
        image/svg+xml svg;
        image/png png;
    }}
    default_type application/octet-stream;
    error_page 404 $act_early_not_found;

    # Anything the export does not hold (a POST, a film's media, a route added since) goes to the app,
    # which answers it or sends its own not-found page. For files alone, end with =404 instead of @app.
    location / {{
        try_files $uri $uri/index.html @app;
        access_log {page_log} {LOG_NAME} if=$act_early_counted;
{page_headers}        add_header Cache-Control "no-cache" always;
    }}

    # An asset this export lacks (one a page from the upgraded app links, before the new export is in place)
    # comes from the app; the assets of earlier exports stay, for the pages still cached that link them.
    location ^~ /assets/ {{
        try_files $uri @app;
{headers}        add_header Cache-Control "public, max-age=31536000, immutable" always;
    }}

    location ^~ /icons/ {{
        try_files $uri =404;
{headers}        add_header Cache-Control "public, max-age=31536000, immutable" always;
    }}

    # The offline catalogue is data, not a page: an attachment, as the app sends it (web/offline/routes.py).
    location ~ "^/(?<catalogue_lang>[a-z]{{2,3}})/offline/pages\\.json$" {{
        try_files $uri @app;
{headers}        add_header Cache-Control "no-cache" always;
        add_header Content-Disposition 'attachment; filename="$catalogue_lang-pages.json"' always;
    }}

    location ~ "^/[a-z]{{2,3}}$" {{
{headers}        return 301 $uri/;
    }}

    # The export writes this block beside its folder, never in it; an export from before issue 19 had it inside.
    location = /{NGINX_EXAMPLE} {{
        return 404;
    }}

    location ~ "^/[a-z]{{2,3}}/({dynamic})(/|$)" {{
{proxy}    }}

    location ~ ^/(toolkit|exit$|ltai/) {{
{proxy}    }}

    # A film's page puts the low-data video first for Save-Data and says so (Vary: Save-Data): the app's.
    location ~ "{FILM_PAGE}" {{
        try_files /.the-app-answers-this @app;
    }}

    # The health check is for what watches the site on this machine, never for the public (add the address
    # of a load balancer or monitor that checks it from elsewhere).
    location = /healthz {{
        allow 127.0.0.1;
        allow ::1;
        deny all;
        try_files /.the-app-answers-this @app;
    }}

    location @app {{
{proxy}    }}
}}
"""


def standalone_nginx_config(
    root: Path,
    work: Path,
    *,
    listen: str,
    upstream: str,
    https: bool = False,
    page_policies: Mapping[str, str] | None = None,
) -> str:
    """A whole nginx.conf around the example's server block, to run nginx in the foreground as any user
    with everything it writes under `work` (one worker, on the first CPU; its page log `work/pages.log`):
    for tests and benchmarks."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {work / kind};\n" for kind in kinds)
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would otherwise run as nobody
    server = nginx_config(
        root, listen=listen, upstream=upstream, https=https, page_log=work / "pages.log", page_policies=page_policies
    )
    return (
        f"{user}worker_processes 1;\nworker_cpu_affinity 01;\npid {work / 'nginx.pid'};\n"
        f"error_log {work / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n{temp}{server}}}\n"
    )
