"""The event log in commit order: each event carries its writing transaction's id and a
position, and followers read in (txid, position) order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("txid", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("position", sa.BigInteger(), nullable=True))
    # Events written so far keep the order of their ids.
    op.execute(
        "UPDATE event SET txid = 0, position = ranked.n FROM "
        "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM event) AS ranked "
        "WHERE event.id = ranked.id"
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column("txid", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("position", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index("ix_event_txid_position", ["txid", "position"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE event_position_seq")
        op.execute(
            "SELECT setval('event_position_seq', COALESCE((SELECT MAX(position) FROM event), 0) + 1, false)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE event_position_seq")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_txid_position")
        batch_op.drop_column("position")
        batch_op.drop_column("txid")
