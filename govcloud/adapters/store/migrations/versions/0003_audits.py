"""audits: change times, snapshots, pool usage history, unit prices, richer findings

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    for table in ("server", "volume"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_at", _TS, nullable=True))
    op.create_table(
        "snapshot",
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("volume_id", sa.String(length=64), nullable=True),
        sa.Column("size_gib", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", _TS, nullable=True),
        sa.Column("last_seen", _TS, nullable=True),
        sa.Column("deleted_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pool.id"], name=op.f("fk_snapshot_pool_id_pool"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "snapshot_id", name=op.f("pk_snapshot")),
    )
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_snapshot_project", ["pool_id", "project_id"], unique=False)
    op.create_table(
        "pool_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("servers", sa.Integer(), nullable=False),
        sa.Column("vcpus", sa.BigInteger(), nullable=False),
        sa.Column("ram_mib", sa.BigInteger(), nullable=False),
        sa.Column("volume_gib", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pool.id"], name=op.f("fk_pool_usage_pool_id_pool"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_usage")),
    )
    with op.batch_alter_table("pool_usage", schema=None) as batch_op:
        batch_op.create_index("ix_pool_usage_pool_ts", ["pool_id", "ts"], unique=False)
    op.create_table(
        "unit_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=128), nullable=False),
        sa.Column("pool_code", sa.String(length=64), nullable=True),
        sa.Column("yuan_per_month", sa.Float(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_price")),
    )
    with op.batch_alter_table("audit_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("window_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("summary", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("system_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("message_zh", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("action", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("action_zh", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        for column in ("action_zh", "action", "message_zh", "system_code", "subject_name"):
            batch_op.drop_column(column)
    with op.batch_alter_table("audit_run", schema=None) as batch_op:
        for column in ("error", "summary", "window_s"):
            batch_op.drop_column(column)
    op.drop_table("unit_price")
    with op.batch_alter_table("pool_usage", schema=None) as batch_op:
        batch_op.drop_index("ix_pool_usage_pool_ts")
    op.drop_table("pool_usage")
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_snapshot_project")
    op.drop_table("snapshot")
    for table in ("volume", "server"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
