"""Keyboard focus: walk a page with Tab and judge order, visibility, what covers focus, and traps.

`walk_focus` presses Tab through the page once (one key press and one measurement a stop) and keeps
everything the judgements need, so each criterion can be judged, and reported, on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page

from audit import criteria as sc
from audit.browser import measure, script
from audit.results import CheckResult, Finding

FOCUS_CONTRAST = 3.0  # 1.4.11: the indicator against the colours next to it
MAX_INNER_STOPS = 15  # Tab stops inside one element (native media controls have about six)

ORDER_FIX = (
    "Make the source order match the visual order: no positive tabindex, and no CSS that reorders "
    "(order, flex-direction: row-reverse, floats that reverse a row)."
)
REACH_FIX = 'Make it reachable with Tab: a real link or button, or tabindex="0" on a custom control.'
VISIBLE_FIX = (
    "Give it a focus style that shows: GOV.UK's govuk-focused-text (yellow background, black bar) "
    "or govuk-focused-box; never outline: none without a replacement."
)
CONTRAST_FIX = (
    "Make one part of the indicator contrast 3:1 with the colours next to it, as GOV.UK's black "
    "(#0b0c0c) bar does on white and on the yellow focus background."
)
OBSCURED_FIX = (
    "Keep sticky content off focused elements: set scroll-padding-top on the scrolling element "
    "(html, not a descendant) to the sticky content's height, or do not make it sticky at this size."
)
TRAP_FIX = "Let Tab move on: remove the key handler that holds focus, or give the widget a way out and say what it is."


@dataclass
class FocusWalk:
    expected: list[dict[str, Any]]  # the stops Tab should visit, in order
    stops: list[dict[str, Any]]  # what Tab did visit, one measurement each
    left: bool  # focus left the page, or came back round to its first stop
    lines: list[dict[str, Any]] = field(default_factory=list)  # steps against the direction of a line
    edges: list[dict[str, Any]] = field(default_factory=list)  # stops covered at the nearest edge
    trapped_at: dict[str, Any] | None = None  # the stop Tab came back to without leaving the page


def walk_focus(page: Page) -> FocusWalk:
    """Tab from the start of a freshly loaded page until focus leaves it or comes back round."""
    expected = measure(page, "focus_look", "focus_collect")
    # Defined once on the page and called at each stop: half the cost of sending the script each time.
    page.evaluate(f"() => {{ window.__auditProbe = {script('focus_look', 'focus_common', 'focus_probe')}; }}")
    stops: list[dict[str, Any]] = []
    left = False
    trapped_at: dict[str, Any] | None = None
    # Room for controls a script adds after the stops were counted (the offline controls appear once their
    # catalogue has loaded, later on a busy machine): a walk that runs out of presses reads as a trap.
    presses, inner = len(expected) + 10, 0
    while presses > 0:
        presses -= 1
        page.keyboard.press("Tab")
        stop = page.evaluate("window.__auditProbe(null)")
        if stop["index"] == -2 or (stops and stop["index"] == 0 and expected):
            left = True
            break
        if stops and _same(stop, stops[-1]):
            # Tab moved among the element's own controls (a <video>'s play, seek, volume, full screen):
            # the page sees one element throughout. Staying far longer than any such widget is a trap.
            inner, presses = inner + 1, presses + 1
            if inner > MAX_INNER_STOPS:
                trapped_at = stop
                break
            continue
        inner = 0
        if any(_same(stop, s) for s in stops):
            trapped_at = stop  # back on a stop it has visited, without leaving: a trap
            break
        stops.append(stop)
    lines = measure(page, "focus_lines", arg=[s["index"] for s in stops if s["index"] >= 0])
    edges = measure(page, "focus_common", "focus_edges")
    return FocusWalk(expected, stops, left, lines, edges, trapped_at)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["index"] == b["index"] and a["selector"] == b["selector"])


def order_findings(walk: FocusWalk) -> list[Finding]:
    """2.4.3 Focus Order (and 2.1.1 for stops Tab never reaches)."""
    findings = []
    for item in walk.expected:
        if (item["tabindex"] or "0").lstrip("-").isdigit() and int(item["tabindex"] or 0) > 0:
            message = f"tabindex={item['tabindex']} takes “{item['text']}” out of the reading order"
            findings.append(Finding(sc.FOCUS_ORDER, message, ORDER_FIX, item["selector"]))
    reached = [s["index"] for s in walk.stops if s["index"] >= 0]
    for previous, stop in zip(walk.stops, walk.stops[1:], strict=False):
        if 0 <= stop["index"] < previous["index"]:
            message = f"Tab goes back from “{previous['text']}” to “{stop['text']}”"
            findings.append(Finding(sc.FOCUS_ORDER, message, ORDER_FIX, stop["selector"], stop["box"], focused=True))
    for step in walk.lines:
        against = f"against the {step['direction']} reading order"
        message = f"on one line, Tab goes from “{step['from']}” to “{step['to']}”, {against}"
        findings.append(Finding(sc.FOCUS_ORDER, message, ORDER_FIX, step["selector"], step["box"], focused=True))
    for stop in walk.stops:
        if stop["index"] == -1:
            message = f"Tab stops on an element that is not a link, control or tabindex=0: “{stop['text']}”"
            findings.append(Finding(sc.FOCUS_ORDER, message, ORDER_FIX, stop["selector"], stop["box"], "review"))
    if walk.left:  # with a trap, the trap is the finding
        for index, item in enumerate(walk.expected):
            if index not in reached:
                message = f"Tab never reaches “{item['text']}”"
                findings.append(Finding(sc.KEYBOARD, message, REACH_FIX, item["selector"]))
    return findings


def visible_findings(walk: FocusWalk) -> list[Finding]:
    """2.4.7 Focus Visible: the look changes on focus; 1.4.11: some part of the change contrasts 3:1."""
    findings = []
    for stop in walk.stops:
        if stop["index"] < 0:
            continue
        name, where, box = stop["text"], stop["selector"], stop["box"]
        if stop["hidden"]:
            findings.append(Finding(sc.FOCUS_VISIBLE, f"“{name}” stays hidden when focused", VISIBLE_FIX, where, box))
        elif not stop["changed"]:
            message = f"“{name}” looks the same focused and unfocused"
            findings.append(Finding(sc.FOCUS_VISIBLE, message, VISIBLE_FIX, where, box, focused=True))
        elif not any(part["ratio"] >= FOCUS_CONTRAST for part in stop["indicators"]):
            parts = ", ".join(f"{p['kind']} {p['colour']} {p['ratio']:.2f}:1" for p in stop["indicators"])
            changes = parts or "only " + ", ".join(stop["changed"]) + " changes"
            message = f"the focus indicator of “{name}” contrasts less than {FOCUS_CONTRAST}:1 ({changes})"
            findings.append(Finding(sc.NON_TEXT_CONTRAST, message, CONTRAST_FIX, where, box, focused=True))
    return findings


def obscured_findings(walk: FocusWalk) -> list[Finding]:
    """2.4.11 Focus Not Obscured (Minimum): no focused element is entirely covered; 2.4.12 partly, for review."""
    findings = []
    places = [(s, "after Tab in Chromium") for s in walk.stops if s["index"] >= 0 and not s["hidden"]]
    places += [(e, "scrolled to the nearest edge, as Firefox and Safari do on Shift+Tab") for e in walk.edges]
    for stop, how in places:
        cover = stop["cover"]
        if not cover["points"] or cover["visible"] == cover["points"]:
            continue
        by = ", ".join(cover["by"]) or "the edge of the window"
        if cover["visible"] == 0:
            message = f"“{stop['text']}” is entirely hidden by {by} when focused ({how})"
            findings.append(Finding(sc.FOCUS_NOT_OBSCURED, message, OBSCURED_FIX, stop["selector"], stop["box"]))
        else:
            message = f"“{stop['text']}” is partly hidden by {by} when focused ({how})"
            criterion = sc.FOCUS_NOT_OBSCURED_ENHANCED
            findings.append(Finding(criterion, message, OBSCURED_FIX, stop["selector"], stop["box"], "review"))
    return findings


def trap_findings(walk: FocusWalk) -> list[Finding]:
    """2.1.2 No Keyboard Trap: pressing Tab eventually takes focus out of the page or round to its start."""
    if walk.left:
        return []
    last = walk.stops[-3:]
    held = ", ".join(f"“{s['text']}”" for s in last)
    back = walk.trapped_at or {}
    where = back.get("selector") or (last[-1]["selector"] if last else "")
    again = f", then back to “{back['text']}”" if back else ""
    message = f"Tab goes to {held}{again}, and never leaves the page"
    return [Finding(sc.NO_KEYBOARD_TRAP, message, TRAP_FIX, where, back.get("box"))]


def check_focus(page: Page, condition: str) -> list[CheckResult]:
    """Every keyboard judgement from one walk, one result per criterion group."""
    walk = walk_focus(page)
    stats = {"stops": len(walk.expected), "visited": len(walk.stops)}
    return [
        CheckResult("focus-order", condition, (sc.FOCUS_ORDER, sc.KEYBOARD), order_findings(walk), stats),
        CheckResult("focus-visible", condition, (sc.FOCUS_VISIBLE, sc.NON_TEXT_CONTRAST), visible_findings(walk)),
        CheckResult("focus-not-obscured", condition, (sc.FOCUS_NOT_OBSCURED,), obscured_findings(walk)),
        CheckResult("keyboard-trap", condition, (sc.NO_KEYBOARD_TRAP,), trap_findings(walk)),
    ]
