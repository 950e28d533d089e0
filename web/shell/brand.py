"""The ACT Early brand's colours, in one place: the CSS (the build writes them as `_brand.scss` for
static/scss/app.scss), the templates (`brand`), the app icons, the posters, the films and the charts.

White on the purple is 11.8:1; the text colour on white is 19.6:1 (docs/adr/0002-brand-and-colours.md).
"""

from __future__ import annotations

PURPLE = "#3f2a70"
WHITE = "#ffffff"
TEXT = "#0b0c0c"


def scss() -> str:
    """The colours as Sass variables, for the stylesheet's build."""
    lines = ["// Written by web/shell/assets.py from web/shell/brand.py: do not edit."]
    lines += [f"${name.lower()}: {value};" for name, value in (("PURPLE", PURPLE), ("WHITE", WHITE), ("TEXT", TEXT))]
    return "\n".join(lines) + "\n"
