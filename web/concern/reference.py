"""How the confirmation page gives a reference to a screen reader: one character at a time.

Speech engines read "C2D4-F7H9" as they would a word or a number, and drop the hyphen. Spaced out, with a
comma between the groups ("C 2 D 4, F 7 H 9"), every engine reads each character and pauses between the
groups, so it can be written down by ear. The page shows the grouped form and hides it from screen readers,
which read this one instead (a11y_tests/test_concern_journeys.py).
"""

from __future__ import annotations


def spoken(reference: str) -> str:
    """`reference` as a screen reader should read it: its characters spaced, its groups parted by commas."""
    groups = [group for group in reference.split("-") if group]
    return ", ".join(" ".join(group) for group in groups)
