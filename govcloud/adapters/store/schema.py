"""Tables of the store. Declared rows come from `inventory load`, observed rows from sync,
discovery and metric collection; audit tables record what govcloud did.

Every change to these tables needs an Alembic revision in `migrations/versions/` (a test checks
that the migrations produce exactly this metadata).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- declared ---------------------------------------------------------------------------------


class PoolRow(Base):
    __tablename__ = "pool"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    cloud: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(200))
    availability_zone: Mapped[str | None] = mapped_column(String(200))
    aggregate: Mapped[str | None] = mapped_column(String(200))
    security_zone: Mapped[str] = mapped_column(String(64))
    mlps_level_max: Mapped[int] = mapped_column(Integer)
    cpu_ratio: Mapped[float | None] = mapped_column(Float)
    ram_ratio: Mapped[float | None] = mapped_column(Float)
    disk_ratio: Mapped[float | None] = mapped_column(Float)
    reserve_vcpu: Mapped[int] = mapped_column(Integer, default=0)
    reserve_ram_mib: Mapped[int] = mapped_column(BigInteger, default=0)
    reserve_disk_gib: Mapped[int] = mapped_column(BigInteger, default=0)
    physical_cpu_cores: Mapped[int | None] = mapped_column(Integer)
    physical_ram_mib: Mapped[int | None] = mapped_column(BigInteger)
    physical_disk_gib: Mapped[int | None] = mapped_column(BigInteger)
    # declared Cinder volume_backend_names; None: the region's backends no sibling names
    storage_backends: Mapped[list[str] | None] = mapped_column(JSON)


class DepartmentRow(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    short_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class ProjectBindingRow(Base):
    """A department's declared project in a pool."""

    __tablename__ = "project_binding"
    __table_args__ = (UniqueConstraint("department_id", "pool_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    pool_id: Mapped[int] = mapped_column(ForeignKey("pool.id", ondelete="CASCADE"))
    project_name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str | None] = mapped_column(String(64))


class ApprovedQuotaRow(Base):
    """An approved quota; per-volume-type ones under their wire name (`gigabytes_ssd`)."""

    __tablename__ = "approved_quota"
    binding_id: Mapped[int] = mapped_column(
        ForeignKey("project_binding.id", ondelete="CASCADE"), primary_key=True
    )
    resource: Mapped[str] = mapped_column(String(128), primary_key=True)
    limit: Mapped[int] = mapped_column(BigInteger)


class BusinessSystemRow(Base):
    __tablename__ = "business_system"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    mlps_level: Mapped[int] = mapped_column(Integer)
    environment: Mapped[str] = mapped_column(String(16))


class JumpHostRow(Base):
    __tablename__ = "jump_host"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    ssh_user: Mapped[str] = mapped_column(String(64))
    key_file: Mapped[str | None] = mapped_column(String(1024))


class LegacyHostRow(Base):
    __tablename__ = "legacy_host"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    ssh_user: Mapped[str] = mapped_column(String(64))
    key_file: Mapped[str | None] = mapped_column(String(1024))
    jump_host: Mapped[str | None] = mapped_column(String(64))
    system_code: Mapped[str | None] = mapped_column(String(64))
    facts: Mapped[dict[str, object] | None] = mapped_column(JSON)
    discovered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SettingRow(Base):
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- observed ---------------------------------------------------------------------------------


class ProjectRow(Base):
    __tablename__ = "os_project"
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FlavorRow(Base):
    __tablename__ = "flavor"
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    flavor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer)
    ram_mib: Mapped[int] = mapped_column(BigInteger)
    disk_gib: Mapped[int] = mapped_column(BigInteger)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)


