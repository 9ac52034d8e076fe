"""`govcloud playbook validate|run|schema|list`: scheduled jobs as YAML.

A run validates the whole playbook first, then runs its steps in order. A failing step (a pool's
sync, unreachable agents, a report that cannot be written) is recorded and the run goes on,
because the remaining steps still tell the operator something; the exit status says what
happened: 3 findings at or above fail_on, 1 a step failed, else 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcloud.adapters.yaml_source import read_yaml_file
from govcloud.core import playbook as pb
from govcloud.core.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_RUNTIME,
    GovcloudError,
    StoreError,
    UsageError,
)
from govcloud.core.severity import Severity, at_or_above_rank
from govcloud.services.audit import AuditResult, run_audit
from govcloud.services.settings import Settings


def _store_pools(settings: Settings) -> list[str] | None:
    """Declared pools, to check pool names against; None when there is no store to ask."""
    from govcloud.adapters.store import declared_repo
    from govcloud.services.store import opened

    try:
        with opened(settings) as store, store.read() as conn:
            return [p.code for p in declared_repo.read_pools(conn)]
    except (StoreError, UsageError):
        return None


def load_playbook(settings: Settings | None, path: Path) -> pb.Playbook:
    """Stage 1 (YAML) here, stages 2 and 3 in the core; pools checked when a store exists."""
    if not path.is_file():
        raise UsageError(f"no playbook file {str(path)!r}", hint="`govcloud playbook list`")
    doc = read_yaml_file(path)
    pools = _store_pools(settings) if settings is not None else None
    return pb.parse_playbook(doc, pb.default_vocabulary(pools))


def schema() -> dict[str, Any]:
    return pb.playbook_schema(pb.default_vocabulary())


@dataclass(frozen=True)
class PlaybookInfo:
    path: str
    name: str | None
    description: str | None
    schedule: str | None
    steps: str | None  # "sync, audit, report"
    status: str  # ok | invalid
    error: str | None = None
    hint: str | None = None


def inspect(settings: Settings | None, path: Path) -> PlaybookInfo:
    try:
        book = load_playbook(settings, path)
    except UsageError as exc:
        return PlaybookInfo(str(path), None, None, None, None, "invalid", exc.message, exc.hint)
    steps = ", ".join(s.type for s in book.steps)
    return PlaybookInfo(str(path), book.name, book.description, book.schedule, steps, "ok")


def validate(settings: Settings | None, paths: Sequence[Path]) -> list[PlaybookInfo]:
    return [inspect(settings, p) for p in paths]


def list_playbooks(directory: Path, settings: Settings | None = None) -> list[PlaybookInfo]:
    if not directory.is_dir():
        raise UsageError(f"no directory {str(directory)!r}", hint="e.g. `playbook list playbooks`")
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [inspect(settings, p) for p in files]


# --- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    index: int  # 1-based, as people count steps
    type: str
    status: str  # ok | failed
    duration_s: float
    summary: str
    error: str | None = None


@dataclass
class PlaybookResult:
    name: str
    path: str
    started_at: datetime
    fail_on: Severity | None
    steps: list[StepResult] = field(default_factory=list)
    audit: AuditResult | None = None
    reports: list[Path] = field(default_factory=list)

    @property
    def failed_steps(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == "failed"]

    @property
    def over_threshold(self) -> int:
        """Findings at or above fail_on (the CLI's --fail-on, else the playbook's)."""
        if self.audit is None or self.fail_on is None:
            return 0
        threshold = self.fail_on
        return sum(1 for f in self.audit.findings if at_or_above_rank(f.severity, threshold))

    @property
    def exit_code(self) -> int:
        if self.over_threshold:
            return EXIT_FINDINGS
        return EXIT_RUNTIME if self.failed_steps else EXIT_OK


OnStep = Callable[[StepResult], None]


def run_playbook(
    settings: Settings,
    path: Path,
    *,
    lang: str,
    now: datetime | None = None,
    on_step: OnStep | None = None,
    fail_on: Severity | None = None,
    skip: Collection[str] = (),
    base_dir: Path | None = None,
) -> PlaybookResult:
    """Validate, then run every step; FAIL_ON (the CLI's --fail-on) overrides the playbook's.

    Steps whose type is in SKIP are recorded as skipped (the demo skips `collect`: its
    simulated history stands in for agents). Relative report and textfile paths resolve
    against BASE_DIR (default: the current directory). LANG is the reports' language where a
    report step names none.
    """
    book = load_playbook(settings, path)
    now = now or datetime.now(UTC)
    result = PlaybookResult(book.name, str(path), now, fail_on or book.fail_on)
    runner = _Runner(settings, book, result, now, str(path), base_dir or Path.cwd(), lang)
    for i, step in enumerate(book.steps, start=1):
        t0 = time.monotonic()
        if step.type in skip:
            outcome = StepResult(i, step.type, "skipped", 0.0, "skipped")
            result.steps.append(outcome)
            if on_step is not None:
                on_step(outcome)
            continue
        try:
            summary = runner.run(step)
            outcome = StepResult(i, step.type, "ok", _since(t0), summary)
        except _StepFailed as exc:
            outcome = StepResult(i, step.type, "failed", _since(t0), exc.summary, exc.reason)
        except GovcloudError as exc:
            outcome = StepResult(i, step.type, "failed", _since(t0), "", exc.message)
        except Exception as exc:  # a scheduled run reports and goes on, never a traceback
            outcome = StepResult(
                i, step.type, "failed", _since(t0), "", f"{type(exc).__name__}: {exc}"
            )
        result.steps.append(outcome)
        if on_step is not None:
            on_step(outcome)
    return result


class _StepFailed(Exception):
    """A step that did part of its work: the summary says what, the reason what failed."""

    def __init__(self, summary: str, reason: str) -> None:
        super().__init__(reason)
        self.summary = summary
        self.reason = reason


def _since(t0: float) -> float:
    return round(time.monotonic() - t0, 3)


@dataclass
class _Runner:
    settings: Settings
    book: pb.Playbook
    result: PlaybookResult
    now: datetime
    path: str
    base_dir: Path
    lang: str  # of reports whose step names no language

    def run(self, step: Any) -> str:
        handler: Callable[[Any], str] = getattr(self, f"_{step.type}")
        return handler(step)

    def _sync(self, step: pb.SyncStep) -> str:
        from govcloud.services import sync

        report = sync.run(self.settings, sync.SyncOptions(pools=tuple(step.pools or ())))
        ok = len(report.results) - len(report.failed)
        summary = f"{ok} of {len(report.results)} pools synced"
        if report.failed:
            raise _StepFailed(summary, report.failure_message())
        return summary

    def _collect(self, step: pb.CollectStep) -> str:
        from govcloud.core.utilization import parse_duration_s
        from govcloud.services import metrics

        opts = metrics.CollectOptions(
            targets_file=step.targets, port=step.port, timeout_s=parse_duration_s(step.timeout)
        )
        report = metrics.collect_once(self.settings, opts)
        summary = f"{len(report.rows) - report.failed} of {len(report.rows)} targets scraped"
        if report.failed:
            raise _StepFailed(summary, report.failure_message())
        return summary

    def _audit(self, step: pb.AuditStep) -> str:
        audit = run_audit(
            self.settings,
            step.checks,
            self.book.window_s,
            playbook=self.path,
            fail_on=self.result.fail_on,
            now=self.now,
        )
        self.result.audit = audit
        summary = f"run {audit.run_id}: {len(audit.findings)} findings"
        if audit.errors:
            reasons = "; ".join(f"{e.check}: {e.error}" for e in audit.errors)
            raise _StepFailed(summary, f"{len(audit.errors)} check(s) failed: {reasons}")
        return summary

    def _rightsize(self, step: pb.RightsizeStep) -> str:
        from govcloud.services.rightsize import rightsize

        res = rightsize(
            self.settings,
            tenant=step.tenant,
            pool=step.pool,
            window_s=self.book.window_s,
            params=step.params,
            now=self.now,
        )
        vcpus = sum(t.reclaim.vcpus for t in res.by_pool)
        ram_gib = round(sum(t.reclaim.ram_mib for t in res.by_pool) / 1024, 1)
        return f"{len(res.recommendations)} VMs sized; reclaimable {vcpus} vCPU, {ram_gib} GiB RAM"

    def _report(self, step: pb.ReportStep) -> str:
        from govcloud.services.report import write_migration_report, write_report_kinds

        out_dir = self.base_dir / step.output.replace("{date}", self.now.strftime("%Y-%m-%d"))
        run_id = self.result.audit.run_id if self.result.audit else None
        lang = step.lang or self.lang
        kinds = [k for k in step.kinds if k != "migration"]
        written = []
        if kinds:
            written += write_report_kinds(
                self.settings,
                kinds,
                step.formats,
                out_dir,
                lang=lang,
                run_id=run_id,
                window_s=self.book.window_s,
                now=self.now,
            )
        if "migration" in step.kinds:  # the plan, from the store's legacy hosts and facts
            written += write_migration_report(
                self.settings, step.formats, out_dir, lang=lang, now=self.now
            )
        self.result.reports += written
        return f"{len(written)} file(s) in {out_dir}"

    def _textfile(self, step: pb.TextfileStep) -> str:
        from govcloud.adapters.textfile import write_textfile

        audit = self.result.audit
        findings = audit.findings if audit else []
        success = audit is not None and audit.status == "ok"
        path = self.base_dir / step.path
        write_textfile(path, findings, run_ts=time.time(), success=success)
        return f"{len(findings)} findings written to {path}"
