"""Where the person of concern lives, as a police force area: the question's choices, grouped by nation, and
their names (ADR 21).

The sender chooses a place, not a police force: each force's area is named as people know it ("Avon and
Somerset", "Gwent", "Scotland"), in Welsh for the Welsh forces on the Welsh pages. The answer is a slug of
content/forces.yaml, UNKNOWN or OUTSIDE_UK; it routes the concern to that area's officers, and the national
triage team sees UNKNOWN and OUTSIDE_UK. Pure code: the forces file is read once, from the content folder
beside the code (a fact of the service, not a setting).
"""

from __future__ import annotations

from pathlib import Path

from web.content.forces import NATIONS, Force, load_forces
from web.shell.i18n import N_

FORCES_FILE = Path(__file__).resolve().parents[2] / "content" / "forces.yaml"
UNKNOWN = "unknown"
OUTSIDE_UK = "outside-uk"
NOT_A_PLACE = ((UNKNOWN, N_("I don’t know")), (OUTSIDE_UK, N_("Outside the UK")))
NATION_NAMES = {
    "england": N_("England"),
    "wales": N_("Wales"),
    "scotland": N_("Scotland"),
    "northern-ireland": N_("Northern Ireland"),
}
# Areas whose force's name does not say the place as people say it.
PLACES = {
    "metropolitan": N_("London (not the City of London)"),
    "police-scotland": N_("Scotland"),
    "psni": N_("Northern Ireland"),
}
FORCE_WORDS = (" Police Service", " Constabulary", " Police")


def forces() -> dict[str, Force]:
    return load_forces(FORCES_FILE)


def place_of(force: Force, lang: str = "en") -> str:
    """The force's area as a place: "Avon and Somerset Police" is "Avon and Somerset"; on Welsh pages a Welsh
    force's Welsh name without "Heddlu" ("Gogledd Cymru")."""
    if lang == "cy" and force.name_cy:
        return force.name_cy.removeprefix("Heddlu ")
    if force.slug in PLACES:
        return PLACES[force.slug]
    for word in FORCE_WORDS:
        if force.name.endswith(word):
            return force.name.removesuffix(word)
    return force.name


def area_slugs() -> tuple[str, ...]:
    """Every answer the question takes: the forces' slugs, then UNKNOWN and OUTSIDE_UK."""
    return (*forces(), *(value for value, _ in NOT_A_PLACE))


def groups(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The choices by nation, places in alphabetical order: (the nation's name, to translate; [(slug, place)])."""
    by_nation: dict[str, list[tuple[str, str]]] = {nation: [] for nation in NATIONS}
    for force in forces().values():
        by_nation[force.nation].append((force.slug, place_of(force, lang)))
    return [(NATION_NAMES[nation], sorted(places, key=lambda item: item[1])) for nation, places in by_nation.items()]


def area_name(slug: str, lang: str = "en") -> str:
    """A stored area as words: its place, or the English of UNKNOWN or OUTSIDE_UK (to translate), or the slug
    itself for a force no longer in the file."""
    force = forces().get(slug)
    if force is not None:
        return place_of(force, lang)
    return dict(NOT_A_PLACE).get(slug, slug)