class ServerRow(Base):
    __tablename__ = "server"
    __table_args__ = (
        Index("ix_server_project", "pool_id", "project_id"),
        Index("ix_server_system", "system_code"),
    )
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    server_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    flavor_name: Mapped[str] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer)
    ram_mib: Mapped[int] = mapped_column(BigInteger)
    disk_gib: Mapped[int] = mapped_column(BigInteger)
    host: Mapped[str | None] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    addresses: Mapped[list[str] | None] = mapped_column(JSON)
    system_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VolumeRow(Base):
    __tablename__ = "volume"
    __table_args__ = (Index("ix_volume_project", "pool_id", "project_id"),)
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    volume_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    size_gib: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    volume_type: Mapped[str | None] = mapped_column(String(255))
    attached_server_id: Mapped[str | None] = mapped_column(String(64))
    bootable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SnapshotRow(Base):
    __tablename__ = "snapshot"
    __table_args__ = (Index("ix_snapshot_project", "pool_id", "project_id"),)
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    snapshot_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    volume_id: Mapped[str | None] = mapped_column(String(64))
    size_gib: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QuotaRow(Base):
    """Observed quota: limit, in_use and reserved per resource per project per pool."""

    __tablename__ = "quota"
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource: Mapped[str] = mapped_column(String(128), primary_key=True)
    limit: Mapped[int] = mapped_column(BigInteger)
    in_use: Mapped[int] = mapped_column(BigInteger)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PoolCapacityRow(Base):
    """Placement inventory summed per resource class over a pool's providers."""

    __tablename__ = "pool_capacity"
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    resource_class: Mapped[str] = mapped_column(String(64), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
    reserved: Mapped[int] = mapped_column(BigInteger)
    allocation_ratio: Mapped[float] = mapped_column(Float)
    used: Mapped[int] = mapped_column(BigInteger)
    provider_count: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PoolUsageRow(Base):
    """What a pool's live servers and volumes held at each successful sync: the history that
    exhaustion forecasts fit a trend to."""

    __tablename__ = "pool_usage"
    __table_args__ = (Index("ix_pool_usage_pool_ts", "pool_id", "ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pool.id", ondelete="CASCADE"))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    servers: Mapped[int] = mapped_column(Integer)
    vcpus: Mapped[int] = mapped_column(BigInteger)
    ram_mib: Mapped[int] = mapped_column(BigInteger)
    volume_gib: Mapped[int] = mapped_column(BigInteger)


class ProjectAllocationRow(Base):
    """Placement usages of a project's consumers in a pool's providers: what holds capacity."""

    __tablename__ = "project_allocation"
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vcpus: Mapped[int] = mapped_column(BigInteger)
    ram_mib: Mapped[int] = mapped_column(BigInteger)
    disk_gib: Mapped[int] = mapped_column(BigInteger)


class UnassignedRow(Base):
    """An object a region's API listed that no pool took; replaced per region by each sync of
    that region, so what is here is what the last sync could not place."""

    __tablename__ = "unassigned"
    cloud: Mapped[str] = mapped_column(String(200), primary_key=True)
    region: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UnitPriceRow(Base):
    """Declared unit prices (yuan per unit and month) with their validity period."""

    __tablename__ = "unit_price"
    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(String(128))
    pool_code: Mapped[str | None] = mapped_column(String(64))
    yuan_per_month: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class SyncRunRow(Base):
    __tablename__ = "sync_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pool.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, object] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


# --- audits and the audit trail ---------------------------------------------------------------


class AuditRunRow(Base):
    __tablename__ = "audit_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    playbook: Mapped[str | None] = mapped_column(String(1024))
    parameters: Mapped[dict[str, object] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    window_s: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict[str, object] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class FindingRow(Base):
    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_run", "run_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("audit_run.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(255))
    pool_code: Mapped[str | None] = mapped_column(String(64))
    department_code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, object] | None] = mapped_column(JSON)
    reclaim: Mapped[dict[str, object] | None] = mapped_column(JSON)
    subject_name: Mapped[str | None] = mapped_column(String(255))
    system_code: Mapped[str | None] = mapped_column(String(64))
    message_zh: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)
    action_zh: Mapped[str | None] = mapped_column(Text)


class AuditLogRow(Base):
    """Append-only trail of every mutating command (MLPS level 3: who did what, when)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(255))
    os_user: Mapped[str] = mapped_column(String(255))
    command: Mapped[str] = mapped_column(Text)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(255))
    before: Mapped[dict[str, object] | None] = mapped_column(JSON)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(32))
    ticket: Mapped[str | None] = mapped_column(String(255))
    prev_hash: Mapped[str | None] = mapped_column(String(128))
    hash: Mapped[str | None] = mapped_column(String(128))
    hmac: Mapped[str | None] = mapped_column(String(128))
    event: Mapped[str | None] = mapped_column(String(64))
    source_host: Mapped[str | None] = mapped_column(String(255))
    tool_version: Mapped[str | None] = mapped_column(String(32))
    ref: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    alg: Mapped[str | None] = mapped_column(String(16))  # None: a record from before keyed seals


class AuditPruneRow(Base):
    """Insert-only anchors of retention pruning: audit_log rows through `through_seq` may be
    deleted (the database's trigger allows nothing else); `hash` was the last pruned record's,
    `hmac` seals the anchor with the trail's key, so the chain verifies from here on."""

    __tablename__ = "audit_prune"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    through_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(128))
    hmac: Mapped[str] = mapped_column(String(128))
    alg: Mapped[str] = mapped_column(String(16))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(255))


# Tables owned by other features live in their own modules and register on import.
from govcloud.adapters.store import schema_hosts as schema_hosts  # noqa: E402
from govcloud.adapters.store import schema_metrics as schema_metrics  # noqa: E402
from govcloud.adapters.store import schema_network as schema_network  # noqa: E402
from govcloud.adapters.store import schema_storage as schema_storage  # noqa: E402
