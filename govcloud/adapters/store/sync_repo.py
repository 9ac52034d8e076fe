"""Sync in the store: read a pool's snapshot, apply a `core.sync.PoolDiff`, record sync runs.

Built for 100,000 servers: rows are read in one SELECT per table and written with executemany
in batches of `BATCH` rows (inserts, updates by primary key, deletions in chunks), never a SELECT
per row; a batch's parameter dicts are built only when it is sent, so the rows of a whole pool
never sit in memory twice. The caller owns the transaction, so a pool's snapshot lands whole or
not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import NullType

from govcloud.adapters.store import schema as t
from govcloud.adapters.store import schema_network as tn
from govcloud.adapters.store import schema_storage as ts
from govcloud.adapters.store.observed_repo import capacity_record
from govcloud.adapters.store.records import (
    CHUNK,
    _listed,
    _shared,
    allocation_record,
    backend_record,
    floating_ip_record,
    port_record,
    security_group_record,
    server_record,
    snapshot_record,
    type_quota_record,
    utc,
    volume_record,
    volume_type_record,
)
from govcloud.core import models as m
from govcloud.core.incremental import LastRun
from govcloud.core.sync import KindDiff, PoolDiff, PoolSnapshot

BATCH = 1000  # rows per executemany
DEFAULT_METADATA_KEY = "business_system"
R = TypeVar("R")

S, V, P, F, N = t.ServerRow, t.VolumeRow, t.ProjectRow, t.FlavorRow, t.SnapshotRow
Q, C, D = t.QuotaRow, t.PoolCapacityRow, t.DepartmentRow
SB, VT, TQ = ts.StorageBackendRow, ts.VolumeTypeRow, ts.TypeQuotaRow
PT, FIP, SG, AL, U = (
    tn.PortRow, tn.FloatingIpRow, tn.SecurityGroupRow, t.ProjectAllocationRow, t.UnassignedRow,
)  # fmt: skip


def metadata_key(conn: Connection) -> str:
    value = conn.execute(
        select(t.SettingRow.c.value).where(t.SettingRow.c.key == "system_metadata_key")
    ).scalar_one_or_none()
    return value or DEFAULT_METADATA_KEY


def pool_ids(conn: Connection) -> dict[str, int]:
    return {
        code: pool_id for code, pool_id in conn.execute(select(t.PoolRow.c.code, t.PoolRow.c.id))
    }


# --- snapshot ---------------------------------------------------------------------------------


def read_snapshot(
    conn: Connection,
    pool_id: int,
    pool_code: str,
    only: Mapping[str, Collection[str]] | None = None,
) -> PoolSnapshot:
    """What the store holds for a pool. ONLY: kind (servers, volumes, ports) -> the ids to read
    of it (an incremental run diffs those alone); a kind it does not name is read whole."""
    only = only or {}
    ids = only.get("servers")
    live_servers, deleted_servers = _tracked(
        conn, S, "server_id", pool_id, partial(server_record, pool_code), ids
    )
    ids = only.get("volumes")
    live_volumes, deleted_volumes = _tracked(
        conn, V, "volume_id", pool_id, partial(volume_record, pool_code), ids
    )
    live_snaps, deleted_snaps = _tracked(
        conn, N, "snapshot_id", pool_id, partial(snapshot_record, pool_code)
    )
    return PoolSnapshot(
        projects=tuple(_projects(conn, pool_id, pool_code)),
        flavors=tuple(
            m.Flavor(pool_code, r.flavor_id, r.name, r.vcpus, r.ram_mib, r.disk_gib)
            for r in conn.execute(select(F).where(F.c.pool_id == pool_id))
        ),
        servers=tuple(live_servers),
        volumes=tuple(live_volumes),
        quotas=tuple(
            m.QuotaUsage(
                pool_code, r.project_id, m.QuotaResource(r.resource), r.limit, r.in_use, r.reserved
            )
            for r in conn.execute(select(Q).where(Q.c.pool_id == pool_id))
            if r.resource in m.QuotaResource._value2member_map_
        ),
        capacity=tuple(
            capacity_record(pool_code, r)
            for r in conn.execute(select(C).where(C.c.pool_id == pool_id))
        ),
        deleted_servers=deleted_servers,
        deleted_volumes=deleted_volumes,
        snapshots=tuple(live_snaps),
        deleted_snapshots=deleted_snaps,
        backends=_rows(conn, SB, pool_id, partial(backend_record, pool_code)),
        volume_types=_rows(conn, VT, pool_id, partial(volume_type_record, pool_code)),
        type_quotas=tuple(
            r
            for r in _rows(conn, TQ, pool_id, partial(type_quota_record, pool_code))
            if r is not None
        ),
        ports=_rows(conn, PT, pool_id, partial(port_record, pool_code))
        if "ports" not in only
        else tuple(_by_ids(conn, PT, "port_id", {pool_id: pool_code}, port_record, only["ports"])),
        floating_ips=_rows(conn, FIP, pool_id, partial(floating_ip_record, pool_code)),
        security_groups=_rows(conn, SG, pool_id, partial(security_group_record, pool_code)),
        allocations=_rows(conn, AL, pool_id, partial(allocation_record, pool_code)),
    )


def _raw_select(table: Table) -> Select[Any]:
    """Every column of TABLE, timestamps and JSON as the driver hands them (a string on
    SQLite): SQLAlchemy's per-value processors (a regular expression per SQLite timestamp)
    cost more than the query at 10,000 rows; `utc()` and `_listed()` convert them, C-fast."""
    cols = [
        type_coerce(c, NullType()).label(c.name) if isinstance(c.type, DateTime | JSON) else c
        for c in table.c
    ]
    return select(*cols)


def _rows(conn: Connection, row: Table, pool_id: int, record: Callable[[Any], R]) -> tuple[R, ...]:
    table = row
    query = _raw_select(table).where(table.c.pool_id == pool_id)
    return tuple(record(r) for r in conn.execute(query))


def _tracked(
    conn: Connection,
    row: Table,
    id_col: str,
    pool_id: int,
    record: Callable[[Any], R],
    ids: Collection[str] | None = None,
) -> tuple[list[R], frozenset[str]]:
    """Live records of a kind whose gone rows are kept (marked deleted), and those rows' ids
    (ids only: their history is not needed here). IDS: only those (None: all)."""
    table = row
    live_rows = _raw_select(table).where(table.c.pool_id == pool_id, table.c.deleted_at.is_(None))
    gone = select(table.c[id_col]).where(
        table.c.pool_id == pool_id, table.c.deleted_at.is_not(None)
    )
    live: list[R] = []
    if ids is None:
        live = [record(r) for r in conn.execute(live_rows)]
        return live, frozenset(conn.execute(gone).scalars())
    dead: set[str] = set()
    for chunk in _chunks(sorted(ids), CHUNK):
        live += [record(r) for r in conn.execute(live_rows.where(table.c[id_col].in_(chunk)))]
        dead.update(conn.execute(gone.where(table.c[id_col].in_(chunk))).scalars())
    return live, frozenset(dead)


def _by_ids(
    conn: Connection,
    row: Table,
    id_col: str,
    pools: Mapping[int, str],
    record: Callable[[str, Any], R],
    ids: Collection[str],
) -> list[R]:
    """Live records of POOLS (id -> code) with the given IDS, each carrying its pool's code."""
    table = row
    query = _raw_select(table).where(table.c.pool_id.in_(list(pools)))
    if "deleted_at" in table.c:
        query = query.where(table.c.deleted_at.is_(None))
    out = []
    for chunk in _chunks(sorted(ids), CHUNK):
        rows = conn.execute(query.where(table.c[id_col].in_(chunk)))
        out += [record(pools[r.pool_id], r) for r in rows]
    return out


