"""People arrive by e-mail: single-use links (invitations, password resets, sign-ups), link
requests for throttling, a session version per person (sign out everywhere) and
their time zone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 02:45:43.279153
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_request")),
    )
    with op.batch_alter_table("link_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_request_address"), ["address"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_link_request_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_link_request_email"), ["email"], unique=False)

    op.create_table(
        "account_link",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("coalition_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("invited_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_account_link_coalition_id_coalition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_account_link_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_link_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_link_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "time_zone",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                server_default="UTC",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
        batch_op.drop_column("session_version")

    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_user_id"))

    op.drop_table("account_link")
    with op.batch_alter_table("link_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_request_email"))
        batch_op.drop_index(batch_op.f("ix_link_request_created_at"))
        batch_op.drop_index(batch_op.f("ix_link_request_address"))

    op.drop_table("link_request")
