"""Room for sealed TOTP secrets: the console seals the secrets stored in clear as it starts.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.alter_column("totp_secret", type_=sa.String(200), existing_type=sa.String(64), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.alter_column("totp_secret", type_=sa.String(64), existing_type=sa.String(200), existing_nullable=False)
