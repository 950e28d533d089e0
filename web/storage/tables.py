"""The database tables. Changes to them go through an Alembic migration in storage/migrations/."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row a concern or call-back request. Everything a person wrote is in `sealed` (a PyNaCl sealed
# box for the officers' key); only what is needed for counting is in clear.
concerns = Table(
    "concerns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("route", String(16), nullable=False),  # "form" or "callback"
    Column("received_on", Date, nullable=False),
    Column("heard_about", String(32)),
    Column("language", String(8), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False, server_default="new"),
    Column("note_sealed", LargeBinary),
    Column("closed_on", Date),
    # The console's work on it (migration 0007): who has it, when its status last changed, how it closed,
    # and when it was handed over; who to and their reference are sealed like the note.
    Column("assigned_to", Integer),  # an officer's id
    Column("status_changed_at", DateTime),
    Column("outcome", String(32)),
    Column("handed_over_on", Date),
    Column("handover_sealed", LargeBinary),
    # The police force area the person lives in (migration 0008, ADR 21): a slug of content/forces.yaml,
    # "unknown" or "outside-uk"; routing metadata in clear like route and language, sealed in the body too.
    Column("area", String(40), nullable=False, server_default="unknown"),
    Index("concerns_queue", "status", "received_on", "language", "route"),  # counts the queue's matches
    Index("concerns_received", "received_on", "id"),
    Index("concerns_area", "area", "status", "received_on"),  # one area's queue
)

officers = Table(
    "officers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("totp_secret", String(200), nullable=False),  # sealed with a key from the officers' private key
    Column("role", String(16), nullable=False),  # officer, comms or admin
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime),
    Column("last_totp_step", Integer, nullable=False, server_default="0"),
)

# The areas an officer works in (migration 0008, ADR 21): force slugs, or "national" for the national triage
# team, which sees every area and the unknown and outside-the-UK queue.
officer_areas = Table(
    "officer_areas",
    metadata,
    Column("officer_id", Integer, primary_key=True),
    Column("area", String(40), primary_key=True),
)

# Console sessions: the cookie holds a random token; the table holds only its hash.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("officer_id", Integer, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
)

# Append-only: the migration adds triggers that refuse UPDATE and DELETE.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("reference", String(16)),
    Column("detail", Text),
)

# A count: the UTC day, what was counted and of what. Keys come from fixed lists or the site's own pages.
figures = Table(
    "figures",
    metadata,
    Column("day", Date, primary_key=True),
    Column("metric", String(32), primary_key=True),
    Column("key", String(120), primary_key=True),
    Column("count", Integer, nullable=False),
)

# What a reader wrote under "Is this page useful?", with personal details already removed.
# The day, never the time: nothing links a comment to a visit.
feedback_comments = Table(
    "feedback_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("received_on", Date, nullable=False),
    Column("language", String(8), nullable=False),
    Column("page", String(120), nullable=False),
    Column("useful", Boolean, nullable=False),
    Column("comment", Text, nullable=False),
)

# Sends counted against a limit (web/http/limits.py), shared by every worker and server: which limit, the
# client as a keyed hash whose key changes every window (never its address), and when (seconds since the
# epoch). A row is deleted once it is a window (an hour) old; never in a backup.
limit_hits = Table(
    "limit_hits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("limiter", String(32), nullable=False),
    Column("client", LargeBinary(16), nullable=False),
    Column("at", Float, nullable=False),
    Index("limit_hits_client", "limiter", "client", "at"),
    Index("limit_hits_at", "limiter", "at"),
)
