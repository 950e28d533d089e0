"""A GET to an ASGI app in this process, with nothing but the standard library: what the export renders
pages with. (Starlette's TestClient needs httpx, a test dependency, which a server's install does not have.)"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value
    content: bytes


async def get(app: ASGIApp, url: str, headers: dict[str, str] | None = None) -> Answer:
    """`GET url` (an absolute URL: its host is the Host header) answered by `app`; redirects are not followed."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sent = [(b"host", parts.netloc.encode("ascii"))]
    sent += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": parts.scheme,
        "path": parts.path or "/",
        "raw_path": (parts.path or "/").encode("ascii"),
        "query_string": parts.query.encode("ascii"),
        "root_path": "",
        "headers": sent,
        "client": ("127.0.0.1", 50000),
        "server": (parts.hostname or "localhost", port),
        "extensions": {},
        "state": {},
    }
    status, body = 0, bytearray()
    answer_headers: dict[str, str] = {}
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            answer_headers.update(
                (name.decode("latin-1"), value.decode("latin-1")) for name, value in message["headers"]
            )
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return Answer(status, answer_headers, bytes(body))
