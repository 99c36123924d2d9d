"""The printable letter: an activity's public title, and on each signature the name and
title of the person who signed it for the organization.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_title", sa.String(length=200), nullable=True))
    with op.batch_alter_table("signon_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signer_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("signer_title", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signon_decision", schema=None) as batch_op:
        batch_op.drop_column("signer_title")
        batch_op.drop_column("signer_name")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_column("public_title")
