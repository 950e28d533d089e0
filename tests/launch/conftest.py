"""The launch's pages through the app in-process, with a feedback limit of three an hour."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from testing.settings import change_site
from web.app import create_app
from web.http.limits import SubmissionLimiter
from web.settings import Settings


@pytest.fixture
def site(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    change_site(app, feedback_limiter=SubmissionLimiter(3))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
