"""The police forces of the UK (`content/forces.yaml`): the toolkit makes posters for each, and the
figures count campaign tags by them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from web.content.names import SLUG

NATIONS = ("england", "wales", "scotland", "northern-ireland")


@dataclass(frozen=True)
class Force:
    slug: str
    name: str
    nation: str
    name_cy: str | None = None

    def name_in(self, lang: str) -> str:
        return self.name_cy if lang == "cy" and self.name_cy else self.name


class ForcesFileError(ValueError):
    """content/forces.yaml is not as documented at its top."""


@cache
def load_forces(path: Path) -> dict[str, Force]:
    """Every force in the file, by slug, in the file's order."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    forces: dict[str, Force] = {}
    for entry in entries:
        try:
            force = Force(**entry)
        except TypeError as error:
            raise ForcesFileError(f"{path}: {entry!r}: {error}") from None
        if not SLUG.match(force.slug) or force.slug in forces:
            raise ForcesFileError(f"{path}: {force.slug!r} is not a new slug of lower-case words joined by hyphens")
        if force.nation not in NATIONS:
            raise ForcesFileError(f"{path}: {force.slug} has an unknown nation {force.nation!r}")
        forces[force.slug] = force
    return forces
