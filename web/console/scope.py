"""Which concerns an officer sees (ADR 21): those of the areas they work in, or, for the national triage team,
every area with the concerns whose area is unknown or outside the UK. Every page that lists, counts, opens or
changes a concern asks here; a concern out of an officer's areas answers as one that does not exist (a 404),
so guessing references tells nothing, and the attempt is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.exceptions import HTTPException

from web.concern import areas
from web.storage import officers as store
from web.storage import queue

# Why a concern moves to another area's queue: chosen from a list, so the audit log says why without any detail
# of the concern.
TRANSFER_REASONS = {
    "lives-there": "The person lives in that area",
    "moved": "The person has moved to that area",
    "better-placed": "That area's team is better placed (for example, a school or workplace there)",
    "wrong-area": "The sender chose the wrong area",
}


@dataclass(frozen=True)
class Scope:
    areas: frozenset[str]

    @property
    def national(self) -> bool:
        return store.NATIONAL in self.areas

    def sees(self, area: str) -> bool:
        return self.national or area in self.areas

    def queue_areas(self) -> frozenset[str] | None:
        """What the queue is narrowed to: None (every area) for national triage."""
        return None if self.national else self.areas


def scope_of(engine: Engine, officer_id: int) -> Scope:
    return Scope(store.areas_of(engine, officer_id))


def area_choices() -> list[tuple[str, str]]:
    """Every area a concern can be in, by name: the forces' areas, then unknown and outside the UK."""
    return [(slug, area_name(slug)) for slug in areas.area_slugs()]


# How the console names what is not a force's area (the form's "I don't know" is the sender's answer, not
# a place an officer can read a queue by).
CONSOLE_NAMES = {areas.UNKNOWN: "Area not given", areas.OUTSIDE_UK: "Outside the UK"}


def area_name(slug: str) -> str:
    return CONSOLE_NAMES.get(slug) or areas.area_name(slug)


def officer_area_choices() -> list[tuple[str, str]]:
    """What an administrator can give an officer: national triage, then each force's area."""
    return [(store.NATIONAL, "National triage (every area, and concerns whose area is unknown)")] + [
        (slug, area_name(slug)) for slug in areas.forces()
    ]


def check_sees(engine: Engine, officer: store.Officer, reference: str, path: str) -> Scope:
    """The officer's scope, when they see the concern; else a 404, as for a concern that does not exist, with
    the attempt written to the audit log (never what the concern is)."""
    scope, area = scope_of(engine, officer.id), queue.area_of(engine, reference)
    if area is None:
        raise HTTPException(status_code=404)
    if not scope.sees(area):
        store.record(engine, officer.username, "denied", reference, detail=f"not in their areas: {path}")
        raise HTTPException(status_code=404)
    return scope