def read_records(
    conn: Connection, pools: Mapping[int, str], kind: str, ids: Collection[str]
) -> list[Any]:
    """Whole live servers, volumes or ports (KIND) of POOLS (id -> code) by id: what an
    incremental run needs of the stored objects it moves between pools."""
    row, id_col, record = _WHOLE[kind]
    return _by_ids(conn, row, id_col, pools, record, ids)


def read_light(conn: Connection, pool_id: int, pool_code: str) -> PoolSnapshot:
    """What placing a pool's region again needs of the stored pool, and no more: servers,
    volumes and ports as light records (ids, project, host, zone, flavor figures, addresses,
    attachment, device, fixed addresses; the other fields empty, never to be written: see
    `read_records`), the small kinds (snapshots, floating IPs, security groups, backends,
    volume types) whole. Reading the big kinds whole grows with the estate."""
    code = pool_code
    server_rows = _packed(
        conn,
        [S.c.server_id, S.c.name, S.c.project_id, S.c.flavor_name, S.c.vcpus, S.c.ram_mib,
         S.c.disk_gib, S.c.host, S.c.availability_zone],
        S.c.addresses,
        S.c.pool_id == pool_id, S.c.deleted_at.is_(None),
    )  # fmt: skip
    servers = tuple(
        m.Server(code, sid, name, _shared(project), "", _shared(flavor), vcpus, ram, disk, None,
                 _shared(host), _shared(zone), _listed(addresses))
        for sid, name, project, flavor, vcpus, ram, disk, host, zone, addresses in server_rows
    )  # fmt: skip
    volume_rows = _packed(
        conn,
        [V.c.volume_id, V.c.name, V.c.project_id, V.c.size_gib, V.c.volume_type,
         V.c.attached_server_id],
        None,
        V.c.pool_id == pool_id, V.c.deleted_at.is_(None),
    )  # fmt: skip
    volumes = tuple(
        m.Volume(code, vid, name, _shared(project), size, "", _shared(vtype), server)
        for vid, name, project, size, vtype, server in volume_rows
    )
    port_rows = _packed(
        conn, [PT.c.port_id, PT.c.project_id, PT.c.device_id, PT.c.device_owner], PT.c.fixed_ips,
        PT.c.pool_id == pool_id,
    )  # fmt: skip
    ports = tuple(
        m.Port(code, pid, _shared(project), "", device, _shared(owner), _listed(fixed))
        for pid, project, device, owner, fixed in port_rows
    )
    snaps = _raw_select(N).where(N.c.pool_id == pool_id, N.c.deleted_at.is_(None))
    return PoolSnapshot(
        servers=servers,
        volumes=volumes,
        ports=ports,
        snapshots=tuple(snapshot_record(code, r) for r in conn.execute(snaps)),
        backends=_rows(conn, SB, pool_id, partial(backend_record, code)),
        volume_types=_rows(conn, VT, pool_id, partial(volume_type_record, code)),
        floating_ips=_rows(conn, FIP, pool_id, partial(floating_ip_record, code)),
        security_groups=_rows(conn, SG, pool_id, partial(security_group_record, code)),
    )


