"""Interface text: the catalogue template is current and every language translates all of it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from web.shell import catalogues

LANGUAGES = ["cy", "ur"]


def test_the_catalogue_template_has_every_message_in_the_code() -> None:
    current = {message.id for message in catalogues.extract() if message.id}
    with catalogues.TEMPLATE.open("rb") as handle:
        from babel.messages.pofile import read_po

        committed = {message.id for message in read_po(handle) if message.id}
    missing = current - committed
    assert not missing, f"run `python -m web translations update` and translate: {sorted(missing)[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_interface_message_is_translated(lang: str) -> None:
    assert catalogues.untranslated(lang) == []


def test_welsh_pages_use_welsh_interface_text(client: TestClient) -> None:
    response = client.get("/cy/signs-to-spot")
    assert '<html lang="cy" dir="ltr"' in response.text
    assert "Skip to main content" not in response.text
    assert "Exit this page" not in response.text


def test_urdu_pages_are_right_to_left_with_urdu_interface_text(client: TestClient) -> None:
    response = client.get("/ur/")
    assert '<html lang="ur" dir="rtl"' in response.text
    assert "Skip to main content" not in response.text
