"""`govcloud report KIND`: read the audit's inputs once, build the report(s), write each format.

Findings come from a stored audit run (RUN_ID, or the newest); when no run exists yet the
registered checks run in memory with their defaults, so a report never needs a prior
`audit run`. Recommendations are computed with the default rightsizing policy. The diff against
the previous completed run is included in the audit report when there is one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from govcloud.adapters import report_writers
from govcloud.adapters.store import audit_data_repo, findings_repo
from govcloud.core.audit_data import AuditData
from govcloud.core.audit_diff import AuditDiff
from govcloud.core.audit_run import resolve_checks, run_checks
from govcloud.core.errors import NotFoundError, UsageError
from govcloud.core.findings import Finding
from govcloud.core.lookup import department_code
from govcloud.core.migration_plan import PlanOptions
from govcloud.core.report_model import KINDS, build_reports
from govcloud.core.rightsizing import RightsizeParams, recommend
from govcloud.services.audit import scoped_diff
from govcloud.services.settings import LANGS, Settings
from govcloud.services.store import opened

DEFAULT_WINDOW_S = 14 * 86400
WORKLOADS = "workloads"  # `report migration --format workloads`: the per-wave workload lists


def write_reports(
    settings: Settings,
    kind: str,
    formats: Sequence[str],
    out_dir: Path,
    *,
    lang: str,
    run_id: int | None = None,
    department: str | None = None,
    window_s: int = DEFAULT_WINDOW_S,
    now: datetime | None = None,
) -> list[Path]:
    """Write report KIND in each of FORMATS into OUT_DIR; returns the files written."""
    return write_report_kinds(
        settings, [kind], formats, out_dir, lang=lang, run_id=run_id, department=department,
        window_s=window_s, now=now,
    )  # fmt: skip


def write_report_kinds(
    settings: Settings,
    kinds: Sequence[str],
    formats: Sequence[str],
    out_dir: Path,
    *,
    lang: str,
    run_id: int | None = None,
    department: str | None = None,
    window_s: int = DEFAULT_WINDOW_S,
    now: datetime | None = None,
) -> list[Path]:
    """Several KINDS from one read of the store and one rightsizing (a playbook's report step
    writes five kinds: reading 10,000 VMs' utilization once instead of five times)."""
    for kind in kinds:
        if kind not in KINDS:
            raise UsageError(f"unknown report kind {kind!r}", hint="kinds: " + ", ".join(KINDS))
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}", hint="languages: " + ", ".join(LANGS))
    report_writers.parse_formats(formats)  # fail on a bad format before reading anything
    when = now or datetime.now(UTC)
    with opened(settings) as store, store.read() as conn:
        data = audit_data_repo.read_audit_data(conn, now=when, window_s=window_s)
        findings, diff = _findings(conn, data, run_id)
    code = department_code(data.departments, department) if department else None
    recs = recommend(data, RightsizeParams())
    written: list[Path] = []
    try:
        for kind in kinds:
            reports = build_reports(kind, data, findings, recs, diff=diff, department=code)
            written += report_writers.write(reports, formats, out_dir, lang)
        _record_export(settings, kinds, formats, written, department=code)
    except BaseException:
        for path in written:  # fail closed: a report that is not in the audit trail does not stay
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return written


def write_migration_report(
    settings: Settings,
    formats: Sequence[str],
    out_dir: Path,
    *,
    lang: str,
    options: PlanOptions | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """The migration plan (issue 10 §3) as report files; the format `workloads` also writes
    the per-wave workload lists (wave-NN.json) through `migrate plan`'s own exporter."""
    from govcloud.core.report_migration import KIND, migration_report
    from govcloud.services import migration

    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}", hint="languages: " + ", ".join(LANGS))
    tokens = [f.strip().lower() for item in formats for f in item.split(",") if f.strip()]
    workloads = WORKLOADS in tokens
    report_formats = [f for f in tokens if f != WORKLOADS]
    for token in report_formats:  # fail on a bad format before reading anything
        if token not in (*report_writers.FORMATS, "markdown"):
            hint = "formats: " + ", ".join((*report_writers.FORMATS, WORKLOADS))
            raise UsageError(f"unknown report format {token!r}", hint=hint)
    if not tokens:
        raise UsageError("no report format given", hint="e.g. --format html,xlsx,workloads")
    chosen = options or PlanOptions()
    plan = migration.build(settings, chosen, now=now)
    written: list[Path] = []
    if report_formats:
        report = migration_report(plan, window_days=chosen.rightsize.window_days)
        written = report_writers.write([report], report_formats, out_dir, lang)
        try:
            _record_export(settings, [KIND], report_formats, written, department=chosen.tenant)
        except BaseException:
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
    if workloads:
        written += [p.resolve() for p in migration.export_workloads(settings, plan, out_dir)]
    return written


def _record_export(
    settings: Settings,
    kinds: Sequence[str],
    formats: Sequence[str],
    written: list[Path],
    *,
    department: str | None,
) -> None:
    """A report export is recorded (file names, kinds, formats): reports carry the estate's
    departments, systems and costs out of the store."""
    from govcloud.services import trail

    folder = str(written[0].parent) if written else ""
    after = {"kinds": list(kinds), "formats": list(formats), "department": department,
             "folder": folder, "files": [p.name for p in written]}  # fmt: skip
    with opened(settings) as store:
        record = trail.stamp(
            settings, event="report.export", object_type="report",
            object_id=",".join(kinds), after=after,
        )  # fmt: skip
        trail.record_event(store, settings, record)


def _findings(
    conn: Connection, data: AuditData, run_id: int | None
) -> tuple[list[Finding], AuditDiff | None]:
    run = findings_repo.read_run(conn, run_id)
    if run is None and run_id is not None:
        raise NotFoundError(f"no audit run {run_id}", hint="`govcloud audit show` lists runs")
    if run is None:
        return _checks_in_memory(data), None
    current = findings_repo.read_findings(conn, run.id)
    before = findings_repo.previous_run(conn, run.id)
    if before is None:
        return current, None
    earlier = findings_repo.read_findings(conn, before.id)
    return current, scoped_diff(earlier, before.parameters, current, run.parameters)


def _checks_in_memory(data: AuditData) -> list[Finding]:
    findings, _errors = run_checks(data, resolve_checks(()))
    return findings