def _packed(
    conn: Connection, columns: Sequence[Any], json_col: Any, *where: Any
) -> Sequence[Sequence[Any]]:
    """The rows of COLUMNS (then JSON_COL, a JSON list column, if given) WHERE, as tuples.

    On SQLite, as one JSON array built by the database: each row fetched apart releases and
    takes back the interpreter lock, and while other threads run (the other regions' syncs,
    the cloud reader opening) every take waits its turn: 30,000 rows cost seconds that way,
    one row a few milliseconds."""
    if conn.dialect.name != "sqlite":
        extra = [type_coerce(json_col, NullType())] if json_col is not None else []
        return [tuple(r) for r in conn.execute(select(*columns, *extra).where(*where))]
    items = [*columns, *([func.json(json_col)] if json_col is not None else [])]
    query = select(func.json_group_array(func.json_array(*items))).where(*where)
    text = conn.execute(query).scalar_one()
    return json.loads(text) if text else []


def _projects(conn: Connection, pool_id: int, pool_code: str) -> Iterator[m.Project]:
    query = (
        select(P.c.project_id, P.c.name, P.c.enabled, D.c.code)
        .outerjoin(D, D.c.id == P.c.department_id)
        .where(P.c.pool_id == pool_id)
    )
    for r in conn.execute(query):
        yield m.Project(pool_code, r.project_id, r.name, bool(r.enabled), r.code)


# whole records by id, for an incremental run: kind -> (row, id column, record)
_WHOLE: dict[str, tuple[Table, str, Callable[[str, Any], Any]]] = {
    "servers": (S, "server_id", server_record),
    "volumes": (V, "volume_id", volume_record),
    "ports": (PT, "port_id", port_record),
}


# --- apply ------------------------------------------------------------------------------------


