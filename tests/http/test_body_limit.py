"""The limit on a request's body, and a query string every page can decode (web/http/body_limit.py)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from web.http.body_limit import BodyLimitMiddleware, BodyTooLarge, decodable_query


def run(
    chunks: list[bytes],
    headers: list[tuple[bytes, bytes]] | None = None,
    reads: bool = True,
    read: list[bytes] | None = None,
) -> list[bytes]:
    """Send a POST whose body arrives as `chunks` through the middleware (limit 10); what the app read."""
    read = [] if read is None else read
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    scope: Scope = {"type": "http", "method": "POST", "path": "/", "headers": headers or [], "query_string": b""}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while reads and (message := await receive())["type"] == "http.request":
            read.append(message["body"])
            if not message["more_body"]:
                break

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        raise AssertionError("the app sends nothing")

    asyncio.run(BodyLimitMiddleware(app, max_bytes=10)(scope, receive, send))
    return read


def test_a_body_up_to_the_limit_reaches_the_app_whole() -> None:
    assert run([b"12345", b"67890"], [(b"content-length", b"10")]) == [b"12345", b"67890"]


def test_a_declared_body_over_the_limit_raises_413_before_any_of_it_is_read() -> None:
    with pytest.raises(BodyTooLarge) as refused:
        run([b"12345678901"], [(b"content-length", b"11")])
    assert isinstance(refused.value, HTTPException) and refused.value.status_code == 413


def test_a_streamed_body_that_grows_over_the_limit_raises_413_on_the_chunk_that_crosses_it() -> None:
    read: list[bytes] = []
    with pytest.raises(BodyTooLarge):
        run([b"123456", b"7890", b"1"], read=read)
    assert read == [b"123456", b"7890"]


@pytest.mark.parametrize("declared", [b"ten", b"-1", b"+5", b"1.0", b"", "²".encode()])
def test_a_content_length_that_is_not_a_number_raises_400(declared: bytes) -> None:
    with pytest.raises(HTTPException) as refused:
        run([b"x"], [(b"content-length", declared)])
    assert refused.value.status_code == 400 and not isinstance(refused.value, BodyTooLarge)


def test_a_handler_that_never_reads_the_body_answers_as_usual() -> None:
    assert run([b"x" * 50], [(b"content-length", b"50")], reads=False) == []
    assert run([b"x"], [(b"content-length", b"nonsense")], reads=False) == []


def test_other_scopes_pass_through_with_their_own_receive() -> None:
    seen: list[object] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.extend([scope, receive])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    scope: Scope = {"type": "lifespan", "query_string": b"\xff"}
    asyncio.run(BodyLimitMiddleware(app, max_bytes=0)(scope, receive, receive))
    assert seen == [scope, receive]


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"{len(await request.body())} {request.query_params.get('q')}")


def test_in_an_app_an_oversized_body_gets_a_413_page_and_the_query_string_is_made_decodable() -> None:
    app = Starlette(
        routes=[Route("/", echo, methods=["POST"])], middleware=[Middleware(BodyLimitMiddleware, max_bytes=10)]
    )
    client = TestClient(app)
    assert client.post("/", content=b"x" * 11).status_code == 413
    assert client.post("/?q=%C3%A9", content=b"x" * 10).text == "10 é"

    async def raw_query(scope: Scope, receive: Receive, send: Send) -> None:  # as a server that passes bytes on
        await app({**scope, "query_string": b"q=a\xffb"}, receive, send)

    assert TestClient(raw_query).post("/", content=b"").text == "0 a\ufffdb"


def test_a_query_string_that_is_utf8_is_left_as_it_is() -> None:
    scope: Scope = {"type": "http", "query_string": "q=é&x=%FF+1".encode()}
    assert decodable_query(scope) is scope
    assert decodable_query({"type": "http"}) == {"type": "http"}


def test_bytes_that_are_not_utf8_are_percent_encoded_and_ascii_is_left_alone() -> None:
    scope: Scope = {"type": "http", "path": "/", "query_string": b"q=\xff&r=%41+\x7f&s=\xc3\xa9"}
    changed = decodable_query(scope)
    assert changed["query_string"] == b"q=%FF&r=%41+\x7f&s=%C3%A9"
    assert changed["path"] == "/" and scope["query_string"] == b"q=\xff&r=%41+\x7f&s=\xc3\xa9"
