"""WCAG 2.2 success criteria, so every check and every failure names the one it covers."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNDERSTANDING = "https://www.w3.org/WAI/WCAG22/Understanding/"


@dataclass(frozen=True)
class Criterion:
    number: str  # "1.4.10"; "best-practice" for axe rules outside WCAG
    name: str
    level: str  # "A", "AA", "AAA", or "" outside WCAG

    @property
    def label(self) -> str:
        """ "1.4.10 Reflow (AA)", as reports and test ids show it."""
        level = f" ({self.level})" if self.level else ""
        number = f"{self.number} " if self.number[0].isdigit() else ""
        return f"{number}{self.name}{level}"

    @property
    def url(self) -> str:
        if not self.number[0].isdigit():
            return "https://dequeuniversity.com/rules/axe/"
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return f"{UNDERSTANDING}{slug}.html"


_TABLE = """
1.1.1 Non-text Content A|1.2.1 Audio-only and Video-only (Prerecorded) A|1.2.2 Captions (Prerecorded) A
1.2.3 Audio Description or Media Alternative (Prerecorded) A|1.2.4 Captions (Live) AA
1.2.5 Audio Description (Prerecorded) AA|1.3.1 Info and Relationships A|1.3.2 Meaningful Sequence A
1.3.3 Sensory Characteristics A|1.3.4 Orientation AA|1.3.5 Identify Input Purpose AA|1.4.1 Use of Color A
1.4.2 Audio Control A|1.4.3 Contrast (Minimum) AA|1.4.4 Resize Text AA|1.4.5 Images of Text AA
1.4.6 Contrast (Enhanced) AAA|1.4.10 Reflow AA|1.4.11 Non-text Contrast AA|1.4.12 Text Spacing AA
1.4.13 Content on Hover or Focus AA|2.1.1 Keyboard A|2.1.2 No Keyboard Trap A|2.1.4 Character Key Shortcuts A
2.2.1 Timing Adjustable A|2.2.2 Pause, Stop, Hide A|2.3.1 Three Flashes or Below Threshold A
2.3.3 Animation from Interactions AAA|2.4.1 Bypass Blocks A
2.4.2 Page Titled A|2.4.3 Focus Order A|2.4.4 Link Purpose (In Context) A|2.4.5 Multiple Ways AA
2.4.6 Headings and Labels AA|2.4.7 Focus Visible AA|2.4.11 Focus Not Obscured (Minimum) AA
2.4.12 Focus Not Obscured (Enhanced) AAA|2.4.13 Focus Appearance AAA|2.5.1 Pointer Gestures A
2.5.2 Pointer Cancellation A|2.5.3 Label in Name A|2.5.4 Motion Actuation A|2.5.5 Target Size (Enhanced) AAA
2.5.7 Dragging Movements AA|2.5.8 Target Size (Minimum) AA|3.1.1 Language of Page A|3.1.2 Language of Parts AA
3.2.1 On Focus A|3.2.2 On Input A|3.2.3 Consistent Navigation AA|3.2.4 Consistent Identification AA
3.2.6 Consistent Help A|3.3.1 Error Identification A|3.3.2 Labels or Instructions A|3.3.3 Error Suggestion AA
3.3.4 Error Prevention (Legal, Financial, Data) AA|3.3.7 Redundant Entry A
3.3.8 Accessible Authentication (Minimum) AA|4.1.1 Parsing A|4.1.2 Name, Role, Value A|4.1.3 Status Messages AA
"""

CRITERIA: dict[str, Criterion] = {}
for _entry in _TABLE.replace("\n", "|").split("|"):
    if _entry.strip():
        _number, _rest = _entry.strip().split(" ", 1)
        _name, _level = _rest.rsplit(" ", 1)
        CRITERIA[_number] = Criterion(_number, _name, _level)

BEST_PRACTICE = Criterion("best-practice", "Best practice (axe, outside WCAG)", "")


def criterion(number: str) -> Criterion:
    return CRITERIA[number]


def from_axe_tags(tags: list[str]) -> Criterion:
    """The criterion an axe rule covers, from its tags ("wcag1410" -> 1.4.10)."""
    for tag in tags:
        match = re.fullmatch(r"wcag(\d)(\d)(\d+)", tag)
        if match and ".".join(match.groups()) in CRITERIA:
            return CRITERIA[".".join(match.groups())]
    return BEST_PRACTICE


NON_TEXT_CONTENT = criterion("1.1.1")
MEANINGFUL_SEQUENCE = criterion("1.3.2")
CONTRAST_ENHANCED = criterion("1.4.6")
PAUSE_STOP_HIDE = criterion("2.2.2")
ANIMATION_FROM_INTERACTIONS = criterion("2.3.3")
REFLOW = criterion("1.4.10")
NON_TEXT_CONTRAST = criterion("1.4.11")
TEXT_SPACING = criterion("1.4.12")
KEYBOARD = criterion("2.1.1")
NO_KEYBOARD_TRAP = criterion("2.1.2")
FOCUS_ORDER = criterion("2.4.3")
FOCUS_VISIBLE = criterion("2.4.7")
FOCUS_NOT_OBSCURED = criterion("2.4.11")
FOCUS_NOT_OBSCURED_ENHANCED = criterion("2.4.12")
TARGET_SIZE_ENHANCED = criterion("2.5.5")
TARGET_SIZE = criterion("2.5.8")
LANGUAGE_OF_PARTS = criterion("3.1.2")
PARSING = criterion("4.1.1")
