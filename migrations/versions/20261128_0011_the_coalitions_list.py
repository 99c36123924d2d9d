"""The coalition's list: threads and replies, and the people who stopped its e-mail.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "list_opt_out",
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("coalition_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_list_opt_out_coalition_id_coalition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_list_opt_out_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "coalition_id", name=op.f("pk_list_opt_out")),
    )
    op.create_table(
        "message",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("coalition_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reply_to", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("author_user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_message_coalition_id_coalition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_message_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["reply_to"],
            ["message.id"],
            name=op.f("fk_message_reply_to_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_coalition_id"), ["coalition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_reply_to"), ["reply_to"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_reply_to"))
        batch_op.drop_index(batch_op.f("ix_message_coalition_id"))

    op.drop_table("message")
    op.drop_table("list_opt_out")
