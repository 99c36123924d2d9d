"""The event's place in the log on each audience row, indexed by organization: a page of
the log a member may see is read from that index, whatever the log's length.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_audience", schema=None) as batch_op:
        batch_op.add_column(sa.Column("txid", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("position", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE event_audience SET "
        "txid = (SELECT event.txid FROM event WHERE event.id = event_audience.event_id), "
        "position = (SELECT event.position FROM event WHERE event.id = event_audience.event_id)"
    )
    with op.batch_alter_table("event_audience", schema=None) as batch_op:
        batch_op.alter_column("txid", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("position", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index("ix_event_audience_organization_id")
        batch_op.create_index(
            "ix_event_audience_organization_place", ["organization_id", "txid", "position"]
        )


def downgrade() -> None:
    with op.batch_alter_table("event_audience", schema=None) as batch_op:
        batch_op.drop_index("ix_event_audience_organization_place")
        batch_op.create_index("ix_event_audience_organization_id", ["organization_id"])
        batch_op.drop_column("position")
        batch_op.drop_column("txid")
