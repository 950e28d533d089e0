"""A tiny site with known accessibility failures, for testing that the checks and the audit find them.

Each barrier on /broken names the criterion it breaks. /slow answers after SLOW_SECONDS, to test
timeouts; with `sitemap=False` the site has no sitemap.
"""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator
from contextlib import contextmanager

from testing.live_server import serving

SLOW_SECONDS = 6

BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Broken</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { margin: 0; font: 16px/1.4 sans-serif; color: #0b0c0c; background: #fff; }
  .sticky { position: sticky; top: 0; height: 120px; background: #333; color: #fff; }
  .pale { color: #999; }                                       /* 1.4.6: 2.8:1 */
  .wide { width: 700px; }                                      /* 1.4.10 at 320 px */
  .box { height: 1.4em; overflow: hidden; width: 38em; }       /* 1.4.12 when lines grow */
  .bare:focus { outline: none; }                               /* 2.4.7 */
  .faint:focus { outline: 2px solid #ddd; }                    /* 1.4.11: 1.4:1 on white */
  .tiny a { display: inline-block; width: 10px; height: 10px; background: #1d3f73; }  /* 2.5.8 */
  main p { margin: 0 0 1em; }
</style></head>
<body>
<div class="sticky">Sticky banner</div>
<main>
  <h1>Broken page</h1>
  <p class="pale">This text is too pale to read comfortably.</p>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
  <p class="wide">This paragraph is wider than a phone.</p>
  <p class="box">One line of text that wraps onto two when letters are spaced out more.</p>
  <p><a href="#q" tabindex="3">A link that jumps the queue</a></p>
  <p><a class="bare" href="#a">A link with no focus style</a></p>
  <p><a class="faint" href="#f">A link with a faint focus ring</a></p>
  <p class="tiny"><a href="#b" aria-label="one"></a><a href="#c" aria-label="two"></a></p>
  <div style="height: 1500px"></div>
  <p><a href="#d">Last link</a></p>
  <p id="trap"><a href="#t1">Trapped one</a> <a href="#t2">Trapped two</a></p>
</main>
<script>
  // 2.1.2: Tab only ever moves between the two trapped links.
  document.getElementById('trap').addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    event.preventDefault();
    const links = [...document.querySelectorAll('#trap a')];
    links[(links.indexOf(document.activeElement) + 1) % links.length].focus();
  });
</script>
</body></html>
"""

PAGES = {
    "/broken": BROKEN_PAGE,
    "/fine": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fine</title></head>'
    "<body><main><h1>Fine</h1><p>Nothing wrong here.</p></main></body></html>",
}


@contextmanager
def broken_site(*, sitemap: bool = True, paths: tuple[str, ...] = ("/broken", "/slow")) -> Iterator[str]:
    """Serve the broken site on a free port; yield its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://{self.headers['Host']}"
            if self.path == "/sitemap.xml" and sitemap:
                urls = "".join(f"<url><loc>{base}{path}</loc></url>" for path in paths)
                body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
                self._send(200, "application/xml", body)
            elif self.path == "/slow":
                time.sleep(SLOW_SECONDS)
                self._send(200, "text/html; charset=utf-8", PAGES["/fine"])
            elif self.path in PAGES:
                self._send(200, "text/html; charset=utf-8", PAGES[self.path])
            else:
                self._send(404, "text/plain", "not found")

        def _send(self, status: int, media_type: str, body: str) -> None:
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser gave up waiting (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url
