"""metrics store

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("metric_chunk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counts", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_metric_chunk_metric_day", ["metric", "day"], unique=False)
    op.create_table(
        "metric_target",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("instance_uuid", sa.String(length=64), nullable=True),
        sa.Column("hostname", sa.String(length=255), nullable=True),
        sa.Column("server_id", sa.String(length=64), nullable=True),
        sa.Column("joined_by", sa.String(length=16), nullable=False),
        sa.Column("raw_ts", sa.Float(), nullable=True),
        sa.Column("raw_counters", sa.JSON(), nullable=True),
        sa.Column("last_scrape_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_duration_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_metric_target")),
    )
    with op.batch_alter_table("metric_target", schema=None) as batch_op:
        batch_op.create_index("ix_metric_target_target", ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("metric_target", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_target_target")
    op.drop_table("metric_target")
    with op.batch_alter_table("metric_chunk", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_chunk_metric_day")
        batch_op.drop_column("counts")
