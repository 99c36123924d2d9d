"""Guidelines agreed together (how letters are approved, who posts, how members are
informed, when and by which proposal they were agreed), proposals of a kind with their
changes or activity, and the discussion of a proposal.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("coalition", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "activity_approval", String(length=20), nullable=False, server_default="leads"
            )
        )
        batch_op.add_column(
            sa.Column("who_may_post", String(length=20), nullable=False, server_default="members")
        )
        batch_op.add_column(
            sa.Column("how_members_are_informed", String(length=2000), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "guidelines_agreed_at", app.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("guidelines_proposal_id", String(length=40), nullable=True))
    # Until now the convener set the guidelines when it created the coalition.
    op.execute("UPDATE coalition SET guidelines_agreed_at = created_at")

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", String(length=20), nullable=False, server_default="general")
        )
        batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("closing_tally", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("activity_id", String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_proposal_activity_id_activity"),
            "activity",
            ["activity_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_proposal_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "proposal_comment",
        sa.Column("id", String(length=40), nullable=False),
        sa.Column("proposal_id", String(length=40), nullable=False),
        sa.Column("organization_id", String(length=40), nullable=False),
        sa.Column("author_user_id", String(length=40), nullable=True),
        sa.Column("body", String(length=4000), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_proposal_comment_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_comment_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_comment")),
    )
    with op.batch_alter_table("proposal_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_comment_proposal_id"), ["proposal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_comment_proposal_id"))
    op.drop_table("proposal_comment")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_activity_id"))
        batch_op.drop_constraint(batch_op.f("fk_proposal_activity_id_activity"), type_="foreignkey")
        batch_op.drop_column("activity_id")
        batch_op.drop_column("closing_tally")
        batch_op.drop_column("changes")
        batch_op.drop_column("kind")
    with op.batch_alter_table("coalition", schema=None) as batch_op:
        for column in (
            "guidelines_proposal_id",
            "guidelines_agreed_at",
            "how_members_are_informed",
            "who_may_post",
            "activity_approval",
        ):
            batch_op.drop_column(column)
