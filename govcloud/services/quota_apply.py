"""`quota apply` and `quota reconcile`: changes to the cloud that cannot land unrecorded.

The order is the safety argument:

1. A ticket when the configuration requires one; the plan file: format version, schema, values,
   consistency, then its seal (an HMAC with the audit key: an edited plan, re-hashed or not,
   is refused). No store, no HTTP yet.
2. The store: the plan's inventory digest must equal the digest of what the store declares
   now, and every target must be the approved quota the store declares for its row.
3. Open intents of earlier applies are settled by re-reading the cloud (`reconcile`).
4. The cloud is re-read for every project the plan changes: stale plans stop here; a target
   below the fresh usage is held back (or, with `strict`, refuses the whole plan).
5. Per project and service: an `intent` record is committed (before = the values read now,
   after = the values to PUT); only then the PUT; then its outcome record (`ref` = the
   intent's seq): `ok`, `failed` (the cloud answered an error) or `unknown` (no answer: it
   may have landed). No intent record, no PUT.

A kill between any two steps leaves either no intent (nothing was sent) or an intent without an
outcome; `reconcile` re-reads the project and appends `landed` or `not_landed`. The trail then
tells what happened, and a second apply of the same plan sends only what is still missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcloud.adapters.openstack.config import CloudTarget, clouds_yaml_path, connect
from govcloud.adapters.openstack.quota_api import QuotaApi, UncertainPut
from govcloud.adapters.openstack.unified_limits import HINT as UNIFIED_HINT
from govcloud.adapters.store import declared_repo, intent_repo
from govcloud.adapters.store.engine import Store
from govcloud.core import quota_plan as qp
from govcloud.core.errors import CloudError, GovcloudError, StoreError, UsageError
from govcloud.core.quota_intent import EVENT, OpenIntent, intent_after, judge
from govcloud.services import trail
from govcloud.services.settings import Settings
from govcloud.services.store import opened

TIMEOUT_S = 30.0
MAX_TIMEOUT_S = 300.0
# an intent of another host younger than this may still have its PUT in flight
IN_FLIGHT_S = MAX_TIMEOUT_S + 60
MAX_PLAN_BYTES = 32 * 1024 * 1024

Call = tuple[str, str, str]  # (pool, project_id, service): one PUT


@dataclass(frozen=True)
class Settled:
    """What a reconcile found for one open intent."""

    seq: int  # the intent's
    pool: str
    project: str
    project_id: str
    service: str
    intended: str  # `cores=200 ram=1048576`
    found: str  # the cloud's values now, or why it was not read
    outcome: str  # landed | not_landed | open


@dataclass(frozen=True)
class ApplyResult:
    rows: list[qp.ChangeView]
    calls: int  # PUTs needed (dry run) or sent
    failed: int
    unknown: int
    held: int
    dry_run: bool
    settled: list[Settled]
    open_intents: int  # left open (dry run: not looked at)


# --- apply ------------------------------------------------------------------------------------


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


def apply(
    settings: Settings,
    plan_path: Path,
    *,
    yes: bool,
    ticket: str | None,
    strict: bool = False,
    timeout_s: float = TIMEOUT_S,
) -> ApplyResult:
    ticket = (ticket or "").strip() or None  # never the string "None" in the trail
    if yes:
        trail.require_ticket(settings, ticket)
    plan_ = read_plan(plan_path)
    qp.verify_seal(plan_, trail.signer(settings), str(plan_path))
    if strict:
        qp.check_values(plan_)
    with opened(settings) as store:
        _check_inventory(store, plan_, str(plan_path))
        if yes:
            settled, still_open = _settle(store, settings, timeout_s)
        else:
            settled, still_open = [], _count_open(store)
        if not plan_.changes:
            return ApplyResult([], 0, 0, 0, 0, not yes, settled, still_open)
        clouds_yaml = clouds_yaml_path(settings.clouds_yaml)
        targets = {r.pool: CloudTarget(r.pool, r.cloud, r.region) for r in plan_.projects}
        pools = sorted({c.pool for c in plan_.changes})
        with _apis([targets[p] for p in pools], clouds_yaml, timeout_s) as apis:
            current = _current(plan_, apis)
            steps = qp.reconcile(plan_, current, hold_below_usage=not strict)
            calls = qp.pending_by_call(steps)
            _refuse_unified(apis, calls)
            held = sum(s.held for s in steps)
            if not yes:
                rows = [_row(s, _status(s, None)) for s in steps]
                return ApplyResult(rows, len(calls), 0, 0, held, True, settled, still_open)
            outcomes = {
                key: _two_phase_put(store, settings, apis[key[0]], key, values, steps, ticket)
                for key, values in calls.items()
            }
    rows = [_row(s, _status(s, outcomes)) for s in steps]
    failed = sum(o == "failed" for o in outcomes.values())
    unknown = sum(o == "unknown" for o in outcomes.values())
    return ApplyResult(rows, len(calls), failed, unknown, held, False, settled, still_open)


def _check_inventory(store: Store, plan_: qp.QuotaPlan, source: str) -> None:
    """The plan must come from what the store declares now, and push only approved values."""
    with store.read() as conn:
        bindings = [b for d in declared_repo.read_departments(conn) for b in d.projects]
    if qp.inventory_digest(bindings) != plan_.inventory_digest:
        raise qp.StalePlanError(
            "inventory changed since the plan: re-run quota plan",
            hint="`govcloud quota plan -f FILE` plans against the inventory the store holds",
        )
    qp.check_targets(plan_, bindings, source)


def _refuse_unified(apis: dict[str, QuotaApi], calls: Mapping[Call, Any]) -> None:
    """Before any PUT: a service whose limits Keystone keeps is read-only to govcloud (the
    plan may predate the switch to unified limits)."""
    for pool, _, service in sorted(calls):
        unified = apis[pool].unified_limits()
        if unified.covers(service):
            raise UsageError(unified.message(pool), hint=UNIFIED_HINT)


@contextmanager
def _apis(
    targets: Sequence[CloudTarget], clouds_yaml: Path, timeout_s: float
) -> Iterator[dict[str, QuotaApi]]:
    conns: list[Any] = []
    try:
        apis = {}
        for target in targets:
            conns.append(connect(target, clouds_yaml, timeout_s))
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


def _two_phase_put(
    store: Store,
    settings: Settings,
    api: QuotaApi,
    key: Call,
    values: dict[str, int],
    steps: Sequence[qp.ApplyStep],
    ticket: str | None,
) -> str:
    """Intent committed, PUT, outcome committed; the outcome (ok | failed | unknown)."""
    pool, project_id, service = key
    mine = [s for s in steps if (s.change.pool, s.change.project_id) == (pool, project_id)]
    project = mine[0].change.project
    read_now = {s.change.wire_name: s.current for s in mine if s.change.wire_name in values}
    before: dict[str, Any] = {"project": project, **read_now}

    def record(outcome: str, after: dict[str, Any], ref: int | None = None) -> int:
        sealed = trail.record_event(
            store,
            settings,
            trail.stamp(
                settings,
                event=EVENT,
                object_type=f"quota.{service}",
                object_id=f"{pool}/{project_id}",
                before=before,
                after=after,
                outcome=outcome,
                ticket=ticket,
                ref=ref,
            ),
        )
        return sealed.seq

    # raises StoreError when the intent cannot be written: then no PUT
    intent = record("intent", intent_after(project, values, os.getpid()))
    # until the call returns: an interrupt (or a bug) leaves the outcome unknown
    outcome: str = "unknown"
    error: str | None = "interrupted"
    try:
        api.put(project_id, service, values)
        outcome, error = "ok", None
    except UncertainPut as exc:
        outcome, error = "unknown", exc.message
    except GovcloudError as exc:
        outcome, error = "failed", exc.message
    finally:
        after: dict[str, Any] = {"project": project, **values}
        if error is not None:
            after["error"] = error
        try:
            record(outcome, after, intent)
        except StoreError as exc:
            raise StoreError(
                f"the quota update of {project} ({service}) was sent, its outcome ({outcome}) "
                f"could not be recorded: {exc.message}",
                hint="once the store is writable, `govcloud quota reconcile` settles it",
            ) from None
    return outcome


def _row(step: qp.ApplyStep, status: str) -> qp.ChangeView:
    return qp.change_view(step.change, status, step.in_use)


def _status(step: qp.ApplyStep, outcomes: Mapping[Call, str] | None) -> str:
    if step.done:
        return "already_applied"
    if step.held:
        return "held"
    if outcomes is None:
        return "would_change"
    c = step.change
    outcome = outcomes[(c.pool, c.project_id, c.resource.service)]
    return "changed" if outcome == "ok" else outcome


# --- reconcile --------------------------------------------------------------------------------


def reconcile(settings: Settings, timeout_s: float = TIMEOUT_S) -> list[Settled]:
    """Settle every open intent by re-reading the cloud; those it cannot read stay open."""
    with opened(settings) as store:
        return _settle(store, settings, timeout_s)[0]


def _count_open(store: Store) -> int:
    with store.read() as conn:
        return len(intent_repo.open_intents(conn, EVENT))


def _settle(store: Store, settings: Settings, timeout_s: float) -> tuple[list[Settled], int]:
    with store.read() as conn:
        intents = intent_repo.open_intents(conn, EVENT)
        pools = {p.code: p for p in declared_repo.read_pools(conn)} if intents else {}
    settled: list[Settled] = []
    by_pool: dict[str, list[OpenIntent]] = {}
    for i in intents:
        busy = _in_flight(i)
        if busy:
            settled.append(_settled(i, busy, "open"))
        elif i.pool not in pools:
            settled.append(_settled(i, f"pool {i.pool} is no longer declared", "open"))
        else:
            by_pool.setdefault(i.pool, []).append(i)
    clouds_yaml = clouds_yaml_path(settings.clouds_yaml) if by_pool else Path()
    for code, mine in sorted(by_pool.items()):
        p = pools[code]
        try:
            with _apis([CloudTarget(code, p.cloud, p.region)], clouds_yaml, timeout_s) as apis:
                settled += [_settle_one(store, settings, apis[code], i) for i in mine]
        except CloudError as exc:
            settled += [_settled(i, f"not read: {exc.message}", "open") for i in mine]
    settled.sort(key=lambda s: s.seq)
    return settled, sum(s.outcome == "open" for s in settled)


def _settle_one(store: Store, settings: Settings, api: QuotaApi, intent: OpenIntent) -> Settled:
    try:
        reading = api.read(intent.project_id)
    except CloudError as exc:
        return _settled(intent, f"not read: {exc.message}", "open")
    limits = {**{r.value: v for r, v in reading.limits.items()}, **reading.type_limits}
    found = {k: limits[k] for k in intent.intended if k in limits}
    outcome = judge(intent, limits)
    trail.record_event(
        store,
        settings,
        trail.stamp(
            settings,
            event=EVENT,
            object_type=f"quota.{intent.service}",
            object_id=f"{intent.pool}/{intent.project_id}",
            before={"project": intent.project, **intent.intended},
            after={"project": intent.project, **found},
            outcome=outcome,
            ref=intent.seq,
        ),
    )
    return _settled(intent, _values(found), outcome)


def _in_flight(intent: OpenIntent) -> str:
    """Why INTENT's PUT may still be running ("" when it cannot be): its process is alive on
    this host, or it is young and from another host."""
    if intent.source_host == trail.source_host():
        if intent.pid is not None and intent.pid != os.getpid() and _alive(intent.pid):
            return f"still in flight: apply process {intent.pid} is running"
        return ""
    age_s = (datetime.now(UTC) - intent.ts.replace(tzinfo=intent.ts.tzinfo or UTC)).total_seconds()
    if age_s < IN_FLIGHT_S:
        return f"may still be in flight on {intent.source_host or 'another host'}"
    return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _settled(intent: OpenIntent, found: str, outcome: str) -> Settled:
    return Settled(
        seq=intent.seq,
        pool=intent.pool,
        project=intent.project,
        project_id=intent.project_id,
        service=intent.service,
        intended=_values(intent.intended),
        found=found,
        outcome=outcome,
    )


def _values(values: Mapping[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(values.items()))
