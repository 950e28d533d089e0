"""The nginx example, run by a real nginx (issue 19, item 12, in part): the `/en`-style redirect carries the
security headers; the example itself is never served; the app is told the Host with its port; an asset the
export lacks comes from the app (item 5)."""

from __future__ import annotations

import http.client
import http.server
from pathlib import Path

import pytest

from testing.live_server import serving
from testing.nginx import nginx_binary, nginx_in_front
from web.http.security_headers import HEADERS
from web.ops.export import NGINX_EXAMPLE, nginx_config

pytestmark = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (apt-get install nginx)")


class EchoHost(http.server.BaseHTTPRequestHandler):
    """An upstream that answers with the Host header it was sent."""

    def do_GET(self) -> None:
        body = (self.headers.get("Host") or "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def fetch(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_nginx_example_redirects_with_headers_hides_itself_and_keeps_the_port(tmp_path: Path) -> None:
    root = tmp_path / "export"
    root.mkdir()
    (root / NGINX_EXAMPLE).write_text(nginx_config(root))  # as exports before issue 19 left it, in the root
    with serving(EchoHost) as upstream, nginx_in_front(root, upstream.removeprefix("http://"), tmp_path / "n") as port:
        redirect = fetch(port, "/en")
        assert (redirect.status, redirect.getheader("Location")) == (301, "/en/")
        for name, value in HEADERS.items():
            assert redirect.getheader(name) == value, name
        assert fetch(port, f"/{NGINX_EXAMPLE}").status == 404
        assert fetch(port, "/assets/site.0123456789.css").status == 200  # not in the export: the app's (item 5)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/exit")
        assert connection.getresponse().read().decode() == f"127.0.0.1:{port}"
        connection.close()


def test_under_https_the_redirect_carries_hsts_with_the_other_security_headers(tmp_path: Path) -> None:
    root = tmp_path / "export"
    root.mkdir()
    with (
        serving(EchoHost) as upstream,
        nginx_in_front(root, upstream.removeprefix("http://"), tmp_path / "n", https=True) as port,
    ):
        redirect = fetch(port, "/cy")
        assert (redirect.status, redirect.getheader("Location")) == (301, "/cy/")
        assert redirect.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
        assert redirect.getheader("Content-Security-Policy") == HEADERS["content-security-policy"]