def apply_diff(
    conn: Connection,
    pool_id: int,
    diff: PoolDiff,
    departments: Mapping[str, int],
    now: datetime,
) -> None:
    """Write one pool's diff. DEPARTMENTS: department code -> id (for project links)."""

    def project(p: m.Project) -> dict[str, Any]:
        dept = departments.get(p.department_code or "")
        return {"pool_id": pool_id, "project_id": p.project_id, "name": p.name,
                "enabled": p.enabled, "department_id": dept, "synced_at": now}  # fmt: skip

    def flavor(f: m.Flavor) -> dict[str, Any]:
        return {"pool_id": pool_id, "flavor_id": f.flavor_id, "name": f.name,
                "vcpus": f.vcpus, "ram_mib": f.ram_mib, "disk_gib": f.disk_gib}  # fmt: skip

    def quota(q: m.QuotaUsage) -> dict[str, Any]:
        return {"pool_id": pool_id, "project_id": q.project_id, "resource": q.resource.value,
                "limit": q.limit, "in_use": q.in_use, "reserved": q.reserved,
                "synced_at": now}  # fmt: skip

    def capacity(c: m.CapacityRecord) -> dict[str, Any]:
        return {"pool_id": pool_id, "resource_class": c.resource_class, "total": c.total,
                "reserved": c.reserved, "allocation_ratio": c.allocation_ratio, "used": c.used,
                "provider_count": c.provider_count, "synced_at": now}  # fmt: skip

    _apply(conn, P, ("pool_id", "project_id"), diff.projects, project, pool_id)
    _apply(conn, F, ("pool_id", "flavor_id"), diff.flavors, flavor, pool_id)
    servers = _Tracked(S, "server_id", lambda s: _server_values(pool_id, s), True)
    _apply_tracked(conn, servers, diff.servers, pool_id, now)
    volumes = _Tracked(V, "volume_id", lambda v: _volume_values(pool_id, v), False)
    _apply_tracked(conn, volumes, diff.volumes, pool_id, now)
    snaps = _Tracked(N, "snapshot_id", lambda n: _snapshot_values(pool_id, n), False)
    _apply_tracked(conn, snaps, diff.snapshots, pool_id, now)
    _apply(conn, Q, ("pool_id", "project_id", "resource"), diff.quotas, quota, pool_id)
    _apply(conn, C, ("pool_id", "resource_class"), diff.capacity, capacity, pool_id)
    # the kinds below keep no history: what a complete listing no longer has is deleted
    for row, pk, kind, values in _PLAIN_KINDS:
        _apply(conn, row, ("pool_id", *pk), getattr(diff, kind), partial(values, pool_id),
               pool_id)  # fmt: skip
    for row in (P, Q, C):  # "this is what the cloud said at <now>", also for unchanged rows
        conn.execute(update(row).where(row.c.pool_id == pool_id).values(synced_at=now))


@dataclass(frozen=True)
class _Tracked:
    table: Table
    id_col: str
    values: Callable[[Any], dict[str, Any]]
    first_seen: bool


def _server_values(pool_id: int, s: m.Server) -> dict[str, Any]:
    return {
        "pool_id": pool_id, "server_id": s.server_id, "name": s.name,
        "project_id": s.project_id, "status": s.status, "flavor_name": s.flavor_name,
        "vcpus": s.vcpus, "ram_mib": s.ram_mib, "disk_gib": s.disk_gib, "host": s.host,
        "availability_zone": s.availability_zone, "addresses": list(s.addresses),
        "system_code": s.system_code, "created_at": s.created_at, "updated_at": s.updated_at,
    }  # fmt: skip


def _volume_values(pool_id: int, v: m.Volume) -> dict[str, Any]:
    return {
        "pool_id": pool_id, "volume_id": v.volume_id, "name": v.name,
        "project_id": v.project_id, "size_gib": v.size_gib, "status": v.status,
        "volume_type": v.volume_type, "attached_server_id": v.attached_server_id,
        "bootable": v.bootable, "created_at": v.created_at, "updated_at": v.updated_at,
    }  # fmt: skip


def _snapshot_values(pool_id: int, n: m.Snapshot) -> dict[str, Any]:
    return {
        "pool_id": pool_id, "snapshot_id": n.snapshot_id, "name": n.name,
        "project_id": n.project_id, "volume_id": n.volume_id, "size_gib": n.size_gib,
        "status": n.status, "created_at": n.created_at,
    }  # fmt: skip


