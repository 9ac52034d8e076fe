"""Quota use cases: show (store), check (store), plan (inventory + live cloud), apply (live cloud).

Apply's order is the safety argument: validate the plan file and its values (no HTTP), open the
store (the audit trail must be writable), re-read the cloud and reconcile (stale plans and
limits below usage stop here, before any PUT), then per project and service: audit record into
an open transaction, PUT, commit. A record that cannot be written means no PUT; a PUT that fails
rolls its "ok" record back and is recorded again with the outcome "failed".
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from govcloud.adapters.openstack.config import CloudTarget, clouds_yaml_path, connect
from govcloud.adapters.openstack.quota_api import QuotaApi, Reading
from govcloud.adapters.openstack.unified_limits import HINT as UNIFIED_HINT
from govcloud.adapters.store import (
    declared_repo,
    limits_repo,
    observed_repo,
    quota_repo,
    storage_repo,
)
from govcloud.adapters.store.engine import Store, describe
from govcloud.core import address_capacity
from govcloud.core import quota_plan as qp
from govcloud.core.audit_trail import AuditRecord
from govcloud.core.capacity import Allocated
from govcloud.core.errors import (
    CloudError,
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
from govcloud.services.store import command_line, opened
from govcloud.services.views import read_storage

TIMEOUT_S = 30.0
MAX_PLAN_BYTES = 32 * 1024 * 1024


# --- show and check (store only) --------------------------------------------------------------


def show(
    settings: Settings, tenant: str | None, pool: str | None, resource: str | None
) -> list[QuotaView]:
    """Every quota of every project: Nova, Cinder (with per-volume-type rows under their wire
    names, `gigabytes_ssd`) and Neutron; approved beside the cloud's limit and usage."""
    if resource is not None:
        try:
            qp.split_wire_name(resource)
        except ValidationError:
            raise UsageError(
                f"unknown quota resource {resource!r}",
                hint="resources: "
                + ", ".join(r.value for r in QuotaResource)
                + ", or gigabytes_<type>, volumes_<type>, snapshots_<type>",
            ) from None
    with opened(settings) as store, store.read() as conn:
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
    return qp.split_wire_name(wire_name)[0].service


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
    if pool is not None and pool not in {p.code for p in pools}:
        raise NotFoundError(f"no pool {pool!r}", hint="`govcloud pool list` shows the pools")
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
    result = qp.build_plan(bindings, readings, missing, datetime.now(UTC), read_only, notes)
    if out is not None:
        _write_plan(out, result)
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
    if pool is not None and pool not in {p.code for p in pools}:
        raise NotFoundError(f"no pool {pool!r} declared", hint="see `govcloud pool list`")
    chosen = [
        d
        for d in departments
        if tenant is None or tenant in (d.code, d.short_zh, d.name_zh, d.name_en)
    ]
    if tenant is not None and not chosen:
        raise NotFoundError(f"no department {tenant!r}", hint="see `govcloud tenant list`")
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


