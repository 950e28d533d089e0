"""Social media images and the email banner (web/toolkit/images.py).

The text drawn in an image is not read back (there is no OCR here): a spy on Pillow's ImageDraw.text
records what the generator asks it to draw, at what size and in what colour. Every image of every theme
is opened, measured and its QR code scanned in tests/toolkit/test_archive.py.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageDraw

from web.settings import ROOT
from web.shell.brand import PURPLE, TEXT, WHITE
from web.toolkit import images
from web.toolkit.words import THEMES, load_kit

CONTENT = ROOT / "content"
FORCE = "Hampshire and Isle of Wight Constabulary"  # the longest name
URL, ADDRESS = "https://actearly.uk/cy/signs-to-spot?utm_source=social&utm_campaign=x", "actearly.uk/cy/signs-to-spot"


def drawn_in(monkeypatch: pytest.MonkeyPatch, make: Any) -> list[tuple[str, int, int]]:
    drawn: list[tuple[str, int, int]] = []
    draw_text = ImageDraw.ImageDraw.text

    def spy(self: ImageDraw.ImageDraw, xy: Any, text: Any, *args: Any, **kwargs: Any) -> None:
        drawn.append((text, kwargs["font"].size, kwargs["fill"]))
        draw_text(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    make()
    return drawn


@pytest.mark.parametrize("size", images.SIZES)
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_image_draws_the_number_whole_its_hours_and_999_large_and_in_white(
    monkeypatch: pytest.MonkeyPatch, lang: str, size: str
) -> None:
    kit = load_kit(CONTENT, lang)
    for theme in THEMES:
        drawn = drawn_in(monkeypatch, lambda theme=theme: images.social_png(kit, theme, size, FORCE, URL, ADDRESS))
        lines = [text for text, _, _ in drawn]
        assert kit.support_number in lines  # whole, on a line of its own: a phone number never wraps
        assert kit.hours in " ".join(lines)
        assert kit.words("emergency") in " ".join(lines) and FORCE in " ".join(lines)
        assert min(font for _, font, _ in drawn) >= images.SIZES[size].smallest
        assert {fill for _, _, fill in drawn} == {images.IN_WHITE}


def test_the_alt_text_says_what_the_image_says_in_the_same_order() -> None:
    kit = load_kit(CONTENT, "en")
    alt = images.image_alt_text(kit, "signs", "portrait", "Kent Police", "actearly.uk/en/signs-to-spot")
    assert alt == (
        "ACT Early. Noticed a change in someone close? You do not need proof to ask for advice. Changes in how "
        "someone acts, talks or spends time online can be a sign. ACT Early Support Line: "
        f"{kit.support_number}. Open {kit.hours}. If someone is in danger now, call 999. QR code: scan it to open "
        "actearly.uk/en/signs-to-spot. Brought to you by Kent Police and Counter Terrorism Policing."
    )


def test_images_are_white_text_on_brand_purple_with_a_dark_qr_code_on_white() -> None:
    body = images.social_png(load_kit(CONTENT, "en"), "act-early", "square", "Kent Police", URL, ADDRESS)
    image = Image.open(io.BytesIO(body)).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000) or []}
    hex_of = {f"#{r:02x}{g:02x}{b:02x}" for r, g, b in colours}
    assert {PURPLE, WHITE, TEXT} <= hex_of
    assert image.getpixel((5, 5)) == (0x3F, 0x2A, 0x70)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(("text", "background"), [(WHITE, PURPLE), (TEXT, WHITE)])
def test_text_colours_meet_wcag_aaa_contrast(text: str, background: str) -> None:
    lighter, darker = sorted((_luminance(text), _luminance(background)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 7


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_email_banner_is_600_by_150_and_its_alt_text_has_the_number_and_hours(lang: str) -> None:
    kit = load_kit(CONTENT, lang)
    image = Image.open(io.BytesIO(images.banner_png(kit, "Heddlu Gwent", "actearly.uk")))
    assert image.size == (600, 150)
    alt = image.info["Description"]
    assert alt == images.banner_alt_text(kit, "actearly.uk")
    assert kit.support_number in alt and kit.hours in alt and alt.endswith("actearly.uk")


def test_the_same_choice_makes_the_same_bytes() -> None:
    kit = load_kit(CONTENT, "cy")
    assert images.social_png(kit, "story", "story", "Heddlu Gwent", URL, ADDRESS) == images.social_png(
        kit, "story", "story", "Heddlu Gwent", URL, ADDRESS
    )
