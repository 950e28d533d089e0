"""The web app manifest and its icons: the brand mark drawn as PNGs, named by the hash of their bytes."""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache
from typing import Any

from PIL import Image, ImageDraw

from web.shell.brand import PURPLE, WHITE

ICON_SIZES = (192, 512)


def web_manifest_body() -> bytes:
    icons = [{"src": icon_url(size), "sizes": f"{size}x{size}", "type": "image/png"} for size in ICON_SIZES]
    icons.append({"src": icon_url(512, maskable=True), "sizes": "512x512", "type": "image/png", "purpose": "maskable"})
    manifest: dict[str, Any] = {
        "name": "ACT Early",
        "short_name": "ACT Early",
        "description": "Advice for family and friends worried that someone is being drawn into extremism.",
        "id": "/en/",
        "start_url": "/en/",
        "scope": "/",
        "display": "standalone",
        "lang": "en",
        "dir": "ltr",
        "theme_color": PURPLE,
        "background_color": WHITE,
        "icons": icons,
    }
    return json.dumps(manifest, indent=1).encode()


@cache
def icon_png(size: int, *, maskable: bool = False) -> bytes:
    """The brand mark (static/images/icon.svg) as a PNG: a purple square with a white "A"."""
    scale = 4  # draw large, then shrink: smooth edges without an SVG renderer
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:  # full bleed; the mark inside the central 80% safe zone
        draw.rectangle((0, 0, side, side), fill=PURPLE)
        unit, offset = side * 0.8 / 32, side * 0.1
    else:
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=side * 6 // 32, fill=PURPLE)
        unit, offset = side / 32, 0.0
    mark = [(9, 23), (16, 8), (23, 23), (19, 23), (16, 16), (13, 23)]  # the SVG's path, in its 32-unit box
    draw.polygon([(offset + x * unit, offset + y * unit) for x, y in mark], fill=WHITE)
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def icon_name(size: int, *, maskable: bool = False) -> str:
    stem = f"icon-{'maskable-' if maskable else ''}{size}"
    return f"{stem}.{hashlib.sha256(icon_png(size, maskable=maskable)).hexdigest()[:10]}.png"


def icon_url(size: int, *, maskable: bool = False) -> str:
    return f"/icons/{icon_name(size, maskable=maskable)}"


@cache
def icons() -> dict[str, bytes]:
    """Every icon the manifest names, by its file name."""
    variants = [(size, False) for size in ICON_SIZES] + [(512, True)]
    return {icon_name(size, maskable=mask): icon_png(size, maskable=mask) for size, mask in variants}
