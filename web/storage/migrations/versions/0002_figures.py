"""Aggregate figures and page feedback comments for the soft launch.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "figures",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("metric", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "feedback_comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("page", sa.String(120), nullable=False),
        sa.Column("useful", sa.Boolean, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
    )
    op.create_index("feedback_comments_received_on", "feedback_comments", ["received_on"])


def downgrade() -> None:
    op.drop_table("feedback_comments")
    op.drop_table("figures")
