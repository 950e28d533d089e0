"""Health checks and HTTPS (issue 19, items 11 and 14): the console has its own /healthz; the nginx example
answers /healthz to this machine alone; HSTS wherever the site is on https; an IPv6 HOST in brackets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from testing.live_server import live_server
from testing.nginx import nginx_binary, nginx_in_front, request_from
from testing.settings import settings_in
from web.app import create_app
from web.console.app import create_console_app
from web.ops.export import standalone_nginx_config, upstream_of
from web.settings import Settings

HSTS = "max-age=31536000; includeSubDomains"


def test_the_console_answers_its_health_check_without_a_sign_in_and_with_hsts(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    create_app(settings)  # the key pair and the schema, as `make run` leaves them
    with TestClient(create_console_app(settings), base_url="https://console.test") as console:
        response = console.get("/healthz", follow_redirects=False)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["strict-transport-security"] == HSTS


def test_the_public_site_on_https_sends_hsts_and_on_http_does_not(tmp_path: Path) -> None:
    with TestClient(create_app(settings_in(tmp_path))) as client:
        assert client.get("/en/faq").headers["strict-transport-security"] == HSTS
    plain = settings_in(tmp_path, public_base_url="http://127.0.0.1:8000")
    with TestClient(create_app(plain)) as client:
        assert "strict-transport-security" not in client.get("/en/faq").headers


def test_an_ipv6_host_gives_bracketed_urls_in_the_sitemap_and_robots_file(tmp_path: Path) -> None:
    address = Settings.from_env({"HOST": "::1", "PORT": "18860"}).public_base_url
    with TestClient(create_app(settings_in(tmp_path, host="::1", port=18860, public_base_url=address))) as client:
        assert "Sitemap: http://[::1]:18860/sitemap.xml" in client.get("/robots.txt").text
        assert "<loc>http://[::1]:18860/en/</loc>" in client.get("/sitemap.xml").text


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_example_with_an_ipv6_upstream(tmp_path: Path) -> None:
    upstream = upstream_of(Settings(host="::1", port=18860))
    assert upstream == "[::1]:18860"
    config = tmp_path / "nginx.conf"
    config.write_text(standalone_nginx_config(tmp_path, tmp_path, listen="127.0.0.1:18861", upstream=upstream))
    checked = subprocess.run(
        [str(nginx_binary()), "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (apt-get install nginx)")
def test_the_nginx_example_answers_the_health_check_to_this_machine_alone(tmp_path: Path) -> None:
    empty = tmp_path / "export"
    empty.mkdir()
    with (
        live_server(tmp_path / "site") as site,
        nginx_in_front(empty, site.removeprefix("http://"), tmp_path / "nginx") as port,
    ):
        status, body = request_from("127.0.0.1", port, "GET", "/healthz")
        assert (status, json.loads(body)["status"]) == (200, "ok")
        assert request_from("127.0.0.2", port, "GET", "/healthz")[0] == 403
        assert request_from("127.0.0.2", port, "GET", "/en/faq")[0] == 200
