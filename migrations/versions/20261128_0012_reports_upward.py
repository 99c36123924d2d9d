"""Reports upward: where an organization reports to, the copies of what it sent, and
e-mail with an HTML body and attached files.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_report",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sent_to", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("sent_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("email_message_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("csv", sa.Text(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_sent_report_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_report")),
    )
    with op.batch_alter_table("sent_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sent_report_organization_id"), ["organization_id"], unique=False
        )

    with op.batch_alter_table("email_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("html_body", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]")
        )

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reports_to", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("reports_to")

    with op.batch_alter_table("email_message", schema=None) as batch_op:
        batch_op.drop_column("attachments")
        batch_op.drop_column("html_body")

    with op.batch_alter_table("sent_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_report_organization_id"))

    op.drop_table("sent_report")
