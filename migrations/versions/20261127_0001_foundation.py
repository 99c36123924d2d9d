"""Foundation: accounts and tokens, organizations, issue areas, positions, research, idempotency.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 19:43:00.329613
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "idempotency_record",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("response_headers", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_idempotency_record_scope")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "issue_area",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_area")),
        sa.UniqueConstraint("name", name=op.f("uq_issue_area_name")),
    )
    op.create_table(
        "login_failure",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failure_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_login_failure_email"), ["email"], unique=False)

    op.create_table(
        "organization",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("volunteer_count", sa.Integer(), nullable=False),
        sa.Column("expertise", sa.JSON(), nullable=False),
        sa.Column("communities", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("is_platform_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "organization_user",
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_user_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_organization_user_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "user_id", name=op.f("pk_organization_user")),
    )
    with op.batch_alter_table("organization_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_user_user_id"), ["user_id"], unique=False)

    op.create_table(
        "position",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("issue_area_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("stance", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("statement", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("limitations", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["issue_area_id"], ["issue_area.id"], name=op.f("fk_position_issue_area_id_issue_area")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_position_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position")),
        sa.UniqueConstraint(
            "organization_id", "issue_area_id", name=op.f("uq_position_organization_id")
        ),
    )
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_position_issue_area_id"), ["issue_area_id"], unique=False
        )

    op.create_table(
        "research_note",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "author_organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column(
            "subject_organization_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column("reputable", sa.Boolean(), nullable=True),
        sa.Column("positions_note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column(
            "community_relations", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True
        ),
        sa.Column(
            "policymaker_relations", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True
        ),
        sa.Column("expertise_note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("recommendation", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_organization_id"],
            ["organization.id"],
            name=op.f("fk_research_note_author_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_organization_id"],
            ["organization.id"],
            name=op.f("fk_research_note_subject_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_note")),
    )
    with op.batch_alter_table("research_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_note_author_organization_id"),
            ["author_organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_research_note_subject_organization_id"),
            ["subject_organization_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("research_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_note_subject_organization_id"))
        batch_op.drop_index(batch_op.f("ix_research_note_author_organization_id"))

    op.drop_table("research_note")
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_position_issue_area_id"))

    op.drop_table("position")
    with op.batch_alter_table("organization_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_user_user_id"))

    op.drop_table("organization_user")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    op.drop_table("user_account")
    op.drop_table("organization")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_email"))
        batch_op.drop_index(batch_op.f("ix_login_failure_created_at"))

    op.drop_table("login_failure")
    op.drop_table("issue_area")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))

    op.drop_table("idempotency_record")
