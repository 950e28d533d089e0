"""The public pages, as the sitemap lists them."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit
from xml.etree import ElementTree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def paths_in_sitemap(xml: bytes) -> list[str]:
    root = ElementTree.fromstring(xml)
    return [urlsplit(loc.text or "").path for loc in root.findall("s:url/s:loc", NS)]


def fetch_sitemap_paths(base_url: str) -> list[str]:
    with urllib.request.urlopen(f"{base_url}/sitemap.xml", timeout=10) as response:
        return paths_in_sitemap(response.read())
