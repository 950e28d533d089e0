"""The first route that answers a path, remembered (web/http/routing.py): the same answers as Starlette's own
loop, by method and path, and a bounded memory."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, Router
from starlette.testclient import TestClient

from web.http.routing import RememberingRouter


def answer(name: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} {dict(request.path_params)}")

    return endpoint


ROUTES = [
    Route("/{lang:str}/form", answer("form-post"), methods=["POST"]),
    Route("/{lang:str}/form", answer("form-get")),
    Route("/{lang:str}/search", answer("search")),
    Route("/{lang:str}/{slug:str}", answer("advice")),
]
REQUESTS = [
    ("GET", "/en/form"),
    ("POST", "/en/form"),
    ("PUT", "/en/form"),
    ("GET", "/cy/search"),
    ("POST", "/cy/search"),
    ("GET", "/en/myths-and-facts"),
    ("HEAD", "/en/myths-and-facts"),
    ("GET", "/ur/what-is-prevent"),
    ("GET", "/nowhere"),
    ("GET", "/en/a/b"),
]


def client(router: Router) -> TestClient:
    app = Starlette()
    app.router = router
    return TestClient(app)


def answers(test_client: TestClient) -> list[tuple[int, str]]:
    return [(r.status_code, r.text) for r in (test_client.request(m, p) for m, p in REQUESTS)]


@pytest.mark.parametrize("rounds", [1, 3])
def test_it_answers_every_method_and_path_as_starlettes_router_does(rounds: int) -> None:
    expected = answers(client(Router(routes=ROUTES)))
    remembering = client(RememberingRouter(routes=ROUTES))
    for _ in range(rounds):  # the first time it looks, then it remembers
        assert answers(remembering) == expected
    assert expected[0] == (200, "form-get {'lang': 'en'}") and expected[1][1] == "form-post {'lang': 'en'}"
    assert [status for status, _ in expected][2::6] == [405, 404]


def test_it_remembers_a_bounded_number_of_paths() -> None:
    router = RememberingRouter(routes=ROUTES, remembered=3)
    test_client = client(router)
    for number in range(10):
        assert test_client.get(f"/en/page-{number}").text == f"advice {{'lang': 'en', 'slug': 'page-{number}'}}"
        assert len(router.first) <= 3
    assert test_client.get("/nowhere").status_code == 404
    assert ("GET", "/nowhere") not in router.first, "a path no route answers in full is not remembered"
