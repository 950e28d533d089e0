"""Every page's footer links to the launch's pages, and an untranslated link's text says it is English."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

ENGLISH = {
    "what-did-you-think": "What did you think of this site?",
    "how-this-site-is-measured": "How this site is measured",
    "partners": "For partners",
}


@pytest.mark.parametrize("path", ["/en/", "/cy/signs-to-spot", "/ur/", "/en/this-page-does-not-exist"])
def test_the_footer_links_to_the_launch_pages_in_the_readers_language(site: TestClient, path: str) -> None:
    lang = path.split("/")[1]
    footer = site.get(path).text.split('<footer class="app-footer">', 1)[1]
    for slug, english in ENGLISH.items():
        link = re.search(rf'<a class="govuk-link" href="/{lang}/{slug}"([^>]*)>([^<]+)</a>', footer)
        assert link is not None, f"{path}: no link to /{lang}/{slug}"
        attributes, text = link.groups()
        untranslated = lang != "en" and text == english
        assert ('lang="en"' in attributes) == untranslated, f"{path}: {text!r} {attributes!r}"
