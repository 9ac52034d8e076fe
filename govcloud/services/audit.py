"""`govcloud audit run|show|diff`: run checks over data fetched once, store the run, compare runs.

The audit reads everything it judges in one go (`read_audit_data`), runs each configured check
(a check that raises is that check's error; the others still run), and stores the run with its
findings and an audit-trail record in one write transaction.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from govcloud.adapters.store import findings_repo
from govcloud.adapters.store.engine import Store
from govcloud.adapters.store.findings_repo import RunRecord
from govcloud.core.audit_diff import AuditDiff, diff_findings, summary_counts
from govcloud.core.errors import GovcloudError, NotFoundError, UsageError
from govcloud.core.findings import (
    Finding,
    Reclaim,
    filter_findings,
    reclaim_total,
    sort_findings,
    with_department_names,
)
from govcloud.core.playbook import CheckConfig
from govcloud.core.severity import Severity, at_or_above_rank
from govcloud.services.settings import Settings
from govcloud.services.store import audited_write, opened

if TYPE_CHECKING:  # numpy: only a run reads utilization and checks it, not show|list|diff
    from govcloud.core.audit_data import AuditData
    from govcloud.core.audit_run import CheckError

AuditDataReader = Callable[[Connection, datetime, int], "AuditData"]


def read_audit_data(conn: Connection, now: datetime, window_s: int) -> AuditData:
    from govcloud.adapters.store import audit_data_repo

    return audit_data_repo.read_audit_data(conn, now=now, window_s=window_s)


@dataclass(frozen=True)
class AuditResult:
    run_id: int
    status: str  # ok | partial | failed
    started_at: datetime
    window_s: int
    findings: list[Finding]
    counts: dict[str, Any]  # by_severity, by_check
    reclaim: Reclaim
    errors: list[CheckError]
    previous_run_id: int | None
    diff: AuditDiff | None  # None: no earlier run to compare with
    fail_on: Severity | None = None
    duration_s: float = 0.0
    servers: int = 0  # live servers judged: 0 means the store has nothing to audit yet

    @property
    def over_threshold(self) -> list[Finding]:
        if self.fail_on is None:
            return []
        threshold = self.fail_on
        return [f for f in self.findings if at_or_above_rank(f.severity, threshold)]


@dataclass(frozen=True)
class _RunInput:
    """What a run row says, whether the run completed or could not read its data."""

    started_at: datetime
    window_s: int
    playbook: str | None
    parameters: dict[str, Any]
    status: str = "failed"
    findings: list[Finding] = dataclasses.field(default_factory=list)
    summary: dict[str, Any] | None = None
    error: str | None = None


def run_audit(
    settings: Settings,
    checks: Sequence[CheckConfig],
    window_s: int,
    *,
    playbook: str | None = None,
    fail_on: Severity | None = None,
    now: datetime | None = None,
    reader: AuditDataReader | None = None,
) -> AuditResult:
    from govcloud.core.audit_run import resolve_checks, run_checks

    t0 = time.monotonic()
    now = now or datetime.now(UTC)
    chosen = resolve_checks(checks)
    parameters = {
        "checks": [c.model_dump(exclude_defaults=True) for c, _ in chosen],
        "fail_on": fail_on.value if fail_on else None,
    }
    base = _RunInput(now, window_s, playbook, parameters)
    with opened(settings) as store:
        try:
            with store.read() as conn:
                data = (reader or read_audit_data)(conn, now, window_s)
        except GovcloudError as exc:
            # A run that could not read its data is still a run: the schedule's history shows it.
            _store_run(store, settings, dataclasses.replace(base, error=exc.message))
            raise
        findings, errors = run_checks(data, chosen)
        findings = with_department_names(findings, data.departments)
        status = "ok" if not errors else ("failed" if len(errors) == len(chosen) else "partial")
        summary = {
            **summary_counts(findings),
            "findings": len(findings),
            "reclaim": dataclasses.asdict(reclaim_total(findings)),
            "errors": [dataclasses.asdict(e) for e in errors],
        }
        error = "; ".join(f"{e.check}: {e.error}" for e in errors) or None
        record = dataclasses.replace(
            base, status=status, findings=findings, summary=summary, error=error
        )
        run_id, prev, before = _store_run(store, settings, record)
    return AuditResult(
        run_id=run_id,
        status=status,
        started_at=now,
        window_s=window_s,
        findings=findings,
        counts=summary_counts(findings),
        reclaim=reclaim_total(findings),
        errors=errors,
        previous_run_id=prev.id if prev else None,
        diff=scoped_diff(before, prev.parameters, findings, parameters) if prev else None,
        fail_on=fail_on,
        duration_s=round(time.monotonic() - t0, 3),
        servers=len(data.servers),
    )


def _store_run(
    store: Store, settings: Settings, run: _RunInput
) -> tuple[int, RunRecord | None, list[Finding]]:
    """The run, its findings and its audit-trail record in one transaction; returns the run id,
    the previous completed run and that run's findings (for the diff)."""

    def change(conn: Connection) -> tuple[tuple[int, RunRecord | None, list[Finding]], Any, Any]:
        run_id = findings_repo.start_run(
            conn,
            started_at=run.started_at,
            window_s=run.window_s,
            playbook=run.playbook,
            parameters=run.parameters,
        )
        findings_repo.save_findings(conn, run_id, run.findings)
        findings_repo.finish_run(
            conn,
            run_id,
            status=run.status,
            finished_at=datetime.now(UTC),
            summary=run.summary,
            error=run.error,
        )
        prev = findings_repo.previous_run(conn, run_id)
        before = findings_repo.read_findings(conn, prev.id) if prev else []
        after = {"run_id": run_id, "status": run.status, "findings": len(run.findings)}
        return (run_id, prev, before), None, after

    return audited_write(
        store, settings, object_type="audit_run", object_id=run.playbook or "audit", change=change
    )