def _backend_values(pool_id: int, b: m.StorageBackend) -> dict[str, Any]:
    return {
        "pool_id": pool_id, "name": b.name, "backend_name": b.backend_name,
        "total_gib": b.total_gib, "free_gib": b.free_gib, "allocated_gib": b.allocated_gib,
        "provisioned_gib": b.provisioned_gib,
        "max_over_subscription_ratio": b.max_over_subscription_ratio,
        "reserved_pct": b.reserved_pct, "thin": b.thin, "thick": b.thick,
    }  # fmt: skip


def _volume_type_values(pool_id: int, v: m.VolumeType) -> dict[str, Any]:
    return {"pool_id": pool_id, "type_id": v.type_id, "name": v.name,
            "backend_name": v.backend_name, "is_public": v.is_public}  # fmt: skip


def _type_quota_values(pool_id: int, q: m.TypeQuotaUsage) -> dict[str, Any]:
    return {"pool_id": pool_id, "project_id": q.project_id, "volume_type": q.volume_type,
            "resource": q.resource.value, "limit": q.limit, "in_use": q.in_use,
            "reserved": q.reserved}  # fmt: skip


def _port_values(pool_id: int, p: m.Port) -> dict[str, Any]:
    return {
        "pool_id": pool_id, "port_id": p.port_id, "project_id": p.project_id,
        "network_id": p.network_id, "device_id": p.device_id, "device_owner": p.device_owner,
        "fixed_ips": list(p.fixed_ips), "security_group_ids": list(p.security_group_ids),
        "status": p.status,
    }  # fmt: skip


def _floating_ip_values(pool_id: int, f: m.FloatingIp) -> dict[str, Any]:
    return {
        "pool_id": pool_id, "fip_id": f.fip_id, "project_id": f.project_id,
        "address": f.address, "network_id": f.network_id, "status": f.status,
        "port_id": f.port_id, "fixed_address": f.fixed_address, "server_id": f.server_id,
        "created_at": f.created_at, "updated_at": f.updated_at,
    }  # fmt: skip


def _security_group_values(pool_id: int, g: m.SecurityGroup) -> dict[str, Any]:
    return {"pool_id": pool_id, "group_id": g.group_id, "project_id": g.project_id,
            "name": g.name, "rules": [asdict(r) for r in g.rules]}  # fmt: skip


def _allocation_values(pool_id: int, a: m.ProjectAllocation) -> dict[str, Any]:
    return {"pool_id": pool_id, "project_id": a.project_id, "vcpus": a.vcpus,
            "ram_mib": a.ram_mib, "disk_gib": a.disk_gib}  # fmt: skip


# (row, key after pool_id in the order of `core.sync`'s key, PoolDiff field, values)
_PLAIN_KINDS: tuple[tuple[Table, tuple[str, ...], str, Callable[[int, Any], Any]], ...] = (
    (SB, ("name",), "backends", _backend_values),
    (VT, ("type_id",), "volume_types", _volume_type_values),
    (TQ, ("project_id", "volume_type", "resource"), "type_quotas", _type_quota_values),
    (PT, ("port_id",), "ports", _port_values),
    (FIP, ("fip_id",), "floating_ips", _floating_ip_values),
    (SG, ("group_id",), "security_groups", _security_group_values),
    (AL, ("project_id",), "allocations", _allocation_values),
)


def _apply(
    conn: Connection,
    table: Table,
    pk: Sequence[str],
    diff: KindDiff[Any, Any],
    values: Callable[[Any], dict[str, Any]],
    pool_id: int,
) -> None:
    """Insert added, update changed by primary key, delete removed (rows that are gone)."""
    for batch in _chunks(diff.added, BATCH):
        conn.execute(insert(table), [values(r) for r in batch])
    _update_by_pk(conn, table, pk, diff.changed, values)
    if diff.removed:
        _delete_keys(conn, table, pk, pool_id, diff.removed)


