"""Security headers on every response, including errors."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP_DIRECTIVES = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "media-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


def content_security_policy(*, style_hashes: tuple[str, ...] = ()) -> str:
    """The policy; `style_hashes` allow the one `<style>` a page carries inline (web/shell/critical.py), by
    its sha256 hash: never 'unsafe-inline'."""
    directives = {**CSP_DIRECTIVES, "style-src": " ".join(["'self'", *style_hashes])}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


CONTENT_SECURITY_POLICY = content_security_policy()

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
}


def security_headers(*, https: bool) -> list[tuple[bytes, bytes]]:
    """Every response's security headers, with HSTS when the site is served over HTTPS."""
    headers = [(name.encode(), value.encode()) for name, value in HEADERS.items()]
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


def with_security_headers(
    headers: list[tuple[bytes, bytes]], security: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """An answer's `headers`, with each of `security` it does not set itself (a page's own CSP stays)."""
    present = {name.lower() for name, _ in headers}
    return [*headers, *((name, value) for name, value in security if name not in present)]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = security_headers(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(message.get("headers", []), self.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)
