"""Every page, in every state, the browser checks visit: one list, so a new state is checked everywhere.

`PAGES` parametrizes the checks: `@pytest.mark.parametrize("state", PAGES)`. It holds each sitemap
page and the 404 page. A later state is one more `PageState`: the path to load and, when loading is
not enough, `then`, the steps that bring the page into that state. For example, a form showing its
errors:

    PageState("share-a-concern-errors", "/en/share-a-concern",
              then=lambda page: page.get_by_role("button", name="Continue").click())

The offline page needs the site loaded once and the network cut (`page.context.set_offline(True)`)
before it is loaded again; a console page, a signed-in session first. Both fit `then` or a subclass
that overrides `open`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from _pytest.mark import ParameterSet
from playwright.sync_api import Page, Response, ViewportSize

from audit import conditions
from audit.conditions import Condition
from testing.sitemap import sitemap_paths_in_process

PHONE = ViewportSize(width=320, height=640)
DESKTOP = ViewportSize(width=1280, height=900)
# Every public page, as the app built here lists them in its sitemap, read once at collection.
SITEMAP_PATHS = sitemap_paths_in_process()
# The launch's pages (web/launch/), not in the sitemap yet: partners, the public figures, the feedback forms.
LAUNCH_PATHS = [
    "/en/partners",
    "/cy/partners",
    "/en/how-this-site-is-measured",
    "/ur/how-this-site-is-measured",
    "/en/what-did-you-think",
    "/ur/what-did-you-think",
    "/en/partners/feedback",
]
# Pages that are not in the sitemap but that readers see all the same.
EXTRA_PATHS = ["/", "/en/this-page-does-not-exist", *LAUNCH_PATHS]


@dataclass(frozen=True)
class PageState:
    id: str
    path: str
    status: int = 200
    then: Callable[[Page], object] | None = None  # steps after loading that bring the page into this state

    def open(self, page: Page, base_url: str, condition: Condition = conditions.DESKTOP) -> Response | None:
        """Load the page in `condition` and bring it into this state."""
        response = condition.open(page, base_url + self.path)
        status = response.status if response else None
        assert status == self.status, f"{self.path} answered {status}, not {self.status}"
        if self.then:
            self.then(page)
        return response


NOT_FOUND = PageState("not-found", "/en/this-page-does-not-exist", status=404)
# Pages kept out of the sitemap (robots: noindex) that readers see all the same: the forms' first pages,
# with the notice they show without JavaScript (ADR 10).
FORM_STATES = [
    PageState(path, path) for path in ("/en/share-a-concern", "/en/share-a-concern/questions", "/cy/share-a-concern")
]
# The launch's pages, and its figures page with a date it cannot read. Their states after a send (a POST)
# are checked in test_launch.py: a `then` that posts loads a new page, with scripts on, in NO_JAVASCRIPT.
LAUNCH_STATES = [PageState(path, path) for path in LAUNCH_PATHS] + [
    PageState("measured-errors", "/en/how-this-site-is-measured?from=2026-02-30", status=400)
]
PAGE_STATES = [PageState(path, path) for path in SITEMAP_PATHS] + FORM_STATES + LAUNCH_STATES + [NOT_FOUND]
PAGES: list[ParameterSet] = [pytest.param(state, id=state.id) for state in PAGE_STATES]


Marks = Callable[[PageState, Condition], list[pytest.MarkDecorator]]


def pages_with(conditions: list[Condition], marks: Marks | None = None) -> list[ParameterSet]:
    """PAGES for each condition, as ("state", "condition") parameters with ids like "/en/faq-phone-320".

    `marks(state, condition)` gives the marks of one parameter: a known bug's strict xfail, say.
    """
    return [
        pytest.param(
            state, condition, id=f"{state.id}-{condition.name}", marks=marks(state, condition) if marks else ()
        )
        for state in PAGE_STATES
        for condition in conditions
    ]
