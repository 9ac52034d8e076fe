"""storage and networking: Cinder backends, volume types, per-type quotas, ports, floating IPs,
security groups, Placement allocations, unassigned objects; wider quota resource names

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _pool_key(
    table: str, id_col: str, id_type: sa.types.TypeEngine[str]
) -> list[sa.schema.SchemaItem]:
    """The (pool_id, natural id) key every observed table shares, with its pool link."""
    return [
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column(id_col, id_type, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pool.id"], name=op.f(f"fk_{table}_pool_id_pool"), ondelete="CASCADE"
        ),
    ]


def _indexes(table: str, indexes: dict[str, list[str]]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, columns in indexes.items():
            batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    # A plain ADD COLUMN: recreating `pool` on SQLite would cascade to every observed row.
    op.add_column("pool", sa.Column("storage_backends", sa.JSON(), nullable=True))
    for table in ("approved_quota", "quota"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "resource",
                existing_type=sa.String(length=32),
                type_=sa.String(length=128),
                existing_nullable=False,
            )
    op.create_table(
        "storage_backend",
        *_pool_key("storage_backend", "name", sa.String(length=255)),
        sa.Column("backend_name", sa.String(length=255), nullable=True),
        sa.Column("total_gib", sa.Float(), nullable=True),
        sa.Column("free_gib", sa.Float(), nullable=True),
        sa.Column("allocated_gib", sa.Float(), nullable=True),
        sa.Column("provisioned_gib", sa.Float(), nullable=True),
        sa.Column("max_over_subscription_ratio", sa.Float(), nullable=True),
        sa.Column("reserved_pct", sa.Float(), nullable=False),
        sa.Column("thin", sa.Boolean(), nullable=False),
        sa.Column("thick", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "name", name=op.f("pk_storage_backend")),
    )
    _indexes("storage_backend", {"ix_storage_backend_backend": ["pool_id", "backend_name"]})
    op.create_table(
        "volume_type",
        *_pool_key("volume_type", "type_id", sa.String(length=64)),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("backend_name", sa.String(length=255), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "type_id", name=op.f("pk_volume_type")),
    )
    op.create_table(
        "type_quota",
        *_pool_key("type_quota", "project_id", sa.String(length=64)),
        sa.Column("volume_type", sa.String(length=255), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("limit", sa.BigInteger(), nullable=False),
        sa.Column("in_use", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "pool_id", "project_id", "volume_type", "resource", name=op.f("pk_type_quota")
        ),
    )
    op.create_table(
        "port",
        *_pool_key("port", "port_id", sa.String(length=64)),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("network_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=255), nullable=True),
        sa.Column("device_owner", sa.String(length=255), nullable=True),
        sa.Column("fixed_ips", sa.JSON(), nullable=True),
        sa.Column("security_group_ids", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "port_id", name=op.f("pk_port")),
    )
    _indexes(
        "port", {"ix_port_project": ["pool_id", "project_id"], "ix_port_device": ["device_id"]}
    )
    op.create_table(
        "floating_ip",
        *_pool_key("floating_ip", "fip_id", sa.String(length=64)),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("network_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("port_id", sa.String(length=64), nullable=True),
        sa.Column("fixed_address", sa.String(length=64), nullable=True),
        sa.Column("server_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", _TS, nullable=True),
        sa.Column("updated_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("pool_id", "fip_id", name=op.f("pk_floating_ip")),
    )
    _indexes(
        "floating_ip",
        {
            "ix_floating_ip_project": ["pool_id", "project_id"],
            "ix_floating_ip_server": ["server_id"],
            "ix_floating_ip_address": ["address"],
        },
    )
    op.create_table(
        "security_group",
        *_pool_key("security_group", "group_id", sa.String(length=64)),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pool_id", "group_id", name=op.f("pk_security_group")),
    )
    _indexes("security_group", {"ix_security_group_project": ["pool_id", "project_id"]})
    op.create_table(
        "project_allocation",
        *_pool_key("project_allocation", "project_id", sa.String(length=64)),
        sa.Column("vcpus", sa.BigInteger(), nullable=False),
        sa.Column("ram_mib", sa.BigInteger(), nullable=False),
        sa.Column("disk_gib", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "project_id", name=op.f("pk_project_allocation")),
    )
    op.create_table(
        "unassigned",
        sa.Column("cloud", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seen_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("cloud", "region", "kind", "object_id", name=op.f("pk_unassigned")),
    )


def downgrade() -> None:
    op.drop_table("unassigned")
    op.drop_table("project_allocation")
    for table, names in (
        ("security_group", ["ix_security_group_project"]),
        (
            "floating_ip",
            ["ix_floating_ip_address", "ix_floating_ip_server", "ix_floating_ip_project"],
        ),
        ("port", ["ix_port_device", "ix_port_project"]),
        ("storage_backend", ["ix_storage_backend_backend"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.drop_index(name)
    for table in ("security_group", "floating_ip", "port", "type_quota", "volume_type"):
        op.drop_table(table)
    op.drop_table("storage_backend")
    for table in ("quota", "approved_quota"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "resource",
                existing_type=sa.String(length=128),
                type_=sa.String(length=32),
                existing_nullable=False,
            )
    op.drop_column("pool", "storage_backends")  # not batch: see upgrade
