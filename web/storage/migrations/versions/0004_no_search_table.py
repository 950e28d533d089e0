"""Search is an index in memory now (ADR 13): the search table the site used to rebuild at each start goes.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_pages")


def downgrade() -> None:
    pass  # the old code rebuilt the table itself at start-up
