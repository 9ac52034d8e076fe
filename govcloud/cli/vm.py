"""`govcloud vm list|show`: servers from the store, filtered and sorted in SQL."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Limit, Long, Sort
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Virtual machines (云主机) from the store.")

Opt = typer.Option


@app.command("list")
def list_(
    ctx: typer.Context,
    tenant: Annotated[
        str | None,
        Opt(metavar="DEPT", help="Department code or name, any case, e.g. wjw or 卫健委."),
    ] = None,
    pool: Annotated[str | None, Opt(metavar="POOL", help="Pool code or name.")] = None,
    system: Annotated[
        str | None, Opt(metavar="SYSTEM", help="Business system code or name.")
    ] = None,
    status: Annotated[
        str | None, Opt(metavar="STATUS", help="Nova status, e.g. ACTIVE, SHUTOFF.")
    ] = None,
    flavor: Annotated[str | None, Opt(metavar="FLAVOR", help="Flavor name.")] = None,
    limit: Limit = None,
    sort: Sort = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Servers with their department, system and flavor. An unknown department, pool or
    system is an error naming the closest matches."""
    from govcloud.cli import columns
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.render import render

    st = state(ctx)
    rows = st.api().vms(
        tenant=tenant,
        pool=pool,
        system=system,
        status=status,
        flavor=flavor,
        sort=sort,
        limit=limit,
    )
    render(rows, columns.VM, st.render_options(column, long))
    note_if_empty(st, rows)


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="SERVER",
            help="Server id, a unique id prefix (4+ characters) or the exact name.",
        ),
    ],
) -> None:
    """One server, its attached volumes and, when the metrics store has data, its P95 CPU and
    memory over 14 days. A prefix or name that matches several servers is an error listing
    them."""
    from govcloud.cli import columns
    from govcloud.cli.render import Column, as_dict, render, render_one
    from govcloud.cli.utilization_columns import VM_UTILIZATION

    st = state(ctx)
    detail = st.api().vm(ref)
    view, volumes, usage = detail.vm, detail.volumes, detail.utilization
    opts = st.render_options(long=True)
    if opts.output == "table":
        render_one(view, columns.VM, opts)
        if usage is not None:  # no data: nothing shown, not zeros
            render_one(usage, VM_UTILIZATION, opts)
        if volumes:
            render(volumes, columns.VOLUME, opts)
        return
    record = {**as_dict(view), "utilization": usage and as_dict(usage), "volumes": volumes}
    extra = (Column("utilization", "利用率", "Utilization"), Column("volumes", "云硬盘", "Volumes"))
    render_one(record, (*columns.VM, *extra), opts)