def parse_window_s(text: str) -> int:
    from govcloud.core.playbook import MAX_WINDOW_S, MIN_WINDOW_S
    from govcloud.core.utilization import parse_window

    try:
        window_s = parse_window(text)
    except ValueError as exc:
        raise UsageError(f"--window: {exc}", hint="e.g. --window 14d") from None
    if not MIN_WINDOW_S <= window_s <= MAX_WINDOW_S:
        raise UsageError(f"--window {text!r} is outside 1h..400d", hint="e.g. --window 14d")
    return window_s


def plan_checks(
    settings: Settings,
    types: Sequence[str],
    window: str | None,
    fail_on: Severity | None,
    playbook: str | None,
) -> tuple[list[CheckConfig], int, Severity | None]:
    """What `audit run` runs: --check types, or a playbook's audit step (flags override it)."""
    from govcloud.core.audit_run import resolve_checks
    from govcloud.core.checks import registry

    if playbook is None:
        import pydantic

        try:
            configs = [CheckConfig(type=t) for t in types]
        except pydantic.ValidationError:  # over-long or undecodable: no check has such a name
            bad = next(t for t in types if t not in registry())
            raise UsageError(f"unknown check type {bad[:80]!r}") from None
        resolve_checks(configs)  # unknown types fail before any data is read
        return configs, parse_window_s(window or "14d"), fail_on
    from pathlib import Path

    from govcloud.core.playbook import AuditStep
    from govcloud.services.playbook import load_playbook

    book = load_playbook(settings, Path(playbook))
    step = next((s for s in book.steps if isinstance(s, AuditStep)), None)
    if step is None:
        raise UsageError(f"{playbook}: no audit step", hint="add a step with `type: audit`")
    configs = list(step.checks)
    if types:
        chosen = [c for c in configs if c.type in types] if configs else []
        missing = [t for t in types if t not in {c.type for c in chosen}]
        configs = chosen + [CheckConfig(type=t) for t in missing]
        resolve_checks(configs)
    window_s = parse_window_s(window) if window else book.window_s
    return configs, window_s, fail_on or book.fail_on


@dataclass(frozen=True)
class RunView:
    run: RunRecord
    findings: list[Finding]  # as filtered
    all_findings: list[Finding]


def show_run(
    settings: Settings,
    run_id: int | None = None,
    *,
    tenant: str | None = None,
    pool: str | None = None,
    **filters: Any,
) -> RunView:
    """One stored run's findings; TENANT is a department code or name, checked like POOL
    against the declared inventory (unknown: NotFoundError with the closest match)."""
    from govcloud.adapters.store import declared_repo
    from govcloud.core.lookup import department_code, pool_code

    with opened(settings) as store, store.read() as conn:
        run = _run(conn, run_id)
        findings = sort_findings(findings_repo.read_findings(conn, run.id))
        dept = department_code(declared_repo.read_departments(conn), tenant) if tenant else None
        pool = pool_code(declared_repo.read_pools(conn), pool) if pool else None
    return RunView(run, filter_findings(findings, department=dept, pool=pool, **filters), findings)


def list_runs(settings: Settings, limit: int = 20) -> list[RunRecord]:
    with opened(settings) as store, store.read() as conn:
        return findings_repo.list_runs(conn, limit)


@dataclass(frozen=True)
class RunDiff:
    run: RunRecord
    against: RunRecord
    diff: AuditDiff


def diff_runs(settings: Settings, run_id: int | None = None, against: int | None = None) -> RunDiff:
    """RUN_ID (default: the newest run) against AGAINST (default: the run before it)."""
    with opened(settings) as store, store.read() as conn:
        run = _run(conn, run_id)
        base = (
            _run(conn, against) if against is not None else findings_repo.previous_run(conn, run.id)
        )
        if base is None:
            raise NotFoundError(
                f"audit run {run.id} has no earlier completed run to compare with",
                hint="run `govcloud audit run` again later, or pass --against RUN_ID",
            )
        diff = scoped_diff(
            findings_repo.read_findings(conn, base.id),
            base.parameters,
            findings_repo.read_findings(conn, run.id),
            run.parameters,
        )
    return RunDiff(run, base, diff)


def scoped_diff(
    before: list[Finding],
    before_params: Mapping[str, Any] | None,
    after: list[Finding],
    after_params: Mapping[str, Any] | None,
) -> AuditDiff:
    """New / resolved / persisting over the checks both runs ran: a finding of a check that
    the later run did not run is not "resolved"."""
    common = _checks_run(before_params, before) & _checks_run(after_params, after)
    return diff_findings(
        [f for f in before if f.check in common], [f for f in after if f.check in common]
    )


def _checks_run(parameters: Mapping[str, Any] | None, findings: list[Finding]) -> set[str]:
    listed = (parameters or {}).get("checks")
    if isinstance(listed, list) and listed:
        return {str(c.get("type")) for c in listed if isinstance(c, dict)}
    from govcloud.core.checks import registry

    return {f.check for f in findings} | set(registry())


def _run(conn: Connection, run_id: int | None) -> RunRecord:
    run = findings_repo.read_run(conn, run_id)
    if run is not None:
        return run
    if run_id is None:
        raise NotFoundError("no audit run in the store yet", hint="run `govcloud audit run`")
    recent = [str(r.id) for r in findings_repo.list_runs(conn, 5)]
    raise NotFoundError(
        f"no audit run {run_id}",
        hint="recent runs: " + ", ".join(recent) if recent else "run `govcloud audit run`",
    )
