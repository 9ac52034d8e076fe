"""audit trail trust: event, source host, tool version, intent reference and seal algorithm

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs: recreating audit_log would rewrite the chain's rows.
    op.add_column("audit_log", sa.Column("event", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("source_host", sa.String(length=255), nullable=True))
    op.add_column("audit_log", sa.Column("tool_version", sa.String(length=32), nullable=True))
    op.add_column(
        "audit_log",
        sa.Column("ref", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    )
    op.add_column("audit_log", sa.Column("alg", sa.String(length=16), nullable=True))


def downgrade() -> None:
    for column in ("alg", "ref", "tool_version", "source_host", "event"):
        with op.batch_alter_table("audit_log", schema=None) as batch_op:
            batch_op.drop_column(column)
