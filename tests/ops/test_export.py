"""The static export: every public page as a file, precompressed, and nginx serving it like the app."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import brotli
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.forms import ARRIVE
from testing.sitemap import paths_in_sitemap
from web.app import create_app
from web.http import form_tokens
from web.http.security_headers import HEADERS
from web.ops.export import (
    FILM_PAGE,
    ExportError,
    ExportReport,
    export_site,
    file_for,
    nginx_example_path,
    standalone_nginx_config,
)
from web.public.feedback import FORM
from web.settings import Settings
from web.shell.site import site_of_app

KEY_HEADERS = ("content-type", "cache-control", "strict-transport-security", *HEADERS)


def without_form_tokens(html: bytes) -> bytes:
    """A page with its feedback form's token blanked: the export gives it a token of its own (item 13)."""
    return FORM.sub(lambda match: match[0].replace(match["token"], b""), html)


def exported_paths(sitemap: bytes) -> list[str]:
    """What the export holds as pages: every page of the sitemap but the films' own (the app's, for Save-Data)."""
    return ["/", *(path for path in paths_in_sitemap(sitemap) if not re.match(FILM_PAGE, path))]


@pytest.fixture(scope="module")
def site_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One export for the module (rendering and compressing every page takes seconds)."""
    folder = tmp_path_factory.mktemp("export-site")
    return Settings(
        database_url=f"sqlite:///{folder / 'test.sqlite3'}",
        public_base_url="https://actearly.test",
        concern_public_key_file=folder / "keys" / "concerns.pub",
        console_private_key_file=folder / "keys" / "concerns.key",
        form_secret="test-form-secret",
    )


@pytest.fixture(scope="module")
def site_app(site_settings: Settings) -> Starlette:
    return create_app(site_settings)


@pytest.fixture(scope="module")
def site_client(site_app: Starlette) -> Iterator[TestClient]:
    with TestClient(site_app) as client:
        yield client


@pytest.fixture(scope="module")
def exported(
    site_settings: Settings, site_app: Starlette, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ExportReport]:
    out = tmp_path_factory.mktemp("exported") / "site"
    return out, export_site(site_settings, out, app=site_app)


def test_file_for_puts_pages_in_folders_and_keeps_file_names() -> None:
    assert file_for("/") == "/index.html"
    assert file_for("/en/") == "/en/index.html"
    assert file_for("/en/faq") == "/en/faq/index.html"
    assert file_for("/en/offline/saved") == "/en/offline/saved/index.html"
    assert file_for("/en/offline/pages.json") == "/en/offline/pages.json"
    assert file_for("/sw.js") == "/sw.js"


def test_every_sitemap_page_is_exported_with_brotli_and_gzip_beside_it(
    exported: tuple[Path, ExportReport],
    site_client: TestClient,
) -> None:
    out, report = exported
    paths = exported_paths(site_client.get("/sitemap.xml").content)
    assert report.pages == len(paths)
    for path in paths:
        page = out / file_for(path).lstrip("/")
        body = site_client.get(path, headers={"Accept-Encoding": "identity"}).content
        written = page.read_bytes()
        assert without_form_tokens(written) == without_form_tokens(body), path
        assert brotli.decompress(page.with_name("index.html.br").read_bytes()) == written
        assert gzip.decompress(page.with_name("index.html.gz").read_bytes()) == written


def test_a_films_page_is_not_exported_but_left_to_the_app(
    exported: tuple[Path, ExportReport], site_client: TestClient
) -> None:
    out, _ = exported
    films = [path for path in paths_in_sitemap(site_client.get("/sitemap.xml").content) if re.match(FILM_PAGE, path)]
    assert films  # the sitemap lists them
    for path in films:
        assert not (out / file_for(path).lstrip("/")).exists(), path
    assert (out / "en" / "films" / "index.html").is_file()  # the list of films is the same for every reader


def test_an_exported_pages_feedback_form_still_works_a_month_after_the_export(
    exported: tuple[Path, ExportReport], site_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = exported
    match = FORM.search((out / "en" / "signs-to-spot" / "index.html").read_bytes())
    assert match is not None
    real = time.time
    monkeypatch.setattr(form_tokens, "time", SimpleNamespace(time=lambda: real() + 31 * 24 * 3600))
    data = {"token": match["token"].decode(), "page": "signs-to-spot", "useful": "yes"}
    headers = {**ARRIVE, "sec-fetch-site": "same-origin"}
    response = site_client.post("/en/feedback", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 303


def test_the_nginx_example_is_written_beside_the_export_never_inside_it(
    exported: tuple[Path, ExportReport],
) -> None:
    out, report = exported
    assert nginx_example_path(out) == out.parent / "site.nginx.conf"
    assert nginx_example_path(out).is_file()
    assert not [path for path in out.rglob("*") if "nginx" in path.name]
    assert str(nginx_example_path(out)) in report.summary()


def test_the_export_holds_the_worker_manifest_icons_assets_and_not_found_pages(
    exported: tuple[Path, ExportReport],
    site_client: TestClient,
    site_app: Starlette,
) -> None:
    out, _ = exported
    for name in ("sitemap.xml", "robots.txt", "sw.js", "manifest.webmanifest", "404.html", "cy/404.html"):
        assert (out / name).is_file(), name
    assert (out / "sw.js").read_bytes() == site_client.get("/sw.js").content
    assert (out / "sw.js.br").is_file() and (out / "sw.js.gz").is_file()
    for icon in site_client.get("/manifest.webmanifest").json()["icons"]:
        assert (out / icon["src"].lstrip("/")).read_bytes() == site_client.get(icon["src"]).content
    for name in ("app.css", "app.js", "offline.js", "icon.svg"):
        hashed = site_of_app(site_app).assets.manifest[name]
        for suffix in ("", ".br", ".gz"):
            assert (out / "assets" / f"{hashed}{suffix}").is_file(), hashed + suffix
    assert "Page not found" in (out / "404.html").read_text()
    assert '<html lang="cy"' in (out / "cy" / "404.html").read_text()
    for lang in ("en", "cy", "ur"):
        assert (out / lang / "offline" / "index.html").is_file()
        assert (out / lang / "offline" / "pages.json").is_file()


def test_the_export_never_holds_a_form_page(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    for form in ("share-a-concern", "search", "toolkit", "exit", "healthz"):
        assert not list(out.rglob(f"*{form}*")), form


def test_exporting_into_a_folder_with_other_files_is_refused(
    site_settings: Settings, site_app: Starlette, tmp_path: Path
) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not empty"):
        export_site(site_settings, tmp_path, app=site_app)
    assert (tmp_path / "precious.txt").exists()


def test_exporting_again_replaces_the_earlier_export(
    site_settings: Settings, site_app: Starlette, tmp_path: Path
) -> None:
    export_site(site_settings, tmp_path / "site", app=site_app)
    (tmp_path / "site" / "stale.html").write_text("old")
    export_site(site_settings, tmp_path / "site", app=site_app)
    assert not (tmp_path / "site" / "stale.html").exists()
    assert (tmp_path / "site" / "index.html").exists()


def test_the_nginx_example_sends_the_app_headers_and_proxies_dynamic_routes(
    exported: tuple[Path, ExportReport], site_settings: Settings
) -> None:
    out, _ = exported
    config = nginx_example_path(out).read_text()
    assert (
        f"    root {out.resolve()};\n" in config and f"    server {site_settings.host}:{site_settings.port};" in config
    )
    for name, value in HEADERS.items():
        assert f'add_header {name} "{value}" always;' in config
    assert 'add_header strict-transport-security "max-age=31536000; includeSubDomains" always;' in config
    assert "gzip_static on;" in config and "brotli_static on;" in config  # the latter explained, in a comment
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in config
    assert 'location ~ "^/[a-z]{2,3}/(share-a-concern|search|get-help)(/|$)"' in config
    assert "proxy_pass http://act_early_app;" in config
    assert "access_log off;" in config


# --- nginx serving the export, compared with the app ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _app_server(asgi_app: Starlette) -> Iterator[str]:
    """The app on a free port, in a thread: the upstream nginx proxies dynamic routes to."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(asgi_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def nginx_serving(
    root: Path, upstream: str, work: Path, *, https: bool, page_policies: Mapping[str, str] | None = None
) -> Iterator[int]:
    """nginx (one worker, 127.0.0.1 only) serving the export with the example's server block."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: .ci/run installs it (apt-get install nginx)")
        pytest.skip("nginx is not installed here (apt-get install nginx); CI runs this test")
    port = _free_port()
    work.mkdir(parents=True, exist_ok=True)
    config = standalone_nginx_config(
        root, work, listen=f"127.0.0.1:{port}", upstream=upstream, https=https, page_policies=page_policies
    )
    (work / "nginx.conf").write_text(config)
    process = subprocess.Popen([nginx, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError((work / "error.log").read_text()) from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    return _request(port, "GET", path, headers)


def _request(port: int, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        headers: dict[str, str] = {}
        for key, value in response.getheaders():  # a repeated header, as one (as httpx gives it)
            headers[key.lower()] = f"{headers[key.lower()]}, {value}" if key.lower() in headers else value
        return response.status, headers, response.read()
    finally:
        connection.close()


def test_nginx_serves_the_export_with_the_same_pages_and_headers_as_the_app(
    exported: tuple[Path, ExportReport],
    site_app: Starlette,
    site_client: TestClient,
    tmp_path: Path,
) -> None:
    out, report = exported
    with (
        _app_server(site_app) as upstream,
        nginx_serving(out.resolve(), upstream, tmp_path / "nginx", https=True, page_policies=report.policies) as port,
    ):
        for path in ["/", *paths_in_sitemap(site_client.get("/sitemap.xml").content)]:
            expected = site_client.get(path, headers={"Accept-Encoding": "gzip"})
            status, headers, body = _get(port, path, {"Accept-Encoding": "gzip"})
            assert status == expected.status_code == 200, path
            for name in KEY_HEADERS:
                assert headers.get(name) == expected.headers.get(name), (path, name)
            assert headers["content-encoding"] == "gzip", path
            assert "Accept-Encoding" in headers["vary"], path
            assert without_form_tokens(gzip.decompress(body)) == without_form_tokens(expected.content), path
            revalidated, _, empty = _get(port, path, {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
            assert (revalidated, empty) == (304, b""), path
        for path in ("/sitemap.xml", "/robots.txt", "/sw.js", "/manifest.webmanifest", "/en/offline/pages.json"):
            expected = site_client.get(path)
            status, headers, body = _get(port, path, {})
            assert (status, headers["cache-control"]) == (200, expected.headers["cache-control"]), path
            assert headers["content-type"] == expected.headers["content-type"], path
            assert headers.get("content-disposition") == expected.headers.get("content-disposition"), path
            assert body == expected.content, path
        # A film's page is the app's, as every reader gets it from the app: Save-Data and its Vary (item 12).
        films = [
            path for path in paths_in_sitemap(site_client.get("/sitemap.xml").content) if re.match(FILM_PAGE, path)
        ]
        for save_data in ({}, {"Save-Data": "on"}):
            expected = site_client.get(films[0], headers={"Accept-Encoding": "identity", **save_data})
            status, headers, body = _get(port, films[0], {"Accept-Encoding": "identity", **save_data})
            assert (status, body) == (200, expected.content), save_data
            assert headers["vary"] == expected.headers["vary"]  # Save-Data with it (tests/films/test_films.py)
        asset = site_of_app(site_app).assets.url("app.css")
        status, headers, _ = _get(port, asset, {"Accept-Encoding": "gzip"})
        assert (status, headers["cache-control"]) == (200, "public, max-age=31536000, immutable")
        # Dynamic routes reach the app; pages that are not there get the not-found page in their language.
        assert _get(port, "/en/search?q=prevent", {})[0] == 200
        status, headers, _ = _get(port, "/exit", {})
        assert status == 303 and '"storage"' in headers["clear-site-data"]
        status, headers, body = _get(port, "/cy/no-such-page", {})
        assert status == 404 and b'<html lang="cy"' in body
        assert (
            headers["content-security-policy"] == site_client.get("/cy/no-such-page").headers["content-security-policy"]
        )
        status, headers, body = _get(port, "/assets/app.0000000000.css", {})
        assert status == 404 and b"Page not found" in body  # a static 404: the export's own page
        # A POST to an address that is also a folder of the export (the offline pages) reaches the app.
        assert _request(port, "POST", "/en/offline/saved-count", {"Sec-Fetch-Site": "same-origin"})[0] == 204
        # A browser that sends Origin but not Sec-Fetch-Site, on a port that is not 443: the app is told the Host
        # with its port, so its own origin is recognised and another site's is not (item 12).
        assert _request(port, "POST", "/en/offline/saved-count", {"Origin": f"http://127.0.0.1:{port}"})[0] == 204
        assert _request(port, "POST", "/en/offline/saved-count", {"Origin": "https://elsewhere.example"})[0] == 403
        assert _get(port, "/en", {})[1]["location"] == "/en/"
