"""Closing a letter settles the decisions still in approval: their approvals were withdrawn
with the letter, so they read "not decided yet" (pending), as the service now leaves them.
Letters closed before this kept "in approval" beside a withdrawn approval.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Decisions of closed letters whose approval request was withdrawn, moved one way or back.
_SETTLE = """
    UPDATE signon_decision SET status = :to
    WHERE status = :was
      AND activity_id IN (SELECT id FROM activity WHERE status = 'closed')
      AND id IN (SELECT decision_id FROM approval_request
                 WHERE status = 'withdrawn' AND decision_id IS NOT NULL)
"""


def upgrade() -> None:
    op.execute(sa.text(_SETTLE).bindparams(to="pending", was="in_approval"))


def downgrade() -> None:
    op.execute(sa.text(_SETTLE).bindparams(to="in_approval", was="pending"))
