"""Stances: what a coalition or an activity works for or against per issue area, and the
advocacy an organization cannot take on for an issue.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 01:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("coalition", "activity"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("issue_positions", sa.JSON(), nullable=True))
        # Until now every coalition and activity worked for its issue areas.
        bind = op.get_bind()
        rows = bind.execute(sa.text(f"SELECT id, issue_area_ids FROM {table}")).all()  # noqa: S608
        for row_id, area_ids in rows:
            areas = json.loads(area_ids) if isinstance(area_ids, str) else (area_ids or [])
            positions = [{"issue_area_id": a, "stance": "support"} for a in areas]
            bind.execute(
                sa.text(f"UPDATE {table} SET issue_positions = :p WHERE id = :id"),  # noqa: S608
                {"p": json.dumps(positions), "id": row_id},
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("issue_positions", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limited_activity_kinds", sa.JSON(), nullable=True))
    op.execute("UPDATE position SET limited_activity_kinds = '[]'")
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.alter_column("limited_activity_kinds", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_column("limited_activity_kinds")
    for table in ("activity", "coalition"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("issue_positions")