def _apply_tracked(
    conn: Connection, kind: _Tracked, diff: KindDiff[str, Any], pool_id: int, now: datetime
) -> None:
    """Servers and volumes: gone rows are marked deleted (history stays), seen rows touched."""
    table, values = kind.table, kind.values
    seen = {"last_seen": now, **({"first_seen": now} if kind.first_seen else {})}
    live = and_(table.c.pool_id == pool_id, table.c.deleted_at.is_(None))
    conn.execute(update(table).where(live).values(last_seen=now))
    for batch in _chunks(diff.added, BATCH):
        conn.execute(insert(table), [{**values(r), **seen} for r in batch])
    pk = ("pool_id", kind.id_col)
    _update_by_pk(
        conn, table, pk, diff.revived, lambda r: {**values(r), **seen, "deleted_at": None}
    )
    _update_by_pk(conn, table, pk, diff.changed, values)
    for chunk in _chunks(diff.removed, CHUNK):
        conn.execute(
            update(table)
            .where(table.c.pool_id == pool_id, table.c[kind.id_col].in_(chunk))
            .values(deleted_at=now)
        )


def _update_by_pk(
    conn: Connection,
    table: Table,
    pk: Sequence[str],
    records: Sequence[Any],
    values: Callable[[Any], dict[str, Any]],
) -> None:
    if not records:
        return
    cols = [c for c in values(records[0]) if c not in pk]
    stmt = (
        update(table)
        .where(*[table.c[k] == bindparam(f"pk_{k}") for k in pk])
        .values({c: bindparam(c) for c in cols})
    )
    for batch in _chunks(records, BATCH):
        rows = [values(r) for r in batch]
        conn.execute(stmt, [{**r, **{f"pk_{k}": r[k] for k in pk}} for r in rows])


def _delete_keys(
    conn: Connection, table: Table, pk: Sequence[str], pool_id: int, keys: Sequence[Any]
) -> None:
    rest = [k for k in pk if k != "pool_id"]
    if len(rest) == 1:
        for chunk in _chunks(keys, CHUNK):
            conn.execute(
                delete(table).where(table.c.pool_id == pool_id, table.c[rest[0]].in_(chunk))
            )
        return
    stmt = delete(table).where(
        table.c.pool_id == pool_id, *[table.c[k] == bindparam(f"pk_{k}") for k in rest]
    )
    names = [f"pk_{k}" for k in rest]
    for batch in _chunks(keys, BATCH):
        conn.execute(stmt, [dict(zip(names, key, strict=True)) for key in batch])


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- unassigned objects -----------------------------------------------------------------------


def replace_unassigned(
    conn: Connection, cloud: str, region: str, rows: Sequence[m.Unassigned], now: datetime
) -> None:
    """What the sync of CLOUD/REGION could place in no pool, replacing that region's previous
    list (in the caller's transaction, with the region's pools). An object listed twice is
    kept once."""
    if any((u.cloud, u.region) != (cloud, region) for u in rows):
        raise ValueError(f"unassigned objects of another region given for {cloud}/{region}")
    conn.execute(delete(U).where(U.c.cloud == cloud, U.c.region == region))
    unique = {(u.kind, u.object_id): u for u in rows}
    values = [
        {"cloud": cloud, "region": region, "kind": u.kind, "object_id": u.object_id,
         "name": u.name, "project_id": u.project_id, "reason": u.reason, "seen_at": now}
        for u in unique.values()
    ]  # fmt: skip
    for batch in _chunks(values, BATCH):
        conn.execute(insert(U), batch)


def read_unassigned(conn: Connection) -> list[m.Unassigned]:
    """Every region's unassigned objects, by cloud, region, kind and id."""
    query = select(U).order_by(U.c.cloud, U.c.region, U.c.kind, U.c.object_id)
    return [
        m.Unassigned(r.cloud, r.region, r.kind, r.object_id, r.name, r.project_id, r.reason)
        for r in conn.execute(query)
    ]


# --- usage history ----------------------------------------------------------------------------


