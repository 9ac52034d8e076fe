"""Tables of observed networking: Neutron ports, floating IPs and security groups.

Keyed by (pool, natural id) like the other observed tables. Fixed addresses and security group
ids of a port, and a group's rules, are small lists read whole with their row: JSON columns.
Indexes serve what commands filter on: a project's objects, a server's ports and addresses.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from govcloud.adapters.store.schema import Base


class PortRow(Base):
    __tablename__ = "port"
    __table_args__ = (
        Index("ix_port_project", "pool_id", "project_id"),
        Index("ix_port_device", "device_id"),
    )
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    port_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    network_id: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(255))
    device_owner: Mapped[str | None] = mapped_column(String(255))
    fixed_ips: Mapped[list[str] | None] = mapped_column(JSON)
    security_group_ids: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32))


class FloatingIpRow(Base):
    __tablename__ = "floating_ip"
    __table_args__ = (
        Index("ix_floating_ip_project", "pool_id", "project_id"),
        Index("ix_floating_ip_server", "server_id"),
        Index("ix_floating_ip_address", "address"),
    )
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    fip_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    network_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    port_id: Mapped[str | None] = mapped_column(String(64))
    fixed_address: Mapped[str | None] = mapped_column(String(64))
    server_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SecurityGroupRow(Base):
    """A security group with its rules (a list of objects, see `SecurityRule`)."""

    __tablename__ = "security_group"
    __table_args__ = (Index("ix_security_group_project", "pool_id", "project_id"),)
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    rules: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
