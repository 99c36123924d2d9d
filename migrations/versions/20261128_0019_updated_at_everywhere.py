"""`updated_at` on the rows that change but had none (approval requests, people's roles,
notifications), so every list can answer `updated_since`.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> when its rows last changed, as far as the columns they have tell
_SINCE = {
    "approval_request": "COALESCE(completed_at, created_at)",
    "organization_user": "created_at",
    "notification": "COALESCE(read_at, created_at)",
}


def upgrade() -> None:
    for table, since in _SINCE.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=True)
            )
        op.execute(f"UPDATE {table} SET updated_at = {since}")  # noqa: S608 (our own names)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "updated_at",
                existing_type=app.models.base.UTCDateTime(timezone=True),
                nullable=False,
            )


def downgrade() -> None:
    for table in reversed(_SINCE):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
