"""The browser checks, shared by the audit command and the tests in a11y_tests/ (import them from here).

Each check measures the page as it is now, in the browser (JavaScript in audit/scripts/), and
returns a `CheckResult`: the criteria it covers and a `Finding` for each failure, with the element's
selector, its box on the page (for a screenshot) and how to fix it. Thresholds live here, in Python.
"""

from __future__ import annotations

from playwright.sync_api import Page

from audit import criteria as sc
from audit.axe import axe_violations, check_axe
from audit.browser import measure
from audit.focus import (
    FocusWalk,
    check_focus,
    obscured_findings,
    order_findings,
    trap_findings,
    visible_findings,
    walk_focus,
)
from audit.results import CheckResult, Finding

__all__ = [
    "CheckResult",
    "Finding",
    "FocusWalk",
    "axe_violations",
    "check_axe",
    "check_contrast",
    "check_focus",
    "check_language_of_parts",
    "check_motion",
    "check_reflow",
    "check_target_size",
    "check_text_spacing",
    "obscured_findings",
    "order_findings",
    "trap_findings",
    "visible_findings",
    "walk_focus",
]

AAA_TEXT = 7.0  # 1.4.6: normal text
AAA_LARGE_TEXT = 4.5  # 1.4.6: large text (24 px, or 18.66 px bold)
MINIMUM_TARGET = 24  # 2.5.8, CSS px
ENHANCED_TARGET = 44  # 2.5.5, CSS px

REFLOW_FIX = (
    "Let it wrap or shrink at 320 CSS px: no fixed width or min-width, max-width: 100% on media, "
    "overflow-wrap: anywhere for long words and addresses, and wide data tables in their own scrolling container."
)
CLIPPED_FIX = (
    "Let the container grow with its text: min-height instead of height, and no overflow: hidden "
    "(or text-overflow: ellipsis) on text."
)
OVERLAP_FIX = "Give the text room to grow: no fixed heights or absolute positions that depend on its line height."
TARGET_FIX = (
    "Make the target at least 24 × 24 CSS px (padding, min-height), or space it so that a 24 px circle on "
    "it meets no other target; 44 × 44 px is better (2.5.5)."
)
CONTRAST_FIX = (
    "Darken the text or lighten what is behind it until the ratio is at least 7:1 (4.5:1 for large text); "
    "the brand's text colours in docs/adr/0002-brand-and-colours.md all reach 7:1 on white."
)


def check_reflow(page: Page, condition: str) -> CheckResult:
    """1.4.10 Reflow: nothing makes the page scroll sideways and no text is cut off."""
    data = measure(page, "reflow")
    result = CheckResult("reflow", condition, (sc.REFLOW,), stats={"width": data["width"]})
    scrolls = data["scrollWidth"] > data["width"] + 1
    for item in data["offenders"]:
        exempt = item["twoDimensional"]
        result.findings.append(
            Finding(
                sc.REFLOW,
                f"sticks out of the {data['width']} px window by {item['overflow']} px"
                + (" (content that needs two dimensions, allowed)" if exempt else "")
                + f": “{item['text']}”",
                REFLOW_FIX,
                item["selector"],
                item["box"],
                "review" if exempt else "fail",
            )
        )
    if scrolls and not result.findings:
        message = f"the page is {data['scrollWidth']} px wide in a {data['width']} px window"
        result.findings.append(Finding(sc.REFLOW, message, REFLOW_FIX, "html"))
    for item in data["clipped"]:
        message = f"text cut off by {max(item['overX'], item['overY'])} px: “{item['text']}”"
        result.findings.append(Finding(sc.REFLOW, message, CLIPPED_FIX, item["selector"], item["box"]))
    return result


def check_text_spacing(page: Page, condition: str) -> CheckResult:
    """1.4.12 Text Spacing: with the bookmarklet's spacing, no text is newly cut off or overlapping.

    This changes the page's styles: run it last, or reload the page afterwards.
    """
    data = measure(page, "text_spacing")
    if data["applied"] in ("normal", "0px"):
        raise RuntimeError(f"the text spacing styles did not apply (letter-spacing is {data['applied']})")
    result = CheckResult("text-spacing", condition, (sc.TEXT_SPACING,))
    for item in data["clipped"]:
        message = f"text cut off by {max(item['overX'], item['overY'])} px with more spacing: “{item['text']}”"
        result.findings.append(Finding(sc.TEXT_SPACING, message, CLIPPED_FIX, item["selector"], item["box"]))
    for item in data["overlaps"]:
        message = f"text overlaps “{item['otherText']}” ({item['other']}) with more spacing: “{item['text']}”"
        result.findings.append(Finding(sc.TEXT_SPACING, message, OVERLAP_FIX, item["selector"], item["box"]))
    return result