def record_usage(conn: Connection, pool_id: int, pool_code: str, now: datetime) -> m.UsagePoint:
    """Append what the pool's live servers and volumes hold now (after `apply_diff`, in its
    transaction): one point of the history exhaustion forecasts fit a trend to."""
    servers = conn.execute(
        select(func.count(), func.sum(S.c.vcpus), func.sum(S.c.ram_mib)).where(
            S.c.pool_id == pool_id, S.c.deleted_at.is_(None)
        )
    ).one()
    volume_gib = conn.execute(
        select(func.sum(V.c.size_gib)).where(V.c.pool_id == pool_id, V.c.deleted_at.is_(None))
    ).scalar_one()
    point = m.UsagePoint(
        pool_code, now, int(servers[0]), int(servers[1] or 0), int(servers[2] or 0),
        int(volume_gib or 0),
    )  # fmt: skip
    values = {k: getattr(point, k) for k in ("ts", "servers", "vcpus", "ram_mib", "volume_gib")}
    conn.execute(insert(t.PoolUsageRow).values(pool_id=pool_id, **values))
    return point


def latest_usage(conn: Connection) -> list[m.UsagePoint]:
    """Each pool's newest usage point."""
    u = t.PoolUsageRow
    newest = select(u.c.pool_id, func.max(u.c.ts).label("ts")).group_by(u.c.pool_id).subquery()
    query = (
        select(t.PoolRow.c.code, u.c.ts, u.c.servers, u.c.vcpus, u.c.ram_mib, u.c.volume_gib)
        .join(newest, and_(newest.c.pool_id == u.c.pool_id, newest.c.ts == u.c.ts))
        .join(t.PoolRow, t.PoolRow.c.id == u.c.pool_id)
    )
    return [m.UsagePoint(*row) for row in conn.execute(query)]


def replace_usage(conn: Connection, points: Sequence[m.UsagePoint]) -> int:
    """Store POINTS as usage history, replacing each pool's points within their time span
    (demo and benchmark stores: a re-run replaces, never doubles)."""
    u = t.PoolUsageRow
    ids = pool_ids(conn)
    by_pool: dict[str, list[m.UsagePoint]] = {}
    for p in points:
        by_pool.setdefault(p.pool_code, []).append(p)
    for code, pts in by_pool.items():
        conn.execute(
            delete(u).where(
                u.c.pool_id == ids[code],
                u.c.ts >= min(p.ts for p in pts),
                u.c.ts <= max(p.ts for p in pts),
            )
        )
    rows = [
        {"pool_id": ids[p.pool_code], "ts": p.ts, "servers": p.servers, "vcpus": p.vcpus,
         "ram_mib": p.ram_mib, "volume_gib": p.volume_gib}
        for p in points
    ]  # fmt: skip
    if rows:
        conn.execute(insert(u), rows)
    return len(rows)


# --- sync runs --------------------------------------------------------------------------------


def start_run(conn: Connection, pool_id: int, now: datetime) -> int:
    r = t.SyncRunRow
    return int(
        conn.execute(
            insert(r).values(pool_id=pool_id, started_at=now, status="running").returning(r.c.id)
        ).scalar_one()
    )


def finish_run(
    conn: Connection,
    run_id: int,
    *,
    status: str,
    now: datetime,
    counts: dict[str, object] | None = None,
    error: str | None = None,
) -> None:
    r = t.SyncRunRow
    conn.execute(
        update(r)
        .where(r.c.id == run_id)
        .values(status=status, finished_at=now, counts=counts, error=error)
    )


def last_runs(conn: Connection, pool_ids: Sequence[int]) -> dict[int, LastRun]:
    """Each pool's newest finished sync run (runs still marked running are ignored: one that
    died wrote nothing), with the watermark and the time of the last full listing it
    recorded in its counts (`sync` key)."""
    r = t.SyncRunRow
    newest = (
        select(r.c.pool_id, func.max(r.c.id).label("id"))
        .where(r.c.pool_id.in_(pool_ids), r.c.status != "running")
        .group_by(r.c.pool_id)
        .subquery()
    )
    out = {}
    for row in conn.execute(select(r).join(newest, newest.c.id == r.c.id)):
        info = (row.counts or {}).get("sync") if isinstance(row.counts, dict) else None
        info = info if isinstance(info, dict) else {}
        layout = info.get("layout")
        out[row.pool_id] = LastRun(
            row.status,
            _moment(info.get("watermark")),
            _moment(info.get("full_at")),
            layout if isinstance(layout, str) else None,
        )
    return out


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def department_ids(conn: Connection) -> dict[str, int]:
    return {code: dept_id for code, dept_id in conn.execute(select(D.c.code, D.c.id))}
