from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient


async def _explode(request: Request) -> None:
    raise RuntimeError("secret internal detail")


def test_an_unexpected_error_is_an_accessible_500_page_without_a_traceback(app: Starlette) -> None:
    app.router.routes.insert(0, Route("/boom", _explode))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert 'href="tel:999"' in response.text
    assert response.headers["content-security-policy"]
