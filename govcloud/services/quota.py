"""Quota use cases: show (store), check (store) and plan (inventory + live cloud).

A plan is sealed with the audit key and recorded in the trail (event `quota.plan`, with the
declared inventory's digest and the seal); a plan file the trail does not record is removed
again. Apply (services/quota_apply.py) runs only plans this installation sealed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcloud.adapters.files import write_private
from govcloud.adapters.openstack.config import CloudTarget, clouds_yaml_path, connect
from govcloud.adapters.openstack.quota_api import QuotaApi, Reading
from govcloud.adapters.store import (
    declared_repo,
    limits_repo,
    observed_repo,
    quota_repo,
    storage_repo,
)
from govcloud.core import address_capacity, lookup
from govcloud.core.capacity import Allocated
from govcloud.core.errors import (
    CloudError,
    GovcloudError,
    NotFoundError,
    StoreError,
    UsageError,
    ValidationError,
)
from govcloud.core.models import (
    CapacityRecord,
    Department,
    Pool,
    ProjectBinding,
    QuotaResource,
    TypeQuotaUsage,
    split_wire_name,
)
from govcloud.core.quota_check import (
    PoolQuotaCheck,
    QuotaView,
    check_pool,
    check_public,
    check_storage,
    quota_view,
    sort_views,
    unified_note,
)
from govcloud.services import trail
from govcloud.services.settings import Settings

if TYPE_CHECKING:  # pydantic: only plans need it, not quota show|check
    from govcloud.core import quota_plan as qp
from govcloud.services.store import opened
from govcloud.services.views import read_storage

TIMEOUT_S = 30.0


# --- show and check (store only) --------------------------------------------------------------


def show(
    settings: Settings, tenant: str | None, pool: str | None, resource: str | None
) -> list[QuotaView]:
    """Every quota of every project: Nova, Cinder (with per-volume-type rows under their wire
    names, `gigabytes_ssd`) and Neutron; approved beside the cloud's limit and usage."""
    if resource is not None:
        try:
            split_wire_name(resource)
        except ValidationError:
            raise UsageError(
                f"unknown quota resource {resource!r}",
                hint="resources: "
                + ", ".join(r.value for r in QuotaResource)
                + ", or gigabytes_<type>, volumes_<type>, snapshots_<type>",
            ) from None
    with opened(settings) as store, store.read() as conn:
        # a department or pool named in any case or by name; unknown ones are NotFoundError
        tenant = tenant and lookup.department_code(declared_repo.read_departments(conn), tenant)
        pool = pool and lookup.pool_code(declared_repo.read_pools(conn), pool)
        rows = quota_repo.quota_rows(conn, tenant, pool, None)
        typed = storage_repo.type_quotas(conn, pool)
        unified = limits_repo.unified_by_pool(conn)
    views = [
        replace(v, limit_from="keystone")
        if _service(v.resource) in unified.get(v.pool, frozenset())
        else v
        for v in _with_type_quotas(rows, typed, tenant is not None)
    ]
    return sort_views([v for v in views if resource is None or v.resource == resource])


def limit_notes(settings: Settings, pool: str | None = None) -> list[str]:
    """One line per pool whose quota limits Keystone keeps (unified limits), as its newest
    sync recorded: `quota show|check` say so beside their numbers."""
    with opened(settings) as store, store.read() as conn:
        unified = limits_repo.unified_by_pool(conn)
    return [
        f"pool {code}: {unified_note(services)}"
        for code, services in sorted(unified.items())
        if pool is None or code == pool
    ]


def _service(wire_name: str) -> str:
    return split_wire_name(wire_name)[0].service


def _with_type_quotas(
    rows: Sequence[Any], typed: Sequence[TypeQuotaUsage], filtered: bool
) -> list[QuotaView]:
    """The store's quota rows plus its per-type quotas, each with the department and approved
    value its project's other rows carry. Per-type approved quotas only appear in the rows as
    "declared" (the cloud's per-type figures are kept apart): they are matched here."""
    known = {r.value for r in QuotaResource}
    names: dict[tuple[str, str], tuple[Any, ...]] = {}
    approved: dict[tuple[str, str | None, str], tuple[Any, ...]] = {}
    views = []
    for row in rows:
        pool, dept, dept_zh, dept_en, project, project_id, res = row[:7]
        if res in known:
            views.append(quota_view(*row))
            if project_id is not None:
                names[(pool, project_id)] = (dept, dept_zh, dept_en, project)
        else:
            approved[(pool, dept, res)] = tuple(row)
    for q in typed:
        who = names.get((q.pool_code, q.project_id))
        if who is None and filtered:
            continue  # a project of another department
        dept, dept_zh, dept_en, project = who or (None, None, None, None)
        declared = approved.pop((q.pool_code, dept, q.wire_name), None)
        views.append(
            quota_view(
                q.pool_code,
                dept,
                dept_zh,
                dept_en,
                project,
                q.project_id,
                q.wire_name,
                None if declared is None else declared[7],
                q.limit,
                q.in_use,
                q.reserved,
            )
        )
    views += [quota_view(*row) for row in approved.values()]  # declared, not synced
    return views


