"""Audit runs and their findings in the store, read back as core `Finding`s.

A run row is written when the run starts and completed when it ends (status ok | partial |
failed, a JSON summary: counts by severity and check, reclaim totals, per-check errors). Findings
are inserted in batches inside the caller's transaction.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from govcloud.adapters.store import schema as t
from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
from govcloud.core.severity import Severity

BATCH = 1000
R, F, D = t.AuditRunRow, t.FindingRow, t.DepartmentRow


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: datetime
    finished_at: datetime | None
    playbook: str | None
    parameters: Mapping[str, Any] | None
    status: str  # running | ok | partial | failed
    window_s: int | None
    summary: Mapping[str, Any] | None
    error: str | None


def start_run(
    conn: Connection,
    *,
    started_at: datetime,
    window_s: int,
    playbook: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> int:
    values = {
        "started_at": started_at,
        "playbook": playbook,
        "parameters": jsonable(parameters) if parameters is not None else None,
        "status": "running",
        "window_s": window_s,
    }
    return int(conn.execute(insert(R).values(**values).returning(R.c.id)).scalar_one())


def finish_run(
    conn: Connection,
    run_id: int,
    *,
    status: str,
    finished_at: datetime,
    summary: Mapping[str, Any] | None = None,
    error: str | None = None,
) -> None:
    if status not in ("ok", "partial", "failed"):
        raise ValueError(f"run status {status!r}")
    conn.execute(
        update(R)
        .where(R.c.id == run_id)
        .values(
            status=status,
            finished_at=finished_at,
            summary=jsonable(summary) if summary is not None else None,
            error=error,
        )
    )


def save_findings(conn: Connection, run_id: int, findings: Sequence[Finding]) -> int:
    for part in _batches(findings):
        conn.execute(insert(F), [_values(run_id, f) for f in part])
    return len(findings)


def _batches(items: Sequence[Finding]) -> Iterator[Sequence[Finding]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


def _values(run_id: int, f: Finding) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "check": f.check,
        "severity": f.severity.value,
        "object_type": f.subject_type.value,
        "object_id": f.subject_id,
        "subject_name": f.subject_name,
        "subject_name_en": f.subject_name_en,
        "pool_code": f.pool,
        "department_code": f.department,
        "system_code": f.system,
        "message": f.message.en,
        "message_zh": f.message.zh,
        "action": f.action.en,
        "action_zh": f.action.zh,
        "evidence": jsonable(f.evidence),
        "reclaim": (
            {
                "vcpus": f.reclaim.vcpus,
                "ram_mib": f.reclaim.ram_mib,
                "volume_gib": f.reclaim.volume_gib,
            }
            if f.reclaim
            else None
        ),
    }


def read_run(conn: Connection, run_id: int | None = None) -> RunRecord | None:
    """The run with RUN_ID, or the newest run when None."""
    query = select(R)
    query = query.where(R.c.id == run_id) if run_id is not None else query.order_by(R.c.id.desc())
    row = conn.execute(query.limit(1)).first()
    return _run(row) if row is not None else None


def previous_run(conn: Connection, run_id: int) -> RunRecord | None:
    """The newest completed run before RUN_ID (a failed run has no findings to compare)."""
    row = conn.execute(
        select(R)
        .where(R.c.id < run_id, R.c.status.in_(("ok", "partial")))
        .order_by(R.c.id.desc())
        .limit(1)
    ).first()
    return _run(row) if row is not None else None


def list_runs(conn: Connection, limit: int = 20) -> list[RunRecord]:
    rows = conn.execute(select(R).order_by(R.c.id.desc()).limit(limit))
    return [_run(r) for r in rows]


def _run(r: Any) -> RunRecord:
    return RunRecord(
        id=r.id,
        started_at=_utc(r.started_at),
        finished_at=_utc(r.finished_at) if r.finished_at is not None else None,
        playbook=r.playbook,
        parameters=r.parameters,
        status=r.status,
        window_s=r.window_s,
        summary=r.summary,
        error=r.error,
    )


def _utc(ts: datetime) -> datetime:
    # SQLite returns naive datetimes; every time stored here is UTC.
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def read_findings(conn: Connection, run_id: int) -> list[Finding]:
    """A run's findings with their department's declared names, joined in the one query."""
    names = (D.c.short_zh.label("department_zh"), D.c.name_en.label("department_en"))
    rows = conn.execute(
        select(F, *names)
        .outerjoin(D, D.c.code == F.c.department_code)
        .where(F.c.run_id == run_id)
        .order_by(F.c.id)
    )
    return [_finding(r) for r in rows]


def _finding(r: Any) -> Finding:
    reclaim = r.reclaim or {}
    return Finding(
        check=r.check,
        severity=Severity(r.severity),
        subject_type=SubjectType(r.object_type),
        subject_id=r.object_id,
        subject_name=r.subject_name or r.object_id,
        pool=r.pool_code,
        department=r.department_code,
        message=Text(r.message, r.message_zh or r.message),
        action=Text(r.action or "", r.action_zh or r.action or ""),
        evidence=dict(r.evidence or {}),
        reclaim=Reclaim(
            int(reclaim.get("vcpus", 0)),
            int(reclaim.get("ram_mib", 0)),
            int(reclaim.get("volume_gib", 0)),
        ),
        system=r.system_code,
        subject_name_en=r.subject_name_en,
        department_name=(
            Text(r.department_en, r.department_zh) if r.department_zh is not None else None
        ),
    )


def jsonable(value: Any) -> Any:
    """Plain JSON: numpy scalars as numbers, NaN/inf as null (PostgreSQL's JSON refuses NaN),
    tuples as lists, datetimes as ISO text, anything else as its text."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return jsonable(item())
    return str(value)
