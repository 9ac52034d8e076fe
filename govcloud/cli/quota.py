"""`govcloud quota`: Quotas per department, pool and resource: show, check, plan, apply,
reconcile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from govcloud.cli.options import Columns, FailOn, Limit, Long, given_path
from govcloud.cli.state import CliState, state

if TYPE_CHECKING:
    from govcloud.services.quota_apply import ApplyResult, Settled

app = typer.Typer(
    no_args_is_help=True,
    help="Quotas per department, pool and resource: show, check, plan, apply, reconcile.",
)

Opt = typer.Option
Tenant = Annotated[
    str | None,
    Opt("--tenant", metavar="DEPT", help="Department code or name, any case, e.g. 卫健委."),
]
PoolOpt = Annotated[str | None, Opt("--pool", metavar="POOL", help="Pool code or name.")]
Timeout = Annotated[
    float,
    Opt("--timeout", min=1.0, max=300.0, help="Seconds to wait for each cloud API answer."),
]


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
            metavar="RESOURCE",
        ),
    ] = None,
    limit: Limit = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Approved quota, the cloud's limit and usage per department, pool and resource."""
    from govcloud.cli import quota_columns
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.render import render
    from govcloud.services import quota

    st = state(ctx)
    rows = quota.show(st.settings, tenant, pool, resource)
    opts = st.render_options(column, long)
    render(quota_columns.in_table_units(rows[:limit], opts), quota_columns.SHOW, opts)
    note_if_empty(st, rows)
    for note in quota.limit_notes(st.settings, pool):
        st.note(f"note: {note}")


@app.command()
def check(
    ctx: typer.Context,
    pool: PoolOpt = None,
    fail_on: FailOn = None,
    limit: Limit = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Per pool: Σ quotas and Σ allocated against capacity x ratio - reserve."""
    from govcloud.cli import quota_columns
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.render import render
    from govcloud.core.errors import EXIT_FINDINGS
    from govcloud.core.quota_check import at_or_above, parse_severity
    from govcloud.services import quota

    st = state(ctx)
    threshold = parse_severity(fail_on) if fail_on else None
    rows = quota.check(st.settings, pool)
    render(rows[:limit], quota_columns.CHECK, st.render_options(column, long))
    note_if_empty(st, rows)
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
        str | None,
        Opt(
            "--from",
            help="Inventory folder; default: what the store holds.",
            callback=given_path,
        ),
    ] = None,
    pool: PoolOpt = None,
    tenant: Tenant = None,
    file: Annotated[
        str | None, Opt("-f", "--file", help="Write the plan to this file.", callback=given_path)
    ] = None,
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
    opts = st.render_options(column, long)
    render(quota_columns.in_table_units(plan_views(result), opts), quota_columns.CHANGE, opts)
    for m in result.missing_projects:
        st.note(f"warning: {m.department}: project {m.project} not found in pool {m.pool}")
    for note in result.notes:
        st.note(f"note: {note}")
    n, held = len(result.changes), len(result.held)
    where = f"written to {file}" if file else "not saved: add -f FILE to apply it"
    held_note = f" ({held} held: below usage, apply skips them)" if held else ""
    st.note(f"{n} change(s){held_note} in {len(result.projects)} project(s); plan {where}")


@app.command()
def apply(
    ctx: typer.Context,
    plan_file: Annotated[str, typer.Argument(metavar="PLAN", help="Plan file from `quota plan`.")],
    yes: Annotated[bool, Opt("--yes", help="Make the changes (default: dry run).")] = False,
    ticket: Annotated[
        str | None, Opt("--ticket", help="Change ticket, recorded in the audit trail.")
    ] = None,
    strict: Annotated[
        bool, Opt("--strict", help="Refuse the whole plan when a row is held (below usage).")
    ] = False,
    timeout: Timeout = 30.0,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Push a sealed plan: re-reads the cloud, holds back limits below usage, records each PUT."""
    from pathlib import Path

    from govcloud.cli import quota_columns
    from govcloud.cli.render import render
    from govcloud.core.errors import EXIT_RUNTIME
    from govcloud.services import quota_apply

    st = state(ctx)
    result = quota_apply.apply(
        st.settings, Path(plan_file), yes=yes, ticket=ticket, strict=strict, timeout_s=timeout
    )
    _say_settled(st, result.settled)
    opts = st.render_options(column, long)
    render(quota_columns.in_table_units(result.rows, opts), quota_columns.CHANGE, opts)
    for line in _summary(result):
        st.note(line)
    if result.failed or result.unknown:
        raise typer.Exit(EXIT_RUNTIME)


@app.command()
def reconcile(
    ctx: typer.Context, timeout: Timeout = 30.0, column: Columns = None, long: Long = False
) -> None:
    """Settle quota changes with no recorded outcome by re-reading the cloud (landed or not)."""
    from govcloud.cli import quota_columns
    from govcloud.cli.render import render
    from govcloud.core.errors import EXIT_RUNTIME
    from govcloud.services import quota_apply

    st = state(ctx)
    settled = quota_apply.reconcile(st.settings, timeout)
    render(settled, quota_columns.RECONCILE, st.render_options(column, long))
    left = sum(s.outcome == "open" for s in settled)
    st.note(f"{len(settled) - left} change(s) settled, {left} left open")
    if left:
        raise typer.Exit(EXIT_RUNTIME)


def _say_settled(st: CliState, settled: Sequence[Settled]) -> None:
    for s in settled:
        st.note(f"reconcile: intent #{s.seq} {s.project} {s.service} {s.intended}: {s.outcome}"
                f" ({s.found})")  # fmt: skip


def _summary(result: ApplyResult) -> list[str]:
    lines = []
    if result.open_intents:
        lines.append(
            f"{result.open_intents} earlier quota update(s) have no recorded outcome: "
            "`govcloud quota reconcile` settles them"
        )
    if result.held:
        lines.append(
            f"held back: {result.held} row(s) below current usage (status held), not sent; "
            "--strict refuses such a plan"
        )
    if result.calls == 0:
        lines.append("nothing to change: the cloud already holds every planned value")
    elif result.dry_run:
        lines.append(f"dry run: {result.calls} call(s) would be sent; add --yes to apply")
    elif not (result.failed or result.unknown):
        lines.append(f"applied: {result.calls} quota update(s) sent")
    if result.failed:
        lines.append(
            f"{result.failed} of {result.calls} quota update(s) failed (see the audit log)"
        )
    if result.unknown:
        lines.append(
            f"{result.unknown} of {result.calls} quota update(s) got no answer (outcome "
            "unknown): `govcloud quota reconcile` re-reads the cloud"
        )
    return lines
