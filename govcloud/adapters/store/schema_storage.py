"""Tables of observed storage: Cinder scheduler pools, volume types and per-type quotas.

Keyed by (pool, natural id) like the other observed tables, so a pool's rows go with the pool.
Capacities stay nullable: a backend that reports `infinite` or `unknown` is stored as "no
number", never as a number that sums into a wrong total.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, String, Table

from govcloud.adapters.store.schema import metadata

# One Cinder scheduler pool (`host@backend#pool`) as get_pools reported it.
StorageBackendRow = Table(
    "storage_backend",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("backend_name", String(255)),
    Column("total_gib", Float),
    Column("free_gib", Float),
    Column("allocated_gib", Float),
    Column("provisioned_gib", Float),
    Column("max_over_subscription_ratio", Float),
    Column("reserved_pct", Float, default=0.0, nullable=False),
    Column("thin", Boolean, default=False, nullable=False),
    Column("thick", Boolean, default=True, nullable=False),
    Index("ix_storage_backend_backend", "pool_id", "backend_name"),
)


VolumeTypeRow = Table(
    "volume_type",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("type_id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("backend_name", String(255)),
    Column("is_public", Boolean, default=True, nullable=False),
)


# A Cinder quota kept per volume type: limit, in_use and reserved per project per pool.
#
# Apart from `quota` on purpose: the per-type figures are part of the project's total.
TypeQuotaRow = Table(
    "type_quota",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", String(64), primary_key=True),
    Column("volume_type", String(255), primary_key=True),
    Column("resource", String(32), primary_key=True),
    Column("limit", BigInteger, nullable=False),
    Column("in_use", BigInteger, nullable=False),
    Column("reserved", BigInteger, default=0, nullable=False),
)
