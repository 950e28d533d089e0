"""Limits shared by every worker and server: recent sends, by a keyed hash of the client (ADR 14).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "limit_hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("limiter", sa.String(32), nullable=False),
        sa.Column("client", sa.LargeBinary(16), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("limit_hits_client", "limit_hits", ["limiter", "client", "at"])
    op.create_index("limit_hits_at", "limit_hits", ["limiter", "at"])


def downgrade() -> None:
    op.drop_table("limit_hits")
