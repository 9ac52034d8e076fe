"""`govcloud audit`: Run checks, store findings, compare runs (new / resolved / persisting)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from govcloud.cli.options import Columns, FailOn, Limit, Long
from govcloud.cli.state import CliState, state

if TYPE_CHECKING:
    from govcloud.core.severity import Severity
    from govcloud.services.audit import AuditResult

app = typer.Typer(
    no_args_is_help=True, help="Run checks, store findings, compare runs with the previous one."
)
Opt = typer.Option
Window = Annotated[
    str | None, Opt("--window", help="Trailing window of utilization, e.g. 14d (default 14d).")
]


def _threshold(text: str | None) -> Severity | None:
    from govcloud.core.severity import parse_severity

    return parse_severity(text) if text else None


@app.command()
def run(
    ctx: typer.Context,
    check: Annotated[
        list[str] | None, Opt("--check", help="Run only this check type (repeatable).")
    ] = None,
    window: Window = None,
    fail_on: FailOn = None,
    playbook: Annotated[
        str | None, Opt("--playbook", help="Take checks, window and fail_on from its audit step.")
    ] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Run the checks over data read once, store the run and its findings, show them."""
    from govcloud.cli.audit_columns import FINDING, finding_rows
    from govcloud.cli.render import render
    from govcloud.services import audit

    st = state(ctx)
    threshold = _threshold(fail_on)
    checks, window_s, threshold = audit.plan_checks(
        st.settings, check or [], window, threshold, playbook
    )
    result = audit.run_audit(st.settings, checks, window_s, playbook=playbook, fail_on=threshold)
    render(finding_rows(result.findings, result.run_id), FINDING, st.render_options(column, long))
    _summary(st, result)
    _exit(st, result)


def _summary(st: CliState, result: AuditResult) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in result.counts["by_severity"].items()) or "none"
    r = result.reclaim
    st.note(
        f"audit run {result.run_id} ({result.status}): {len(result.findings)} findings "
        f"({counts}); reclaimable {r.vcpus} vCPU, {r.ram_gib} GiB RAM, {r.volume_gib} GiB volumes",
    )
    if result.diff is not None:
        c = result.diff.counts()
        st.note(
            f"vs run {result.previous_run_id}: {c['new']} new, {c['resolved']} resolved, "
            f"{c['persisting']} persisting",
        )
    for e in result.errors:
        st.note(f"check {e.check} failed: {e.error}")
    if result.servers == 0:
        st.note(
            "hint: the store holds no servers yet: run `govcloud inventory load DIR` and "
            "`govcloud sync` first (or `govcloud demo` to see an audit of the example estate)",
        )


def _exit(st: CliState, result: AuditResult) -> None:
    from govcloud.core.errors import EXIT_FINDINGS, EXIT_RUNTIME

    hits = result.over_threshold
    if hits:
        st.note(f"{len(hits)} finding(s) at or above {result.fail_on}")
        raise typer.Exit(EXIT_FINDINGS)
    if result.errors:
        raise typer.Exit(EXIT_RUNTIME)


@app.command()
def show(
    ctx: typer.Context,
    run_id: Annotated[int | None, typer.Argument(help="Run id; default: the newest run.")] = None,
    severity: Annotated[str | None, Opt("--severity", help="Only at or above this.")] = None,
    check: Annotated[str | None, Opt("--check", help="Only this check type.")] = None,
    tenant: Annotated[
        str | None, Opt("--tenant", help="Only this department (code or name).")
    ] = None,
    pool: Annotated[str | None, Opt("--pool", help="Only this pool.")] = None,
    limit: Limit = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """The findings of one stored run, most severe first."""
    from govcloud.cli.audit_columns import FINDING, finding_rows
    from govcloud.cli.render import render
    from govcloud.services import audit

    st = state(ctx)
    view = audit.show_run(
        st.settings, run_id, tenant=tenant, pool=pool, severity=_threshold(severity), check=check
    )
    shown = view.findings[:limit]
    render(finding_rows(shown, view.run.id), FINDING, st.render_options(column, long))
    st.note(
        f"audit run {view.run.id} ({view.run.status}, {view.run.started_at:%Y-%m-%d %H:%M} "
        f"UTC): {len(shown)} of {len(view.all_findings)} findings shown",
    )


@app.command()
def diff(
    ctx: typer.Context,
    run_id: Annotated[int | None, typer.Argument(help="Run id; default: the newest run.")] = None,
    against: Annotated[
        int | None, Opt("--against", help="Compare with this run; default: the one before.")
    ] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """New / resolved / persisting findings of a run against an earlier one."""
    from govcloud.cli.audit_columns import DIFF
    from govcloud.cli.render import render
    from govcloud.core.audit_diff import diff_rows
    from govcloud.services import audit

    st = state(ctx)
    result = audit.diff_runs(st.settings, run_id, against)
    render(diff_rows(result.diff), DIFF, st.render_options(column, long))
    c = result.diff.counts()
    st.note(
        f"run {result.run.id} vs {result.against.id}: {c['new']} new, {c['resolved']} "
        f"resolved, {c['persisting']} persisting ({c['severity_changed']} changed severity)",
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: Annotated[int, Opt("--limit", min=1, max=10_000, help="Newest runs to show.")] = 20,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Stored audit runs, newest first."""
    from govcloud.cli.audit_columns import RUN, run_row
    from govcloud.cli.render import render
    from govcloud.services import audit

    st = state(ctx)
    rows = [run_row(r) for r in audit.list_runs(st.settings, limit)]
    render(rows, RUN, st.render_options(column, long))