def check_target_size(page: Page, condition: str) -> CheckResult:
    """2.5.8 Target Size (Minimum), with its exceptions; counts what reaches 2.5.5 (44 × 44) in stats."""
    data = measure(page, "target_size", arg={"minimum": MINIMUM_TARGET, "enhanced": ENHANCED_TARGET})
    result = CheckResult("target-size", condition, (sc.TARGET_SIZE,), stats=data["counts"])
    for item in data["failures"]:
        message = f"{item['width']:.0f} × {item['height']:.0f} px target “{item['text']}” is too close to " + "; ".join(
            item["conflicts"]
        )
        result.findings.append(Finding(sc.TARGET_SIZE, message, TARGET_FIX, item["selector"], item["box"]))
    return result


def check_contrast(page: Page, condition: str) -> CheckResult:
    """1.4.6 Contrast (Enhanced): text at least 7:1 against what is behind it (4.5:1 when large)."""
    data = measure(page, "contrast", arg={"normal": AAA_TEXT, "large": AAA_LARGE_TEXT})
    result = CheckResult("contrast", condition, (sc.CONTRAST_ENHANCED,), stats={"texts": data["checked"]})
    for item in data["failures"]:
        size = "large " if item["large"] else ""
        message = (
            f"{size}text “{item['text']}” is {item['ratio']:.2f}:1 ({item['foreground']} on {item['background']}), "
            f"needs {item['required']}:1"
        )
        result.findings.append(Finding(sc.CONTRAST_ENHANCED, message, CONTRAST_FIX, item["selector"], item["box"]))
    for item in data["review"]:
        message = f"{item['reason']}: check “{item['text']}” by eye"
        result.findings.append(
            Finding(sc.CONTRAST_ENHANCED, message, CONTRAST_FIX, item["selector"], item["box"], "review")
        )
    return result


MOTION_FIX = (
    "Wrap the animation or transition in @media (prefers-reduced-motion: no-preference), or stop it "
    "under prefers-reduced-motion: reduce; anything longer than 5 seconds also needs a pause control."
)


def check_motion(page: Page, condition: str) -> CheckResult:
    """With reduced motion asked for, nothing moves: 2.2.2 Pause, Stop, Hide over 5 s; 2.3.3 otherwise."""
    result = CheckResult("motion", condition, (sc.PAUSE_STOP_HIDE, sc.ANIMATION_FROM_INTERACTIONS))
    for item in measure(page, "motion"):
        length = item["milliseconds"]
        long = length is None or length > 5000
        criterion = sc.PAUSE_STOP_HIDE if long else sc.ANIMATION_FROM_INTERACTIONS
        lasting = "for ever" if length is None else f"for {length / 1000:.1f} s"
        message = f"{item['name']} animates {lasting} although the reader asked for reduced motion"
        result.findings.append(Finding(criterion, message, MOTION_FIX, item["selector"], item["box"]))
    result.stats["running"] = len(result.findings)
    return result


# Names are exempt from 3.1.2: the brand, the programmes and services named in every language, the old
# site's name, and the names of file formats.
PROPER_NAMES = [
    "ACT Early", "Counter Terrorism Policing", "Anti-Terrorist Hotline", "Prevent", "Channel", "GOV.UK",
    "Relay UK", "emergencySMS", "Let’s Talk About It", "Let's Talk About It", "CSV", "HTML", "QR",
]  # fmt: skip
LANGUAGE_FIX = (
    "Mark the part's language: lang (and hreflang and dir on a link to a page in that language) on the "
    "element, as the section list in templates/advice/advice.html does; or translate it. Format dates "
    "in the page's language (babel.dates.format_date(..., locale=lang))."
)


def check_language_of_parts(page: Page, condition: str) -> list[CheckResult]:
    """3.1.2 Language of Parts: Latin-script text in an Urdu (or other non-Latin) element ("language-of-parts"),
    and dates naming the month in English in another language ("language-of-dates")."""
    data = measure(page, "languages", arg={"properNames": PROPER_NAMES})
    text = CheckResult("language-of-parts", condition, (sc.LANGUAGE_OF_PARTS,))
    for item in data["latin"]:
        message = f"“{item['text']}” is not in {item['lang']}, and no lang attribute says so"
        text.findings.append(Finding(sc.LANGUAGE_OF_PARTS, message, LANGUAGE_FIX, item["selector"], item["box"]))
    dates = CheckResult("language-of-dates", condition, (sc.LANGUAGE_OF_PARTS,), stats={"dates": len(data["times"])})
    for item in data["times"]:
        month = _english_month_in(item["text"], item["lang"])
        if month:
            message = f"the date “{item['text']}” names the month in English (“{month}”) in lang={item['lang']}"
            dates.findings.append(Finding(sc.LANGUAGE_OF_PARTS, message, LANGUAGE_FIX, item["selector"], item["box"]))
    return [text, dates]


def _english_month_in(text: str, lang: str) -> str:
    """An English month name in `text` that is not also that month's name in `lang` ("" if none)."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_month_names

    try:
        local = get_month_names("wide", locale=Locale.parse(lang.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return ""
    for number, name in get_month_names("wide", locale="en").items():
        if name in text and local[number] != name:
            return str(name)
    return ""
