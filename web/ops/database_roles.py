"""The public site's own PostgreSQL role: it stores concerns, figures, feedback and its limits' counts and
reads only what it serves; the console's tables (officers, sessions, the audit log) are out of its reach.

A compromised public server then cannot read a password hash or a sealed code secret, plant a session or an
officer, nor rewrite the log (issue 15, item 2): PostgreSQL refuses it. What it may touch, column by column:

- concerns: insert a new one (never its status or notes), and read back the reference of one it stored (the
  idempotency key is how a person pressing Send twice gets the same reference); never the sealed answers.
- figures: add to the daily counts (an upsert reads and updates the count of the row it adds to).
- feedback_comments: insert.
- limit_hits: the per-client counts of its own limits (ADR 14); a row-level policy keeps the console's
  sign-in limit apart, so the site can neither read nor clear it.
- alembic_version: read (the site checks at start-up that the database is up to date; the console, which
  owns the tables, migrates it).

The console and the operators' commands (backup, restore, purge, keys, officers) keep using the role that
owns the tables. docs/database-roles.md is the procedure; `grant_public_role` runs it, as the tables' owner
or a superuser, and may run again after any upgrade (each run starts from nothing granted).
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, text

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
CONCERN_COLUMNS = ("reference", "idempotency_key", "route", "received_on", "heard_about", "language", "area", "sealed")
# (table, privileges): column lists where the site needs only some columns. SQLAlchemy's inserts read back
# the new row's id (INSERT … RETURNING id), hence SELECT (id) where the site inserts.
GRANTS = (
    ("concerns", f"INSERT ({', '.join(CONCERN_COLUMNS)}), SELECT (id, reference, idempotency_key)"),
    ("figures", "SELECT, INSERT, UPDATE (count)"),
    ("feedback_comments", "INSERT, SELECT (id)"),
    ("limit_hits", "SELECT, INSERT, DELETE"),
    ("alembic_version", "SELECT"),
)
SEQUENCES = ("concerns", "feedback_comments", "limit_hits")  # their id sequences: USAGE to insert
CONSOLE_LIMITS = ("sign-in",)  # limit_hits rows the site may not see or change (web/console/app.py)


class RoleError(ValueError):
    """A role name PostgreSQL would need quoting for: refused rather than quoted."""


def public_role_sql(role: str) -> list[str]:
    """The statements, in order: the role (made if missing, able to log in), nothing granted on anything,
    then exactly GRANTS. Run by the owner of the tables, on the site's database."""
    if not ROLE_NAME.fullmatch(role):
        raise RoleError(f"{role!r}: a role name is lower-case letters, digits and _, not starting with a digit")
    console_only = ", ".join(f"'{name}'" for name in CONSOLE_LIMITS)
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} LOGIN; END IF; END $$",
        f"ALTER ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS LOGIN",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
        f"REVOKE ALL ON SCHEMA public FROM {role}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",  # PostgreSQL 14 and older let every role make tables
        f"GRANT USAGE ON SCHEMA public TO {role}",
        *(f"GRANT {privileges} ON {table} TO {role}" for table, privileges in GRANTS),
        *(
            f"SELECT format('GRANT USAGE ON SEQUENCE %s TO {role}', pg_get_serial_sequence('{table}', 'id'))"
            for table in SEQUENCES
        ),
        "ALTER TABLE limit_hits ENABLE ROW LEVEL SECURITY",  # the owner (the console) is not held by it
        "DROP POLICY IF EXISTS public_site_limits ON limit_hits",
        f"CREATE POLICY public_site_limits ON limit_hits TO {role} "
        f"USING (limiter NOT IN ({console_only})) WITH CHECK (limiter NOT IN ({console_only}))",
    ]
    return statements


def grant_public_role(engine: Engine, role: str, password: str | None = None) -> None:
    """Make (or remake) the public site's role on `engine`'s database, in one transaction; with `password`,
    set it too (the public servers then connect as `role` with it)."""
    with engine.begin() as connection:
        for statement in public_role_sql(role):
            if statement.startswith("SELECT format("):  # a statement that writes the statement to run
                statement = str(connection.execute(text(statement)).scalar_one())
            connection.execute(text(statement))
        if password is not None:
            _set_password(connection, role, password)


def _set_password(connection: Connection, role: str, password: str) -> None:
    """ALTER ROLE … PASSWORD takes no bound parameter: the driver quotes the password as a literal, on the
    transaction's own connection."""
    from psycopg import Connection as Driver
    from psycopg import sql

    driver = connection.connection.driver_connection
    assert isinstance(driver, Driver), "roles are PostgreSQL's: DATABASE_URL must be postgresql+psycopg://…"
    driver.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
