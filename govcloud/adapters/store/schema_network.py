"""Tables of observed networking: Neutron ports, floating IPs and security groups.

Keyed by (pool, natural id) like the other observed tables. Fixed addresses and security group
ids of a port, and a group's rules, are small lists read whole with their row: JSON columns.
Indexes serve what commands filter on: a project's objects, a server's ports and addresses.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table

from govcloud.adapters.store.schema import metadata

PortRow = Table(
    "port",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("port_id", String(64), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("network_id", String(64), nullable=False),
    Column("device_id", String(255)),
    Column("device_owner", String(255)),
    Column("fixed_ips", JSON),
    Column("security_group_ids", JSON),
    Column("status", String(32), nullable=False),
    Index("ix_port_project", "pool_id", "project_id"),
    Index("ix_port_device", "device_id"),
)


FloatingIpRow = Table(
    "floating_ip",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("fip_id", String(64), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("network_id", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("port_id", String(64)),
    Column("fixed_address", String(64)),
    Column("server_id", String(64)),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_floating_ip_project", "pool_id", "project_id"),
    Index("ix_floating_ip_server", "server_id"),
    Index("ix_floating_ip_address", "address"),
)


# A security group with its rules (a list of objects, see `SecurityRule`).
SecurityGroupRow = Table(
    "security_group",
    metadata,
    Column("pool_id", Integer, ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", String(64), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("rules", JSON),
    Index("ix_security_group_project", "pool_id", "project_id"),
)
