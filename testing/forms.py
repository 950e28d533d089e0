"""The public forms as a browser without JavaScript walks them: tokens, answers, references, and the
request headers a real browser sends (for the figures, which count browsers' page views only)."""

from __future__ import annotations

import re

from httpx2 import Response as TestClientResponse
from starlette.testclient import TestClient

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.0 MARKER-UA"
NAVIGATE = {"user-agent": BROWSER, "sec-fetch-dest": "document", "sec-fetch-mode": "navigate"}
ARRIVE = {**NAVIGATE, "sec-fetch-site": "none"}  # a visit from outside the site
STEP = {**NAVIGATE, "sec-fetch-site": "same-origin"}  # a step from one of the site's pages to another

TOKEN = re.compile(r'name="token" value="([^"]+)"')
PERSON = {"person_name": "Sam", "person_age": "13-17", "relationship": "parent"}
WORRY = {"since_when": "weeks"}


def form_token(response: TestClientResponse) -> str:
    """The form token a page rendered by the app in-process gives its form (from the template's context)."""
    context = getattr(response, "context", {})
    token = context.get("feedback_token") or context.get("token")
    assert isinstance(token, str) and token, f"the page has no form token: {sorted(context)}"
    return token


def token_in(html: str) -> str:
    """The form token in a page's HTML, for pages fetched over HTTP (the benchmarks)."""
    found = TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


REFERENCE = re.compile(r'<strong class="app-reference">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>')


def reference_on(html: str) -> str | None:
    """The reference number a confirmation page shows, or None when the page is not one."""
    found = REFERENCE.search(html)
    return found.group(1) if found else None


def sent_reference(response: TestClientResponse) -> str:
    """The reference number of the concern that Send stored: Send answers with the confirmation page."""
    assert response.status_code == 200, (response.status_code, response.text[:500])
    template, context = getattr(response, "template", None), getattr(response, "context", {})
    assert getattr(template, "name", "") == "concern/sent.html", f"not the confirmation page: {response.text[:500]}"
    reference = context["reference"]
    assert reference_on(response.text) == reference, "the page does not show the reference it was given"
    return str(reference)


def answers_for(marker: str, **extra: str) -> dict[str, str]:
    return {**PERSON, **WORRY, "worries": f"He shares violent videos. {marker}", "heard_about": "poster", **extra}


def submit_concern(client: TestClient, marker: str, *, lang: str = "en", **extra: str) -> TestClientResponse:
    """Walk the online form page by page, as a browser without JavaScript would, and send it."""
    token = form_token(client.get(f"/{lang}/share-a-concern/questions"))
    answers = answers_for(marker, **extra)
    data: dict[str, str] = {"token": token}
    for step, fields in (("danger", {"danger": "no"}), ("person", PERSON), ("worry", {}), ("you", {}), ("heard", {})):
        data.update(fields)
        data.update({key: value for key, value in answers.items() if key not in data})
        response = client.post(f"/{lang}/share-a-concern", data={**data, "step": step})
        assert response.status_code == 200, (step, response.text[:500])
        data["token"] = form_token(response)
    return client.post(f"/{lang}/share-a-concern", data={**data, "step": "check"}, follow_redirects=False)