def _write_plan(path: Path, result: qp.QuotaPlan) -> None:
    """Atomically: a half-written plan must never be found by `quota apply`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(qp.to_json(result), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write plan {path}: {exc.strerror}") from None


# --- apply ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult:
    rows: list[qp.ChangeView]
    calls: int  # PUTs needed (dry run) or sent
    failed: int
    dry_run: bool


def read_plan(path: Path) -> qp.QuotaPlan:
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise UsageError(f"plan {path} is larger than 32 MiB", hint="is it a quota plan?")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"plan file {path} does not exist", hint="write one: `govcloud quota plan -f FILE`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read plan {path}: {exc}") from None
    return qp.parse_plan(text, str(path))


def apply(settings: Settings, plan_path: Path, yes: bool, ticket: str | None) -> ApplyResult:
    plan_ = read_plan(plan_path)
    qp.check_values(plan_)
    if not plan_.changes:
        return ApplyResult([], 0, 0, not yes)
    clouds_yaml = clouds_yaml_path(settings.clouds_yaml)
    with opened(settings) as store:
        targets = {r.pool: CloudTarget(r.pool, r.cloud, r.region) for r in plan_.projects}
        pools = sorted({c.pool for c in plan_.changes})
        with _apis([targets[p] for p in pools], clouds_yaml) as apis:
            steps = qp.reconcile(plan_, _current(plan_, apis))
            calls = qp.pending_by_call(steps)
            _refuse_unified(apis, calls)
            if not yes:
                rows = [_row(s, "already_applied" if s.done else "would_change") for s in steps]
                return ApplyResult(rows, len(calls), 0, True)
            failed = {
                key
                for key, values in calls.items()
                if not _audited_put(store, settings, apis[key[0]], key, values, steps, ticket)
            }
    rows = [_row(s, _status(s, failed)) for s in steps]
    return ApplyResult(rows, len(calls), len(failed), False)


def _refuse_unified(apis: dict[str, QuotaApi], calls: dict[tuple[str, str, str], Any]) -> None:
    """Before any PUT: a service whose limits Keystone keeps is read-only to govcloud (the
    plan may predate the switch to unified limits)."""
    for pool, _, service in sorted(calls):
        unified = apis[pool].unified_limits()
        if unified.covers(service):
            raise UsageError(unified.message(pool), hint=UNIFIED_HINT)


@contextmanager
def _apis(targets: Sequence[CloudTarget], clouds_yaml: Path) -> Iterator[dict[str, QuotaApi]]:
    conns: list[Any] = []
    try:
        apis = {}
        for target in targets:
            conns.append(connect(target, clouds_yaml, TIMEOUT_S))
            apis[target.pool_code] = QuotaApi(conns[-1], target.pool_code)
        yield apis
    finally:
        for conn in conns:
            conn.close()


def _current(
    plan_: qp.QuotaPlan, apis: dict[str, QuotaApi]
) -> dict[tuple[str, str], qp.ProjectReading]:
    """Fresh readings of the projects the plan changes; a project gone from Keystone is an error."""
    wanted = {(c.pool, c.project_id) for c in plan_.changes}
    known: dict[str, set[str]] = {}
    out: dict[tuple[str, str], qp.ProjectReading] = {}
    for reading in plan_.projects:
        key = (reading.pool, reading.project_id)
        if key not in wanted:
            continue
        api = apis[reading.pool]
        if reading.pool not in known:
            known[reading.pool] = {i for ids in api.project_ids().values() for i in ids}
        if reading.project_id not in known[reading.pool]:
            raise UsageError(
                f"unknown project {reading.project} ({reading.project_id}) in pool {reading.pool}",
                hint="the project is gone from Keystone; re-run `govcloud quota plan`",
            )
        found = api.read(reading.project_id)
        out[key] = reading.model_copy(
            update={
                "limits": found.limits,
                "in_use": found.in_use,
                "type_limits": found.type_limits,
                "type_in_use": found.type_in_use,
            }
        )
    return out


def _audited_put(
    store: Store,
    settings: Settings,
    api: QuotaApi,
    key: tuple[str, str, str],
    values: dict[str, int],
    steps: Sequence[qp.ApplyStep],
    ticket: str | None,
) -> bool:
    pool, project_id, service = key
    mine = [s for s in steps if (s.change.pool, s.change.project_id) == (pool, project_id)]
    before: dict[str, Any] = {
        s.change.resource.value: s.current for s in mine if s.change.resource.value in values
    }
    project = mine[0].change.project

    def record(outcome: str, error: str | None = None) -> AuditRecord:
        after: dict[str, Any] = {"project": project, **values}
        return AuditRecord(
            ts=datetime.now(UTC),
            operator=settings.operator,
            os_user=settings.os_user,
            command=command_line(),
            object_type=f"quota.{service}",
            object_id=f"{pool}/{project_id}",
            before={"project": project, **before},
            after=after if error is None else {**after, "error": error},
            outcome=outcome,
            ticket=ticket,
            event="quota.apply",
        )

    try:
        with _audit_tx(store) as conn:
            trail.append(conn, settings, record("ok"))
            api.put(project_id, service, values)  # only once its record is in the transaction
    except CloudError as exc:
        with _audit_tx(store) as conn:
            trail.append(conn, settings, record("failed", exc.message))
        return False
    return True


@contextmanager
def _audit_tx(store: Store) -> Iterator[Any]:
    try:
        with store.write() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot write the audit trail in {describe(store.url)}: {type(exc).__name__}",
            hint="fix the store, then re-run `govcloud quota apply` (it skips what is done)",
        ) from None


def _row(step: qp.ApplyStep, status: str) -> qp.ChangeView:
    return qp.change_view(step.change, status, step.in_use)


def _status(step: qp.ApplyStep, failed: set[tuple[str, str, str]]) -> str:
    if step.done:
        return "already_applied"
    c = step.change
    return "failed" if (c.pool, c.project_id, c.resource.service) in failed else "changed"
