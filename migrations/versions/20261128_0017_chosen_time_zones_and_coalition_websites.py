"""A person's time zone stays unset until they choose one (or their browser tells it at
sign-in), so a chosen UTC is told apart from no choice; a coalition has a website.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "time_zone",
            existing_type=sa.String(length=64),
            nullable=True,
            server_default=None,
        )
    # UTC was everyone's default: nobody can be said to have chosen it.
    op.execute("UPDATE user_account SET time_zone = NULL WHERE time_zone = 'UTC'")
    with op.batch_alter_table("coalition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("website", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coalition", schema=None) as batch_op:
        batch_op.drop_column("website")
    op.execute("UPDATE user_account SET time_zone = 'UTC' WHERE time_zone IS NULL")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "time_zone",
            existing_type=sa.String(length=64),
            nullable=False,
            server_default="UTC",
        )
