import datetime as dt

import pytest
from starlette.testclient import TestClient

from web.public.support_line import is_open


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        ("2026-01-15T08:59", False),  # winter: UK time is UTC
        ("2026-01-15T09:00", True),
        ("2026-01-15T16:59", True),
        ("2026-01-15T17:00", False),
        ("2026-07-15T08:30", True),  # summer: 9:30 in London
        ("2026-07-15T16:00", False),  # summer: 17:00 in London
        ("2026-07-18T12:00", True),  # Saturday: open every day
    ],
)
def test_the_support_line_is_open_9_to_5_uk_time_every_day(utc: str, expected: bool) -> None:
    assert is_open(dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC)) is expected


def test_the_get_help_page_says_whether_the_line_is_open_and_offers_written_routes(client: TestClient) -> None:
    text = client.get("/en/get-help").text
    assert "The support line is open now." in text or "The support line is closed now." in text
    assert 'href="/en/share-a-concern"' in text
    assert 'href="/en/share-a-concern/callback"' in text
