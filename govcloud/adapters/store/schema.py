"""Tables of the store. Declared rows come from `inventory load`, observed rows from sync,
discovery and metric collection; audit tables record what govcloud did.

Every change to these tables needs an Alembic revision in `migrations/versions/` (a test checks
that the migrations produce exactly this metadata).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


metadata = MetaData(naming_convention=NAMING)


# --- declared ---------------------------------------------------------------------------------


# declared Cinder volume_backend_names; None: the region's backends no sibling names
PoolRow = Table(
    "pool",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), unique=True, nullable=False),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("cloud", String(200), nullable=False),
    Column("region", String(200), nullable=False),
    Column("availability_zone", String(200)),
    Column("aggregate", String(200)),
    Column("security_zone", String(64), nullable=False),
    Column("mlps_level_max", Integer, nullable=False),
    Column("cpu_ratio", Float),
    Column("ram_ratio", Float),
    Column("disk_ratio", Float),
    Column("reserve_vcpu", Integer, default=0, nullable=False),
    Column("reserve_ram_mib", BigInteger, default=0, nullable=False),
    Column("reserve_disk_gib", BigInteger, default=0, nullable=False),
    Column("physical_cpu_cores", Integer),
    Column("physical_ram_mib", BigInteger),
    Column("physical_disk_gib", BigInteger),
    Column("storage_backends", JSON),
)


DepartmentRow = Table(
    "department",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), unique=True, nullable=False),
    Column("name_zh", String(200), nullable=False),
    Column("short_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
)


# A department's declared project in a pool.
ProjectBindingRow = Table(
    "project_binding",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "department_id", Integer, ForeignKey("department.id", ondelete="CASCADE"), nullable=False
    ),
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("project_id", String(64)),
    UniqueConstraint("department_id", "pool_id"),
)


# An approved quota; per-volume-type ones under their wire name (`gigabytes_ssd`).
ApprovedQuotaRow = Table(
    "approved_quota",
    metadata,
    Column(
        "binding_id",
        Integer,
        ForeignKey("project_binding.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("resource", String(128), primary_key=True),
    Column("limit", BigInteger, nullable=False),
)


BusinessSystemRow = Table(
    "business_system",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), unique=True, nullable=False),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column(
        "department_id", Integer, ForeignKey("department.id", ondelete="CASCADE"), nullable=False
    ),
    Column("mlps_level", Integer, nullable=False),
    Column("environment", String(16), nullable=False),
)


JumpHostRow = Table(
    "jump_host",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), unique=True, nullable=False),
    Column("address", String(255), nullable=False),
    Column("port", Integer, nullable=False),
    Column("ssh_user", String(64), nullable=False),
    Column("key_file", String(1024)),
)


LegacyHostRow = Table(
    "legacy_host",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), unique=True, nullable=False),
    Column("address", String(255), nullable=False),
    Column("port", Integer, nullable=False),
    Column("ssh_user", String(64), nullable=False),
    Column("key_file", String(1024)),
    Column("jump_host", String(64)),
    Column("system_code", String(64)),
    Column("facts", JSON),
    Column("discovered_at", DateTime(timezone=True)),
)


SettingRow = Table(
    "setting",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


# --- observed ---------------------------------------------------------------------------------


ProjectRow = Table(
    "os_project",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("enabled", Boolean, default=True, nullable=False),
    Column("department_id", Integer, ForeignKey("department.id", ondelete="SET NULL")),
    Column("synced_at", DateTime(timezone=True)),
)


FlavorRow = Table(
    "flavor",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("flavor_id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("vcpus", Integer, nullable=False),
    Column("ram_mib", BigInteger, nullable=False),
    Column("disk_gib", BigInteger, nullable=False),
    Column("is_public", Boolean, default=True, nullable=False),
)


ServerRow = Table(
    "server",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("server_id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("project_id", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("flavor_name", String(255), nullable=False),
    Column("vcpus", Integer, nullable=False),
    Column("ram_mib", BigInteger, nullable=False),
    Column("disk_gib", BigInteger, nullable=False),
    Column("host", String(255)),
    Column("availability_zone", String(255)),
    Column("addresses", JSON),
    Column("system_code", String(64)),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    Index("ix_server_project", "pool_id", "project_id"),
    Index("ix_server_system", "system_code"),
)


VolumeRow = Table(
    "volume",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("volume_id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("project_id", String(64), nullable=False),
    Column("size_gib", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("volume_type", String(255)),
    Column("attached_server_id", String(64)),
    Column("bootable", Boolean, default=False, nullable=False),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    Index("ix_volume_project", "pool_id", "project_id"),
)


SnapshotRow = Table(
    "snapshot",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("snapshot_id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("project_id", String(64), nullable=False),
    Column("volume_id", String(64)),
    Column("size_gib", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    Index("ix_snapshot_project", "pool_id", "project_id"),
)


# Observed quota: limit, in_use and reserved per resource per project per pool.
QuotaRow = Table(
    "quota",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", String(64), primary_key=True),
    Column("resource", String(128), primary_key=True),
    Column("limit", BigInteger, nullable=False),
    Column("in_use", BigInteger, nullable=False),
    Column("reserved", BigInteger, default=0, nullable=False),
    Column("synced_at", DateTime(timezone=True)),
)


# Placement inventory summed per resource class over a pool's providers.
PoolCapacityRow = Table(
    "pool_capacity",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("resource_class", String(64), primary_key=True),
    Column("total", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("allocation_ratio", Float, nullable=False),
    Column("used", BigInteger, nullable=False),
    Column("provider_count", Integer, nullable=False),
    Column("synced_at", DateTime(timezone=True)),
)


# What a pool's live servers and volumes held at each successful sync: the history that
# exhaustion forecasts fit a trend to.
PoolUsageRow = Table(
    "pool_usage",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), nullable=False),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("servers", Integer, nullable=False),
    Column("vcpus", BigInteger, nullable=False),
    Column("ram_mib", BigInteger, nullable=False),
    Column("volume_gib", BigInteger, nullable=False),
    Index("ix_pool_usage_pool_ts", "pool_id", "ts"),
)


# Placement usages of a project's consumers in a pool's providers: what holds capacity.
ProjectAllocationRow = Table(
    "project_allocation",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", String(64), primary_key=True),
    Column("vcpus", BigInteger, nullable=False),
    Column("ram_mib", BigInteger, nullable=False),
    Column("disk_gib", BigInteger, nullable=False),
)


# An object a region's API listed that no pool took; replaced per region by each sync of
# that region, so what is here is what the last sync could not place.
UnassignedRow = Table(
    "unassigned",
    metadata,
    Column("cloud", String(200), primary_key=True),
    Column("region", String(200), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("object_id", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("project_id", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)


# Declared unit prices (yuan per unit and month) with their validity period.
UnitPriceRow = Table(
    "unit_price",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("resource", String(128), nullable=False),
    Column("pool_code", String(64)),
    Column("yuan_per_month", Float, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
)


SyncRunRow = Table(
    "sync_run",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("counts", JSON),
    Column("error", Text),
)


# --- audits and the audit trail ---------------------------------------------------------------


AuditRunRow = Table(
    "audit_run",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("playbook", String(1024)),
    Column("parameters", JSON),
    Column("status", String(16), nullable=False),
    Column("window_s", Integer),
    Column("summary", JSON),
    Column("error", Text),
)


FindingRow = Table(
    "finding",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("audit_run.id", ondelete="CASCADE"), nullable=False),
    Column("check", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(255), nullable=False),
    Column("pool_code", String(64)),
    Column("department_code", String(64)),
    Column("message", Text, nullable=False),
    Column("evidence", JSON),
    Column("reclaim", JSON),
    Column("subject_name", String(255)),
    Column("system_code", String(64)),
    Column("message_zh", Text),
    Column("action", Text),
    Column("action_zh", Text),
    Column("subject_name_en", String(255)),  # None: subject_name reads the same in English
    Index("ix_finding_run", "run_id"),
)


# Append-only trail of every mutating command (MLPS level 3: who did what, when).
AuditLogRow = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("operator", String(255), nullable=False),
    Column("os_user", String(255), nullable=False),
    Column("command", Text, nullable=False),
    Column("object_type", String(64), nullable=False),
    Column("object_id", String(255), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("outcome", String(32), nullable=False),
    Column("ticket", String(255)),
    Column("prev_hash", String(128)),
    Column("hash", String(128)),
    Column("hmac", String(128)),
    Column("event", String(64)),
    Column("source_host", String(255)),
    Column("tool_version", String(32)),
    Column("ref", BigInteger().with_variant(Integer, "sqlite")),
    Column("alg", String(16)),  # None: a record from before keyed seals
)


# Insert-only anchors of retention pruning: audit_log rows through `through_seq` may be
# deleted (the database's trigger allows nothing else); `hash` was the last pruned record's,
# `hmac` seals the anchor with the trail's key, so the chain verifies from here on.
AuditPruneRow = Table(
    "audit_prune",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("through_seq", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("hash", String(128), nullable=False),
    Column("hmac", String(128), nullable=False),
    Column("alg", String(16), nullable=False),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("operator", String(255), nullable=False),
)


# Tables owned by other features live in their own modules and register on import.
from govcloud.adapters.store import schema_hosts as schema_hosts  # noqa: E402
from govcloud.adapters.store import schema_metrics as schema_metrics  # noqa: E402
from govcloud.adapters.store import schema_network as schema_network  # noqa: E402
from govcloud.adapters.store import schema_storage as schema_storage  # noqa: E402
