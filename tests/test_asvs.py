"""Headers, caching, cookies, sessions and CSRF on both apps, against OWASP ASVS 4.0.3 level 2: each item of
testing/asvs.py is one test, its id starting with the requirement number."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest

from testing.access_matrix import served_routes
from testing.asvs import CHECKS, AsvsCheck, Site, route_of


def _params(checks: Iterable[AsvsCheck]) -> list[object]:
    return [pytest.param(check, id=check.id) for check in checks]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = Site(tmp_path_factory.mktemp("asvs"))
    yield built
    built.close()


def test_every_route_is_probed(site: Site) -> None:
    for name, app in (("site", site.app), ("console", site.world.app)):
        hit = {route_of(app, e.method, e.path) for e in site.of(name)}
        assert served_routes(list(app.routes)) - hit == set(), f"{name}: give these routes a request in this module"


@pytest.mark.parametrize("check", _params(CHECKS))
def test_asvs(site: Site, check: AsvsCheck) -> None:
    finding = check.run(site)
    assert finding.checked > 0, "the check looked at nothing"
    assert not finding.problems, "\n".join(finding.problems[:40])
