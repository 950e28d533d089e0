"""Routing by area (ADR 21): the area a concern is for, and the areas each officer works in.

`concerns.area` is the police force area the person of concern lives in, as the sender chose it on the form (a
slug of content/forces.yaml), or "unknown" or "outside-uk": routing metadata in clear, like the route and the
language, named in the privacy notice; the answer is sealed with the rest too. Concerns stored before this
migration are "unknown", and so reach the national triage queue. The index counts and lists one area's queue
(status, day) without reading the concerns of other areas.

`officer_areas` holds the areas each officer works in; "national" is the national triage team, which sees
every area and the unknown and outside-the-UK queue and may transfer a concern. Every officer who worked on
concerns before this migration saw all of them, so each is made national here: nothing goes unseen on the day
it is deployed, and administrators narrow them to their areas on the accounts page.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("concerns") as batch:
        batch.add_column(sa.Column("area", sa.String(40), nullable=False, server_default="unknown"))
    op.create_index("concerns_area", "concerns", ["area", "status", "received_on"])
    op.create_table(
        "officer_areas",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("officer_id", "area"),
    )
    op.execute(
        "INSERT INTO officer_areas (officer_id, area) SELECT id, 'national' FROM officers WHERE role = 'officer'"
    )


def downgrade() -> None:
    op.drop_table("officer_areas")
    op.drop_index("concerns_area", "concerns")
    with op.batch_alter_table("concerns") as batch:
        batch.drop_column("area")
