"""The console's work on a concern, and the indexes its paged queue and a concern's history read by.

The queue's index (status, day received, language, route) counts a filtered queue without reading the
concerns themselves; the list reads them newest first by id (web/storage/queue.py).

Who has a concern (an officer's id), when its status last changed, the outcome it closed with, and the day it
was handed over to another team or service (who to and their reference are sealed, like the note). The
public site's PostgreSQL role is granted none of these columns (web/ops/database_roles.py): it inserts a
concern's first columns only, and these start empty.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = (
    sa.Column("assigned_to", sa.Integer()),
    sa.Column("status_changed_at", sa.DateTime()),
    sa.Column("outcome", sa.String(32)),
    sa.Column("handed_over_on", sa.Date()),
    sa.Column("handover_sealed", sa.LargeBinary()),
)


def upgrade() -> None:
    with op.batch_alter_table("concerns") as batch:
        for column in COLUMNS:
            batch.add_column(column)
    op.drop_index("concerns_status", "concerns")  # on status alone (0001): the queue's index covers it
    op.create_index("concerns_queue", "concerns", ["status", "received_on", "language", "route"])
    op.create_index("concerns_received", "concerns", ["received_on", "id"])
    op.create_index("audit_log_reference", "audit_log", ["reference", "id"])


def downgrade() -> None:
    op.drop_index("audit_log_reference", "audit_log")
    op.drop_index("concerns_received", "concerns")
    op.drop_index("concerns_queue", "concerns")
    op.create_index("concerns_status", "concerns", ["status"])
    with op.batch_alter_table("concerns") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column.name)
