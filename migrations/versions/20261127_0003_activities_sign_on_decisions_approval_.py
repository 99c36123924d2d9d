"""Activities, sign-on decisions and their history, approval processes, requests and steps.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 20:06:45.266125
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "approval_process",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("activity_kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_approval_process_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_process")),
        sa.UniqueConstraint(
            "organization_id", "activity_kind", name=op.f("uq_approval_process_organization_id")
        ),
    )
    with op.batch_alter_table("approval_process", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_process_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "activity",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("coalition_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=True),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("scheduled_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sign_on_deadline", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("issue_area_ids", sa.JSON(), nullable=False),
        sa.Column("collects_signatures", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("opened_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_activity_coalition_id_coalition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_coalition_id"), ["coalition_id"], unique=False
        )

    op.create_table(
        "signon_decision",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("decided_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_signon_decision_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_signon_decision_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signon_decision")),
        sa.UniqueConstraint(
            "activity_id", "organization_id", name=op.f("uq_signon_decision_activity_id")
        ),
    )
    with op.batch_alter_table("signon_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signon_decision_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "approval_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("decision_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_approval_request_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["signon_decision.id"],
            name=op.f("fk_approval_request_decision_id_signon_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_approval_request_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_request")),
    )
    with op.batch_alter_table("approval_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_request_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_approval_request_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "decision_change",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("decision_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("actor_user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["signon_decision.id"],
            name=op.f("fk_decision_change_decision_id_signon_decision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_change")),
    )
    with op.batch_alter_table("decision_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_change_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "approval_step",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("approver_role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("expected_days", sa.Float(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("activated_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("overdue_noticed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_request.id"],
            name=op.f("fk_approval_step_request_id_approval_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_step")),
        sa.UniqueConstraint("request_id", "position", name=op.f("uq_approval_step_request_id")),
    )
    with op.batch_alter_table("approval_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_step_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_approval_step_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_approval_step_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("approval_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_step_status"))
        batch_op.drop_index(batch_op.f("ix_approval_step_request_id"))
        batch_op.drop_index(batch_op.f("ix_approval_step_due_at"))

    op.drop_table("approval_step")
    with op.batch_alter_table("decision_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_change_decision_id"))

    op.drop_table("decision_change")
    with op.batch_alter_table("approval_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_request_organization_id"))
        batch_op.drop_index(batch_op.f("ix_approval_request_activity_id"))

    op.drop_table("approval_request")
    with op.batch_alter_table("signon_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signon_decision_organization_id"))

    op.drop_table("signon_decision")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_coalition_id"))

    op.drop_table("activity")
    with op.batch_alter_table("approval_process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_process_organization_id"))

    op.drop_table("approval_process")
