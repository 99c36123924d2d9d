"""Joining a coalition through the organization's own approval: an approval request may
belong to a membership instead of a sign-on decision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approval_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("membership_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.alter_column(
            "activity_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True
        )
        batch_op.alter_column(
            "decision_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_approval_request_membership_id_membership"),
            "membership",
            ["membership_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_approval_request_membership_id"), ["membership_id"], unique=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM approval_request WHERE membership_id IS NOT NULL")
    with op.batch_alter_table("approval_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_request_membership_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_approval_request_membership_id_membership"), type_="foreignkey"
        )
        batch_op.drop_column("membership_id")
        batch_op.alter_column(
            "decision_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        )
        batch_op.alter_column(
            "activity_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        )