def check(settings: Settings, pool: str | None = None) -> list[PoolQuotaCheck]:
    """Per pool: cores and RAM against Placement, then storage (`gigabytes`, and per volume
    type `gigabytes_<type>`) against the Cinder backends the pool holds."""
    with opened(settings) as store, store.read() as conn:
        pools = declared_repo.read_pools(conn)
        capacity = observed_repo.capacity_by_pool(conn)
        allocated = observed_repo.allocated_by(conn, "pool")
        committed = quota_repo.committed_by_pool(conn)
        storage = read_storage(conn, pools, committed)
    pool = pool and lookup.pool_code(pools, pool)  # any case, or by name; unknown: NotFoundError
    rows: list[PoolQuotaCheck] = []
    for p in pools:
        if pool is None or p.code == pool:
            sums = committed.get(p.code, {})
            rows += check_pool(
                p,
                capacity.get(p.code, {}),
                allocated.get(p.code, Allocated()),
                {r: total for r, (total, _) in sums.items()},
                {r: unlimited for r, (_, unlimited) in sums.items()},
            )
            rows += [check_storage(p, c) for c in storage.get(p.code, []) if not c.idle_type]
            rows += _public_row(p, pools, capacity, committed, holder_only=pool is None)
    return rows


def _public_row(
    p: Pool,
    pools: Sequence[Pool],
    capacity: Mapping[str, Mapping[str, CapacityRecord]],
    committed: Mapping[str, Mapping[QuotaResource, tuple[int, int]]],
    *,
    holder_only: bool,
) -> list[PoolQuotaCheck]:
    """The region's `floatingip` row, once: on its holder pool (or on the one pool asked
    for). None for a region that has no public count and promises no floating IP."""
    region = [s for s in pools if (s.cloud, s.region) == (p.cloud, p.region)]
    code = address_capacity.holder(
        [(s.code, bool(s.availability_zone or s.aggregate)) for s in region]
    )
    if holder_only and p.code != code:
        return []
    record = capacity.get(code or "", {}).get(address_capacity.PUBLIC_IPV4)
    fip = QuotaResource.FLOATINGIP
    sums = [committed.get(s.code, {}).get(fip, (0, 0)) for s in region]
    quota, unlimited = sum(t for t, _ in sums), sum(u for _, u in sums)
    if record is None and not quota and not unlimited:
        return []
    holder = next(s for s in region if s.code == code)
    return [check_public(holder, f"{p.cloud}/{p.region}", record, quota, unlimited)]


# --- plan -------------------------------------------------------------------------------------


def plan(
    settings: Settings,
    inventory_dir: Path | None,
    pool: str | None,
    tenant: str | None,
    out: Path | None,
) -> qp.QuotaPlan:
    """Approved quotas vs the cloud's current limits, read live; written to OUT if given."""
    from govcloud.core import quota_plan as qp

    if out is not None:
        _check_plan_target(out)  # before any cloud call
    pools, departments = _declared(settings, inventory_dir)
    bindings = _select(pools, departments, pool, tenant)
    by_code = {p.code: p for p in pools}
    clouds_yaml = clouds_yaml_path(settings.clouds_yaml)
    readings: list[qp.ProjectReading] = []
    missing: list[qp.MissingProject] = []
    read_only: dict[str, list[str]] = {}
    notes: list[str] = []
    for pool_code in sorted({b.pool_code for b in bindings}):
        target = _target(by_code[pool_code])
        with _api(target, clouds_yaml) as api:
            unified = api.unified_limits()
            if unified.in_use:
                read_only[pool_code] = sorted(unified.services)
                notes.append(unified.message(pool_code))
            ids = api.project_ids()
            skipped: set[str] = set()
            for b in (b for b in bindings if b.pool_code == pool_code):
                project_id = _resolve(b, ids)
                if project_id is None:
                    missing.append(
                        qp.MissingProject(
                            pool=pool_code, department=b.department_code, project=b.project_name
                        )
                    )
                    continue
                found = api.read(project_id)
                skipped.update(found.skipped)
                readings.append(_reading(target, b, project_id, found))
            notes += [
                f"pool {pool_code}: {why}: its quotas are not planned" for why in sorted(skipped)
            ]
    digest = qp.inventory_digest([b for d in departments for b in d.projects])
    result = qp.build_plan(
        bindings, readings, missing, datetime.now(UTC), read_only, notes, digest=digest
    )
    result = qp.sealed(result, trail.signer(settings))
    if out is not None or inventory_dir is not None:
        result = _recorded(settings, inventory_dir, out, result)
    return result


