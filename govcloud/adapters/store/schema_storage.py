"""Tables of observed storage: Cinder scheduler pools, volume types and per-type quotas.

Keyed by (pool, natural id) like the other observed tables, so a pool's rows go with the pool.
Capacities stay nullable: a backend that reports `infinite` or `unknown` is stored as "no
number", never as a number that sums into a wrong total.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from govcloud.adapters.store.schema import Base


class StorageBackendRow(Base):
    """One Cinder scheduler pool (`host@backend#pool`) as get_pools reported it."""

    __tablename__ = "storage_backend"
    __table_args__ = (Index("ix_storage_backend_backend", "pool_id", "backend_name"),)
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    backend_name: Mapped[str | None] = mapped_column(String(255))
    total_gib: Mapped[float | None] = mapped_column(Float)
    free_gib: Mapped[float | None] = mapped_column(Float)
    allocated_gib: Mapped[float | None] = mapped_column(Float)
    provisioned_gib: Mapped[float | None] = mapped_column(Float)
    max_over_subscription_ratio: Mapped[float | None] = mapped_column(Float)
    reserved_pct: Mapped[float] = mapped_column(Float, default=0.0)
    thin: Mapped[bool] = mapped_column(Boolean, default=False)
    thick: Mapped[bool] = mapped_column(Boolean, default=True)


class VolumeTypeRow(Base):
    __tablename__ = "volume_type"
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    type_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    backend_name: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)


class TypeQuotaRow(Base):
    """A Cinder quota kept per volume type: limit, in_use and reserved per project per pool.

    Apart from `quota` on purpose: the per-type figures are part of the project's total.
    """

    __tablename__ = "type_quota"
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    volume_type: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    limit: Mapped[int] = mapped_column(BigInteger)
    in_use: Mapped[int] = mapped_column(BigInteger)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)
