"""Form tokens: signed, expiring proof that a post comes from one of the site's own pages, without a cookie.

The random part of a token is also the submission's idempotency key: re-issuing keeps it, so a double
click, a retry or a resubmit after going back is one submission.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

TOKEN_LIFETIME = 4 * 60 * 60  # seconds: a worried person may take their time


@dataclass(frozen=True)
class FormToken:
    nonce: str  # also the submission's idempotency key
    issued_at: int


class FormTokens:
    """`nonce.issued_at.signature`. Re-issuing keeps the nonce, so a retry stays one submission."""

    def __init__(self, secret: bytes) -> None:
        self.key = hashlib.sha256(b"form-token:" + secret).digest()

    def for_purpose(self, purpose: str) -> FormTokens:
        """Tokens with a key of their own, derived from this one: one purpose's token is never another's."""
        return FormTokens(self.key + b":" + purpose.encode())

    def _sign(self, body: str) -> str:
        digest = hmac.new(self.key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def issue(self, nonce: str | None = None, now: float | None = None) -> str:
        body = f"{nonce or secrets.token_urlsafe(18)}.{int(now if now is not None else time.time())}"
        return f"{body}.{self._sign(body)}"

    def read(
        self, token: str, now: float | None = None, lifetime: int = TOKEN_LIFETIME
    ) -> tuple[FormToken | None, bool]:
        """(token, fresh): None when forged or malformed; fresh is False once `lifetime` seconds have passed."""
        parts = token.split(".")
        # ASCII only: hmac.compare_digest raises on other text, and isdigit() is true of "²" and "٣".
        if len(parts) != 3 or len(token) > 100 or not token.isascii() or not parts[1].isdigit():
            return None, False
        body = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(body), parts[2]):
            return None, False
        issued = int(parts[1])
        age = (now if now is not None else time.time()) - issued
        return FormToken(nonce=parts[0], issued_at=issued), -60 <= age <= lifetime