def _recorded(
    settings: Settings, inventory_dir: Path | None, out: Path | None, result: qp.QuotaPlan
) -> qp.QuotaPlan:
    """Write the plan (if OUT) and record it; a plan the trail does not know is removed again.
    Says so when the store declares another inventory: apply would refuse the plan."""
    from govcloud.core import quota_plan as qp

    with opened(settings) as store:
        with store.read() as conn:
            stored = [b for d in declared_repo.read_departments(conn) for b in d.projects]
        if qp.inventory_digest(stored) != result.inventory_digest:
            note = "the store holds another declared inventory: `govcloud inventory load "
            note += f"{inventory_dir or 'DIR'}` before `quota apply`, or apply refuses the plan"
            noted = result.model_copy(update={"notes": (*result.notes, note)})
            result = qp.sealed(noted, trail.signer(settings))
        if out is not None:
            _write_plan(out, result)
        record = trail.stamp(
            settings,
            event="quota.plan",
            object_type="quota_plan",
            object_id=str(out) if out is not None else "-",
            after={
                "inventory": str(inventory_dir) if inventory_dir is not None else "store",
                "inventory_digest": result.inventory_digest,
                "seal": result.seal,
                "changes": len(result.changes),
                "held": len(result.held),
            },
        )
        try:
            trail.record_event(store, settings, record)
        except StoreError:
            if out is not None:
                out.unlink(missing_ok=True)
            raise
    return result


def _declared(
    settings: Settings, inventory_dir: Path | None
) -> tuple[list[Pool], list[Department]]:
    if inventory_dir is not None:
        from govcloud.services.inventory import read_inventory

        inv = read_inventory(inventory_dir)
        return list(inv.pools), list(inv.departments)
    with opened(settings) as store, store.read() as conn:
        return declared_repo.read_pools(conn), declared_repo.read_departments(conn)


def _select(
    pools: Sequence[Pool], departments: Sequence[Department], pool: str | None, tenant: str | None
) -> list[ProjectBinding]:
    pool = pool and lookup.pool_code(pools, pool)  # one rule: any case, names too, closest as hint
    code = tenant and lookup.department_code(departments, tenant)
    chosen = [d for d in departments if code is None or d.code == code]
    bindings = [b for d in chosen for b in d.projects if pool is None or b.pool_code == pool]
    if not bindings:
        raise NotFoundError(
            "no declared projects to plan for", hint="declare projects under departments first"
        )
    return bindings


def _target(pool: Pool) -> CloudTarget:
    return CloudTarget(pool.code, pool.cloud, pool.region)


@contextmanager
def _api(target: CloudTarget, clouds_yaml: Path) -> Iterator[QuotaApi]:
    conn = connect(target, clouds_yaml, TIMEOUT_S)
    try:
        yield QuotaApi(conn, target.pool_code)
    finally:
        conn.close()


def _resolve(binding: ProjectBinding, ids: dict[str, list[str]]) -> str | None:
    if binding.project_id is not None:
        known = {i for group in ids.values() for i in group}
        candidates = [binding.project_id] if binding.project_id in known else []
    else:
        candidates = ids.get(binding.project_name, [])
    if len(candidates) > 1:
        raise CloudError(
            f"pool {binding.pool_code}: {len(candidates)} projects are named "
            f"{binding.project_name!r}",
            hint="declare the project_id of the department's project in the inventory",
        )
    return candidates[0] if candidates else None


def _reading(
    target: CloudTarget,
    binding: ProjectBinding,
    project_id: str,
    found: Reading,
) -> qp.ProjectReading:
    from govcloud.core import quota_plan as qp

    what = binding.project_name
    return qp.ProjectReading(
        pool=target.pool_code,
        cloud=target.cloud,
        region=target.region,
        department=binding.department_code,
        project=binding.project_name,
        project_id=project_id,
        limits={r: qp.check_limit(v, f"{what} {r}") for r, v in found.limits.items()},
        in_use=found.in_use,
        type_limits={k: qp.check_limit(v, f"{what} {k}") for k, v in found.type_limits.items()},
        type_in_use=found.type_in_use,
    )


def _is_plan(path: Path) -> bool:
    from govcloud.core import quota_plan as qp

    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return f'"format": "{qp.PLAN_FORMAT}"'.encode() in head or (
        f'"format":"{qp.PLAN_FORMAT}"'.encode() in head
    )


def _write_plan(path: Path, result: qp.QuotaPlan) -> None:
    """Atomically and 0600: a half-written plan must never be found by `quota apply`."""
    from govcloud.core import quota_plan as qp

    _check_plan_target(path)
    try:
        write_private(path, qp.to_json(result).encode())
    except GovcloudError as exc:
        raise UsageError(f"cannot write plan: {exc.message}") from None


def _check_plan_target(path: Path) -> None:
    """An existing file is replaced only when it is a plan (a mistyped -f must not eat a file;
    run as root, any file)."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UsageError(f"cannot write plan: {path} is not a plain file")
    if path.exists() and not _is_plan(path):
        raise UsageError(
            f"cannot write plan: {path} exists and is not a quota plan",
            hint="write the plan to a new file name",
        )
