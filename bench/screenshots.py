"""Screenshots of every sitemap page at phone and desktop widths, for a person to look at.

.venv/bin/python -m bench.screenshots [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from testing.browser import launch_options
from testing.live_server import live_server
from testing.sitemap import fetch_sitemap_paths


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "var/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as base, sync_playwright() as p:
        browser = p.chromium.launch(**launch_options())
        for width, height in ((320, 640), (1280, 900)):
            page = browser.new_page(viewport={"width": width, "height": height})
            for path in fetch_sitemap_paths(base):
                page.goto(base + path)
                name = urlsplit(path).path.strip("/").replace("/", "_") or "root"
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
            page.close()
        browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
