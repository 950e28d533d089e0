"""The pages to audit: every <loc> of BASE_URL/sitemap.xml (or of the sitemaps a sitemap index lists).

Each page is fetched from BASE_URL itself, whatever host the sitemap names, so a copy whose
PUBLIC_BASE_URL points elsewhere (staging behind a proxy, a review app) is audited, not production.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MAX_SITEMAPS = 50
USER_AGENT = "act-early-accessibility-audit (python -m audit)"


class AuditError(Exception):
    """A problem that stops the audit before it can check a page."""


def sitemap_urls(base_url: str, *, timeout: float) -> list[str]:
    """Every page URL the site's sitemap lists, on BASE_URL's host, in sitemap order, without duplicates."""
    base_url = base_url.rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise AuditError(f"{base_url!r} is not an http:// or https:// address")
    pending = [f"{base_url}/sitemap.xml"]
    pages: list[str] = []
    seen_sitemaps: set[str] = set()
    while pending and len(seen_sitemaps) < MAX_SITEMAPS:
        url = pending.pop(0)
        seen_sitemaps.add(url)
        root = _parse(url, _fetch(url, base_url, timeout=timeout))
        locs = [(loc.text or "").strip() for loc in root.iter(f"{NS}loc")]
        if root.tag == f"{NS}sitemapindex":
            pending += [u for u in (on_base(loc, base_url) for loc in locs) if u not in seen_sitemaps]
        else:
            pages += [on_base(loc, base_url) for loc in locs if loc]
    unique = list(dict.fromkeys(pages))
    if not unique:
        raise AuditError(f"{base_url}/sitemap.xml lists no pages")
    return unique


def on_base(url: str, base_url: str) -> str:
    """`url`'s path and query on BASE_URL's scheme and host."""
    base = urlsplit(base_url)
    parts = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))


def _fetch(url: str, base_url: str, *, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise AuditError(
                f"{url} answered 404 Not Found: the audit finds pages through the sitemap, and this site has none"
            ) from error
        raise AuditError(f"{url} answered HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise AuditError(f"cannot reach {base_url}: {reason} (is the address right, and is the site up?)") from error


def _parse(url: str, body: bytes) -> ElementTree.Element:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise AuditError(f"{url} is not a sitemap: {error}") from error
    if root.tag not in (f"{NS}urlset", f"{NS}sitemapindex"):
        raise AuditError(f"{url} is not a sitemap: its root element is {root.tag}")
    return root
