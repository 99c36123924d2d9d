"""Proposals, live votes and the vote history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 20:37:11.347014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "proposal",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("coalition_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "proposed_by_organization_id",
            sqlmodel.sql.sqltypes.AutoString(length=40),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=True),
        sa.Column("reason_required", sa.Boolean(), nullable=False),
        sa.Column("closes_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("explanation", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("closed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closing_soon_noticed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_proposal_coalition_id_coalition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_organization_id"],
            ["organization.id"],
            name=op.f("fk_proposal_proposed_by_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposal_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposal_status"), ["status"], unique=False)

    op.create_table(
        "vote",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("proposal_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("choice", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("cast_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("cast_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_vote_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_vote_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote")),
        sa.UniqueConstraint("proposal_id", "organization_id", name=op.f("uq_vote_proposal_id")),
    )
    op.create_table(
        "vote_change",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("proposal_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("from_choice", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("to_choice", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("cast_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_vote_change_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_change")),
    )
    with op.batch_alter_table("vote_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vote_change_proposal_id"), ["proposal_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("vote_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_change_proposal_id"))

    op.drop_table("vote_change")
    op.drop_table("vote")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_status"))
        batch_op.drop_index(batch_op.f("ix_proposal_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_closes_at"))

    op.drop_table("proposal")
