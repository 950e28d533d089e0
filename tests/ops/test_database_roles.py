"""The public site's own PostgreSQL role (web/ops/database_roles.py, docs/database-roles.md), on a real server:
the site works on it (pages, a concern, figures, feedback, its limits) and the console's tables are refused.
Issue 15, item 2: with write access to the database a compromised public server could plant a session or an
officer; on this role PostgreSQL refuses it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from starlette.testclient import TestClient

from testing.console import add, sign_in
from testing.forms import ARRIVE, form_token, sent_reference, submit_concern
from testing.postgres import new_database
from testing.settings import settings_in
from web.app import create_app
from web.clock import utc_today
from web.console.app import create_console_app
from web.ops.database_roles import RoleError, grant_public_role, public_role_sql
from web.shell.site import site_of_app
from web.storage import create_database_engine
from web.storage.figures import counts_between
from web.storage.migrate import migrate

ROLE = "act_early_public"
SAME_ORIGIN = {**ARRIVE, "sec-fetch-site": "same-origin"}
REFUSED = [
    "SELECT * FROM officers",
    "SELECT password_hash FROM officers",
    "INSERT INTO officers (username, password_hash, totp_secret, role) VALUES ('mallory', 'x', 'ABC', 'admin')",
    "UPDATE officers SET totp_secret = 'ABC'",
    "SELECT * FROM sessions",
    "INSERT INTO sessions (token_hash, officer_id, csrf_token, created_at, last_seen_at)"
    " VALUES ('x', 1, 'x', now(), now())",
    "SELECT * FROM audit_log",
    "INSERT INTO audit_log (at, actor, action) VALUES (now(), 'x', 'x')",
    "SELECT sealed FROM concerns",
    "UPDATE concerns SET status = 'closed'",
    "DELETE FROM concerns",
    "SELECT * FROM feedback_comments",
    "DELETE FROM figures",
    "UPDATE alembic_version SET version_num = '0001'",
    "CREATE TABLE planted (id integer)",
]


@pytest.fixture
def owner_url(postgres: str | None) -> str:
    if postgres is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run installs it (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql); CI runs these")
    return new_database(postgres)


@pytest.fixture
def public_url(owner_url: str) -> Iterator[str]:
    """The database migrated by its owner, with the public role granted: the site's URL on that role."""
    owner = create_database_engine(owner_url)
    try:
        migrate(owner)
        grant_public_role(owner, ROLE)
    finally:
        owner.dispose()
    yield make_url(owner_url).set(username=ROLE).render_as_string(hide_password=False)


def refused(engine: Engine, statement: str) -> bool:
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    except (ProgrammingError, DBAPIError) as error:
        return "permission denied" in str(error) or "row-level security" in str(error)
    return False


def test_the_public_site_works_on_its_own_role(public_url: str, owner_url: str, tmp_path: Path) -> None:
    settings = settings_in(tmp_path, database_url=public_url)
    with TestClient(create_app(settings)) as site:
        assert site.get("/en/signs-to-spot", headers=ARRIVE).status_code == 200
        assert site.get("/healthz").status_code == 200
        reference = sent_reference(submit_concern(site, "MARKER-ROLE"))
        feedback = {"token": form_token(site.get("/en/faq")), "page": "faq", "useful": "no", "comment": "MARKER"}
        assert site.post("/en/feedback", data=feedback, headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
        made = site_of_app(site.app)
        assert made.figure_counter is not None and made.figure_counter.flush(made.engine)
        engine = made.engine
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == ROLE
        for statement in REFUSED:
            assert refused(engine, statement), statement
        assert refused(engine, "INSERT INTO limit_hits (limiter, client, at) VALUES ('sign-in', 'x', 0)")
        with engine.connect() as connection:
            seen = connection.execute(text("SELECT count(*) FROM limit_hits WHERE limiter = 'sign-in'")).scalar()
        assert seen == 0
    owner_settings = settings_in(tmp_path, database_url=owner_url)
    with TestClient(create_console_app(owner_settings), base_url="https://console.test") as console:
        sign_in(console, "olive", add(console, "olive", "officer"))
        assert "MARKER-ROLE" in console.get(f"/concerns/{reference}").text
        owner = create_database_engine(owner_url)
        try:
            figures = counts_between(owner, utc_today(), utc_today())
        finally:
            owner.dispose()
    assert {figure.metric for figure in figures} >= {"view", "useful-no"}


def test_the_role_is_made_again_from_nothing_and_keeps_out_what_it_was_given_before(
    public_url: str, owner_url: str
) -> None:
    owner = create_database_engine(owner_url)
    try:
        with owner.begin() as connection:
            connection.execute(text(f"GRANT SELECT ON officers TO {ROLE}"))
        grant_public_role(owner, ROLE, password="pass'word%s")
    finally:
        owner.dispose()
    public = create_database_engine(public_url)
    try:
        assert refused(public, "SELECT * FROM officers"), "a grant made by hand is taken back"
    finally:
        public.dispose()


def test_a_role_name_that_would_need_quoting_is_refused() -> None:
    for name in ("Public", "act-early", "x; DROP TABLE officers", "1st", "a" * 64, ""):
        with pytest.raises(RoleError):
            public_role_sql(name)
