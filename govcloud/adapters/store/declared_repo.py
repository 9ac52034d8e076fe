"""Writing the declared inventory into the store and reading it back as domain records.

Loading upserts by code, so observed rows that hang off pools and departments survive a reload;
what the inventory no longer declares is removed. Unit prices have no code of their own and
nothing hangs off them: each load replaces the whole set. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from govcloud.adapters.store import schema as t
from govcloud.core import models as m


@dataclass
class LoadCounts:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass
class LoadSummary:
    counts: dict[str, LoadCounts] = field(default_factory=dict)
    removals: dict[str, int] = field(default_factory=dict)  # planned_removals, all kinds


# What a load removes, in the order shown to the operator; the observed kinds go with a pool.
REMOVAL_KINDS = (
    "pools",
    "departments",
    "projects",
    "approved_quotas",
    "systems",
    "jump_hosts",
    "legacy_hosts",
    "prices",
    "servers",
    "volumes",
)


def planned_removals(conn: Connection, inv: m.Inventory) -> dict[str, int]:
    """What loading INV would delete, cascades included (a removed department takes its
    projects, their approved quotas and its systems; a removed pool its synced servers)."""
    pools = {p.code for p in inv.pools}
    depts = {d.code for d in inv.departments}
    bindings = {(d.code, pb.pool_code) for d in inv.departments for pb in d.projects}
    systems = {s.code for s in inv.systems}
    P, D, B = t.PoolRow, t.DepartmentRow, t.ProjectBindingRow
    pool_code = {r.id: r.code for r in conn.execute(select(P.c.id, P.c.code))}
    dept_code = {r.id: r.code for r in conn.execute(select(D.c.id, D.c.code))}
    gone_bindings = {
        r.id
        for r in conn.execute(select(B.c.id, B.c.department_id, B.c.pool_id))
        if (dept_code[r.department_id], pool_code[r.pool_id]) not in bindings
    }
    gone_pools = [i for i, code in pool_code.items() if code not in pools]
    quotas = conn.execute(select(t.ApprovedQuotaRow.c.binding_id)).scalars()
    old_prices = {_price_key(p) for p in read_prices(conn)}
    new_prices = {_price_key(p) for p in inv.prices}
    return {
        "pools": len(gone_pools),
        "departments": sum(1 for code in dept_code.values() if code not in depts),
        "projects": len(gone_bindings),
        "approved_quotas": sum(1 for b in quotas if b in gone_bindings),
        "systems": sum(
            1
            for code, dept in conn.execute(
                select(t.BusinessSystemRow.c.code, t.BusinessSystemRow.c.department_id)
            )
            if code not in systems or dept_code[dept] not in depts
        ),
        "jump_hosts": _gone(conn, t.JumpHostRow.c.name, {j.name for j in inv.jump_hosts}),
        "legacy_hosts": _gone(conn, t.LegacyHostRow.c.name, {h.name for h in inv.legacy_hosts}),
        "prices": len(old_prices - new_prices),
        "servers": _count_in(conn, t.ServerRow.c.pool_id, gone_pools),
        "volumes": _count_in(conn, t.VolumeRow.c.pool_id, gone_pools),
    }


def _gone(conn: Connection, column: Any, wanted: set[str]) -> int:
    return sum(1 for name in conn.execute(select(column)).scalars() if name not in wanted)


def _count_in(conn: Connection, column: Any, ids: list[int]) -> int:
    if not ids:
        return 0
    return int(conn.execute(select(func.count()).where(column.in_(ids))).scalar_one())


def load_inventory(conn: Connection, inv: m.Inventory) -> LoadSummary:
    """Upsert and prune; `removed` counts come from the plan, so rows a cascade takes along
    (the projects and systems of a removed department) are counted too."""
    removals = planned_removals(conn, inv)
    summary = LoadSummary()
    summary.counts["pools"] = _sync_table(
        conn, t.PoolRow, "code", [_pool_values(p) for p in inv.pools]
    )
    summary.counts["departments"] = _sync_table(
        conn, t.DepartmentRow, "code", [_dept_values(d) for d in inv.departments]
    )
    pool_ids = _ids(conn, t.PoolRow, "code")
    dept_ids = _ids(conn, t.DepartmentRow, "code")
    summary.counts["projects"] = _load_bindings(conn, inv.departments, pool_ids, dept_ids)
    summary.counts["systems"] = _sync_table(
        conn, t.BusinessSystemRow, "code", [_system_values(s, dept_ids) for s in inv.systems]
    )
    summary.counts["jump_hosts"] = _sync_table(
        conn, t.JumpHostRow, "name", [_jump_values(j) for j in inv.jump_hosts]
    )
    summary.counts["legacy_hosts"] = _sync_table(
        conn, t.LegacyHostRow, "name", [_host_values(h) for h in inv.legacy_hosts]
    )
    summary.counts["prices"] = _replace_prices(conn, inv.prices)
    conn.execute(delete(t.SettingRow).where(t.SettingRow.c.key == "system_metadata_key"))
    conn.execute(
        insert(t.SettingRow).values(key="system_metadata_key", value=inv.system_metadata_key)
    )
    relink_projects(conn)
    for kind, counts in summary.counts.items():
        counts.removed = removals[kind]
    summary.removals = removals
    return summary


def _sync_table(
    conn: Connection, table: Table, key: str, rows: Sequence[dict[str, Any]]
) -> LoadCounts:
    """Upsert rows by their natural key and delete rows that are no longer declared."""
    counts = LoadCounts()
    cols = [c for c in rows[0]] if rows else []
    key_col = table.c[key]
    existing = (
        {
            r[0]: dict(zip(cols, r[1:], strict=True))
            for r in conn.execute(select(key_col, *[table.c[c] for c in cols]))
        }
        if cols
        else {r[0]: {} for r in conn.execute(select(key_col))}
    )
    wanted = {row[key]: row for row in rows}
    for code, row in wanted.items():
        old = existing.get(code)
        if old is None:
            conn.execute(insert(table).values(**row))
            counts.added += 1
        elif old != row:
            conn.execute(update(table).where(key_col == code).values(**row))
            counts.changed += 1
        else:
            counts.unchanged += 1
    gone = [code for code in existing if code not in wanted]
    if gone:
        conn.execute(delete(table).where(key_col.in_(gone)))
        counts.removed = len(gone)
    return counts


def _replace_prices(conn: Connection, prices: Sequence[m.UnitPrice]) -> LoadCounts:
    """Swap in the declared set; counts compare periods by (resource, pool, valid_from)."""
    old = {_price_key(p): p for p in read_prices(conn)}
    new = {_price_key(p): p for p in prices}
    counts = LoadCounts(removed=sum(1 for k in old if k not in new))
    for key, price in new.items():
        if key not in old:
            counts.added += 1
        elif old[key] != price:
            counts.changed += 1
        else:
            counts.unchanged += 1
    conn.execute(delete(t.UnitPriceRow))
    if prices:
        conn.execute(insert(t.UnitPriceRow), [_price_values(p) for p in prices])
    return counts


def _price_key(p: m.UnitPrice) -> tuple[str, str | None, date]:
    return (p.resource, p.pool_code, p.valid_from)


def _price_values(p: m.UnitPrice) -> dict[str, Any]:
    return {
        "resource": p.resource,
        "pool_code": p.pool_code,
        "yuan_per_month": p.yuan_per_month,
        "valid_from": p.valid_from,
        "valid_to": p.valid_to,
    }


def _ids(conn: Connection, table: Table, key: str) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute(select(table.c[key], table.c.id))}


def _load_bindings(
    conn: Connection,
    departments: Iterable[m.Department],
    pool_ids: dict[str, int],
    dept_ids: dict[str, int],
) -> LoadCounts:
    counts = LoadCounts()
    b = t.ProjectBindingRow
    existing = {
        (r.department_id, r.pool_id): r
        for r in conn.execute(
            select(b.c.id, b.c.department_id, b.c.pool_id, b.c.project_name, b.c.project_id)
        )
    }
    old_quota: dict[int, dict[str, int]] = {}
    for r in conn.execute(select(t.ApprovedQuotaRow)):
        old_quota.setdefault(r.binding_id, {})[r.resource] = r.limit
    seen: set[tuple[int, int]] = set()
    for dept in departments:
        for pb in dept.projects:
            k = (dept_ids[dept.code], pool_ids[pb.pool_code])
            seen.add(k)
            quota = approved_rows(pb)
            old = existing.get(k)
            if old is None:
                bid = conn.execute(
                    insert(b)
                    .values(
                        department_id=k[0],
                        pool_id=k[1],
                        project_name=pb.project_name,
                        project_id=pb.project_id,
                    )
                    .returning(b.c.id)
                ).scalar_one()
                counts.added += 1
            else:
                bid = old.id
                same = (old.project_name, old.project_id) == (pb.project_name, pb.project_id)
                if same and old_quota.get(bid) == quota:
                    counts.unchanged += 1
                    continue
                conn.execute(
                    update(b)
                    .where(b.c.id == bid)
                    .values(project_name=pb.project_name, project_id=pb.project_id)
                )
                conn.execute(
                    delete(t.ApprovedQuotaRow).where(t.ApprovedQuotaRow.c.binding_id == bid)
                )
                counts.changed += 1
            conn.execute(
                insert(t.ApprovedQuotaRow),
                [{"binding_id": bid, "resource": r, "limit": v} for r, v in quota.items()],
            )
    gone = [r.id for k, r in existing.items() if k not in seen]
    if gone:
        conn.execute(delete(b).where(b.c.id.in_(gone)))
        counts.removed = len(gone)
    return counts


def approved_rows(pb: m.ProjectBinding) -> dict[str, int]:
    """A binding's approved quotas as `approved_quota` rows: per-volume-type ones under their
    wire name (`gigabytes_ssd`), which no `QuotaResource` value can collide with."""
    return {
        **{res.value: v for res, v in pb.approved_quota.items()},
        **pb.approved_type_quota,
    }


def relink_projects(conn: Connection) -> None:
    """Point observed projects at the departments that declare them (by id, else by name)."""
    b, p = t.ProjectBindingRow, t.ProjectRow
    conn.execute(update(p).values(department_id=None))
    for row in conn.execute(
        select(b.c.department_id, b.c.pool_id, b.c.project_name, b.c.project_id)
    ):
        match = p.c.project_id == row.project_id if row.project_id else p.c.name == row.project_name
        conn.execute(
            update(p)
            .where(p.c.pool_id == row.pool_id, match)
            .values(department_id=row.department_id)
        )


def _pool_values(p: m.Pool) -> dict[str, Any]:
    return {
        "code": p.code,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "cloud": p.cloud,
        "region": p.region,
        "availability_zone": p.availability_zone,
        "aggregate": p.aggregate,
        "security_zone": p.security_zone,
        "mlps_level_max": p.mlps_level_max,
        "cpu_ratio": p.ratios.cpu if p.ratios else None,
        "ram_ratio": p.ratios.ram if p.ratios else None,
        "disk_ratio": p.ratios.disk if p.ratios else None,
        "reserve_vcpu": p.reserve.vcpu,
        "reserve_ram_mib": p.reserve.ram_mib,
        "reserve_disk_gib": p.reserve.disk_gib,
        "physical_cpu_cores": p.physical.cpu_cores if p.physical else None,
        "physical_ram_mib": p.physical.ram_mib if p.physical else None,
        "physical_disk_gib": p.physical.disk_gib if p.physical else None,
        "storage_backends": list(p.storage_backends) or None,
    }


def _dept_values(d: m.Department) -> dict[str, Any]:
    return {"code": d.code, "name_zh": d.name_zh, "short_zh": d.short_zh, "name_en": d.name_en}


def _system_values(s: m.BusinessSystem, dept_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "code": s.code,
        "name_zh": s.name_zh,
        "name_en": s.name_en,
        "department_id": dept_ids[s.department_code],
        "mlps_level": s.mlps_level,
        "environment": s.environment.value,
    }


def _jump_values(j: m.JumpHost) -> dict[str, Any]:
    return {
        "name": j.name,
        "address": j.address,
        "port": j.port,
        "ssh_user": j.ssh_user,
        "key_file": j.key_file,
    }


def _host_values(h: m.LegacyHost) -> dict[str, Any]:
    return {
        "name": h.name,
        "address": h.address,
        "port": h.port,
        "ssh_user": h.ssh_user,
        "key_file": h.key_file,
        "jump_host": h.jump_host,
        "system_code": h.system_code,
    }


# --- reading declared records back ------------------------------------------------------------


def pool_from_row(r: Any) -> m.Pool:
    ratios = (
        m.Ratios(r.cpu_ratio, r.ram_ratio, r.disk_ratio)
        if None not in (r.cpu_ratio, r.ram_ratio, r.disk_ratio)
        else None
    )
    physical = (
        m.PhysicalCapacity(r.physical_cpu_cores, r.physical_ram_mib, r.physical_disk_gib)
        if r.physical_cpu_cores is not None
        else None
    )
    return m.Pool(
        code=r.code,
        name_zh=r.name_zh,
        name_en=r.name_en,
        cloud=r.cloud,
        region=r.region,
        security_zone=r.security_zone,
        mlps_level_max=r.mlps_level_max,
        availability_zone=r.availability_zone,
        aggregate=r.aggregate,
        ratios=ratios,
        reserve=m.Reserve(r.reserve_vcpu, r.reserve_ram_mib, r.reserve_disk_gib),
        physical=physical,
        storage_backends=tuple(r.storage_backends or ()),
    )


def read_pools(conn: Connection) -> list[m.Pool]:
    return [pool_from_row(r) for r in conn.execute(select(t.PoolRow).order_by(t.PoolRow.c.code))]


def read_departments(conn: Connection) -> list[m.Department]:
    d, b, p = t.DepartmentRow, t.ProjectBindingRow, t.PoolRow
    quotas: dict[int, dict[m.QuotaResource, int]] = {}
    type_quotas: dict[int, dict[str, int]] = {}
    for q in conn.execute(select(t.ApprovedQuotaRow)):
        if q.resource in m.QuotaResource._value2member_map_:
            quotas.setdefault(q.binding_id, {})[m.QuotaResource(q.resource)] = q.limit
        else:  # a per-volume-type quota, by wire name
            type_quotas.setdefault(q.binding_id, {})[q.resource] = q.limit
    bindings: dict[int, list[m.ProjectBinding]] = {}
    rows = conn.execute(
        select(
            b.c.id,
            b.c.department_id,
            d.c.code,
            p.c.code.label("pool_code"),
            b.c.project_name,
            b.c.project_id,
        )
        .join(d, d.c.id == b.c.department_id)
        .join(p, p.c.id == b.c.pool_id)
        .order_by(p.c.code)
    )
    for r in rows:
        bindings.setdefault(r.department_id, []).append(
            m.ProjectBinding(
                r.code,
                r.pool_code,
                r.project_name,
                quotas.get(r.id, {}),
                r.project_id,
                type_quotas.get(r.id, {}),
            )
        )
    return [
        m.Department(r.code, r.name_zh, r.short_zh, r.name_en, tuple(bindings.get(r.id, ())))
        for r in conn.execute(select(d).order_by(d.c.code))
    ]


def read_systems(conn: Connection) -> list[m.BusinessSystem]:
    bs, d = t.BusinessSystemRow, t.DepartmentRow
    query = (
        select(bs, d.c.code.label("department_code"))
        .join(d, d.c.id == bs.c.department_id)
        .order_by(bs.c.code)
    )
    return [
        m.BusinessSystem(
            code=r.code,
            name_zh=r.name_zh,
            name_en=r.name_en,
            department_code=r.department_code,
            mlps_level=r.mlps_level,
            environment=m.Environment(r.environment),
        )
        for r in conn.execute(query)
    ]


def read_prices(conn: Connection) -> list[m.UnitPrice]:
    """Declared unit prices, by resource, pool (general prices first) and start of validity."""
    u = t.UnitPriceRow
    query = select(
        u.c.resource, u.c.pool_code, u.c.yuan_per_month, u.c.valid_from, u.c.valid_to
    ).order_by(u.c.resource, u.c.pool_code.is_not(None), u.c.pool_code, u.c.valid_from)
    return [
        m.UnitPrice(r.resource, float(r.yuan_per_month), r.valid_from, r.valid_to, r.pool_code)
        for r in conn.execute(query)
    ]


def read_legacy_hosts(conn: Connection) -> list[m.LegacyHost]:
    """Declared legacy servers (hosts.yaml), by name."""
    h = t.LegacyHostRow
    return [
        m.LegacyHost(r.name, r.address, r.port, r.ssh_user, r.system_code, r.key_file, r.jump_host)
        for r in conn.execute(select(h).order_by(h.c.name))
    ]
