"""Stored rows as the core's records: what sync's snapshot, the audit loader and the listings
all read back. Kept apart from sync's writing (sync_repo), so that a read command does not
import the diffing and applying of a sync to turn rows into records."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, overload

from govcloud.core import models as m

CHUNK = 500  # ids per IN (...) clause when records are read by id


@overload
def utc(ts: datetime | str) -> datetime: ...
@overload
def utc(ts: None) -> None: ...
def utc(ts: datetime | str | None) -> datetime | None:
    """A stored timestamp as aware UTC: SQLite hands back naive datetimes (or, read raw, their
    ISO text), and every timestamp govcloud stores is UTC."""
    if ts is None:
        return None
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts)
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _listed(value: Any) -> tuple[Any, ...]:
    """A stored JSON list as a tuple, whether the driver parsed it or, read raw, did not."""
    if isinstance(value, str):
        return () if value == "[]" else _parsed(value)
    return tuple(value or ())


@lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[Any, ...]:
    """Most lists repeat (a port's security groups, a network's addresses): parsed once."""
    return tuple(json.loads(text) or ())


def server_record(pool_code: str, r: Any) -> m.Server:
    """A `server` row as the core's record (sync's snapshot and the audit loader alike)."""
    return m.Server(
        pool_code, r.server_id, r.name, _shared(r.project_id), _shared(r.status),
        _shared(r.flavor_name), r.vcpus, r.ram_mib, r.disk_gib, utc(r.created_at),
        _shared(r.host), _shared(r.availability_zone), _listed(r.addresses),
        _shared(r.system_code), utc(r.updated_at),
    )  # fmt: skip


def volume_record(pool_code: str, r: Any) -> m.Volume:
    return m.Volume(
        pool_code, r.volume_id, r.name, _shared(r.project_id), r.size_gib, _shared(r.status),
        _shared(r.volume_type), r.attached_server_id, bool(r.bootable), utc(r.created_at),
        utc(r.updated_at),
    )  # fmt: skip


def snapshot_record(pool_code: str, r: Any) -> m.Snapshot:
    return m.Snapshot(
        pool_code, r.snapshot_id, r.name, _shared(r.project_id), r.volume_id, r.size_gib,
        _shared(r.status), utc(r.created_at),
    )  # fmt: skip


def backend_record(pool_code: str, r: Any) -> m.StorageBackend:
    return m.StorageBackend(
        pool_code, r.name, r.backend_name, r.total_gib, r.free_gib, r.allocated_gib,
        r.provisioned_gib, r.max_over_subscription_ratio, r.reserved_pct, bool(r.thin),
        bool(r.thick),
    )  # fmt: skip


def volume_type_record(pool_code: str, r: Any) -> m.VolumeType:
    return m.VolumeType(pool_code, r.type_id, r.name, r.backend_name, bool(r.is_public))


def type_quota_record(pool_code: str, r: Any) -> m.TypeQuotaUsage | None:
    """None for a resource this version does not know (a newer govcloud wrote it)."""
    if r.resource not in m.QuotaResource._value2member_map_:
        return None
    return m.TypeQuotaUsage(
        pool_code, r.project_id, r.volume_type, m.QuotaResource(r.resource), r.limit, r.in_use,
        r.reserved,
    )  # fmt: skip


def port_record(pool_code: str, r: Any) -> m.Port:
    return m.Port(
        pool_code, r.port_id, _shared(r.project_id), _shared(r.network_id), r.device_id,
        _shared(r.device_owner), _listed(r.fixed_ips), _listed(r.security_group_ids),
        _shared(r.status),
    )  # fmt: skip


def floating_ip_record(pool_code: str, r: Any) -> m.FloatingIp:
    return m.FloatingIp(
        pool_code, r.fip_id, _shared(r.project_id), r.address, _shared(r.network_id),
        _shared(r.status), r.port_id, r.fixed_address, r.server_id, utc(r.created_at),
        utc(r.updated_at),
    )  # fmt: skip


def security_group_record(pool_code: str, r: Any) -> m.SecurityGroup:
    rules = tuple(m.SecurityRule(**rule) for rule in _listed(r.rules))
    return m.SecurityGroup(pool_code, r.group_id, _shared(r.project_id), r.name, rules)


def allocation_record(pool_code: str, r: Any) -> m.ProjectAllocation:
    return m.ProjectAllocation(pool_code, r.project_id, r.vcpus, r.ram_mib, r.disk_gib)


def _shared(value: Any) -> Any:
    """One string object per distinct project, host, status...: the driver hands each row its
    own copies, and a snapshot of 100,000 servers would hold them all."""
    return sys.intern(value) if isinstance(value, str) else value
