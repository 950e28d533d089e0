"""The audit log read by kind and by actor, a page at a time; code secrets in clear refused from here on.

The indexes serve the admins' audit page (what was written before anyone signed in, kept apart from what
officers did, and one officer's entries). This is also the point after which the console refuses a TOTP
secret stored in clear instead of sealing it: it seals those it finds once, as it brings the database here
(web/console/app.py, web/storage/officers.py: SEALED_FOR_GOOD), so a secret written in clear later, by
anyone with write access to the database, signs nobody in.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("audit_log_action", "audit_log", ["action", "id"])
    op.create_index("audit_log_actor", "audit_log", ["actor", "id"])


def downgrade() -> None:
    op.drop_index("audit_log_actor", "audit_log")
    op.drop_index("audit_log_action", "audit_log")
