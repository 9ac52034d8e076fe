"""`govcloud quota`: Quotas per department, pool and resource: show, check, plan, apply."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, FailOn, Long
from govcloud.cli.state import state

app = typer.Typer(
    no_args_is_help=True, help="Quotas per department, pool and resource: show, check, plan, apply."
)

Opt = typer.Option
Tenant = Annotated[str | None, Opt("--tenant", help="Department code or name, e.g. 卫健委.")]
PoolOpt = Annotated[str | None, Opt("--pool", help="Pool code.")]


@app.command()
def show(
    ctx: typer.Context,
    tenant: Tenant = None,
    pool: PoolOpt = None,
    resource: Annotated[
        str | None,
        Opt(
            "--resource",
            help="cores | ram | instances | gigabytes | volumes | snapshots | backups | "
            "backup_gigabytes | network | subnet | port | router | floatingip | security_group | "
            "security_group_rule, or a per-volume-type quota such as gigabytes_ssd.",
        ),
    ] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Approved quota, the cloud's limit and usage per department, pool and resource."""
    from govcloud.cli import quota_columns
    from govcloud.cli.render import render
    from govcloud.services import quota

    st = state(ctx)
    rows = quota.show(st.settings, tenant, pool, resource)
    render(rows, quota_columns.SHOW, st.render_options(column, long))
    for note in quota.limit_notes(st.settings, pool):
        st.note(f"note: {note}")


@app.command()
def check(
    ctx: typer.Context,
    pool: PoolOpt = None,
    fail_on: FailOn = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Per pool: Σ quotas and Σ allocated against capacity x ratio - reserve."""
    from govcloud.cli import quota_columns
    from govcloud.cli.render import render
    from govcloud.core.errors import EXIT_FINDINGS
    from govcloud.core.quota_check import at_or_above, parse_severity
    from govcloud.services import quota

    st = state(ctx)
    threshold = parse_severity(fail_on) if fail_on else None
    rows = quota.check(st.settings, pool)
    render(rows, quota_columns.CHECK, st.render_options(column, long))
    for note in quota.limit_notes(st.settings, pool):
        st.note(f"note: {note}")
    hits = at_or_above(rows, threshold) if threshold else []
    if hits:
        st.note(f"{len(hits)} finding(s) at or above {threshold}")
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def plan(
    ctx: typer.Context,
    source: Annotated[
        str | None, Opt("--from", help="Inventory folder; default: what the store holds.")
    ] = None,
    pool: PoolOpt = None,
    tenant: Tenant = None,
    file: Annotated[str | None, Opt("-f", "--file", help="Write the plan to this file.")] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Approved quotas vs the cloud's current values (read live): the diff `apply` would make."""
    from pathlib import Path

    from govcloud.cli import quota_columns
    from govcloud.cli.render import render
    from govcloud.core.quota_plan import plan_views
    from govcloud.services import quota

    st = state(ctx)
    result = quota.plan(
        st.settings, Path(source) if source else None, pool, tenant, Path(file) if file else None
    )
    render(plan_views(result), quota_columns.CHANGE, st.render_options(column, long))
    for m in result.missing_projects:
        st.note(f"warning: {m.department}: project {m.project} not found in pool {m.pool}")
    for note in result.notes:
        st.note(f"note: {note}")
    n = len(result.changes)
    where = f"written to {file}" if file else "not saved: add -f FILE to apply it"
    st.note(f"{n} change(s) in {len(result.projects)} project(s); plan {where}")


@app.command()
def apply(
    ctx: typer.Context,
    plan_file: Annotated[str, typer.Argument(metavar="PLAN", help="Plan file from `quota plan`.")],
    yes: Annotated[bool, Opt("--yes", help="Make the changes (default: dry run).")] = False,
    ticket: Annotated[
        str | None, Opt("--ticket", help="Change ticket, recorded in the audit trail.")
    ] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Push a plan: re-reads the cloud, refuses stale plans and limits below usage."""
    from pathlib import Path

    from govcloud.cli import quota_columns
    from govcloud.cli.render import render
    from govcloud.core.errors import EXIT_RUNTIME
    from govcloud.services import quota

    st = state(ctx)
    result = quota.apply(st.settings, Path(plan_file), yes, ticket)
    render(result.rows, quota_columns.CHANGE, st.render_options(column, long))
    if result.calls == 0:
        st.note("nothing to change: the cloud already holds every planned value")
    elif result.dry_run:
        st.note(f"dry run: {result.calls} call(s) would be sent; add --yes to apply")
    elif result.failed:
        st.note(f"{result.failed} of {result.calls} quota update(s) failed (see the audit log)")
        raise typer.Exit(EXIT_RUNTIME)
    else:
        st.note(f"applied: {result.calls} quota update(s) sent")
