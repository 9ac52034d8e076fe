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
    tenant: Annotated[str | None, Opt(help="Department code or name, e.g. 卫健委.")] = None,
    pool: Annotated[str | None, Opt(help="Pool code.")] = None,
    system: Annotated[str | None, Opt(help="Business system code.")] = None,
    status: Annotated[str | None, Opt(help="Nova status, e.g. ACTIVE, SHUTOFF.")] = None,
    flavor: Annotated[str | None, Opt(help="Flavor name.")] = None,
    limit: Limit = None,
    sort: Sort = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Servers with their department, system and flavor."""
    from govcloud.cli import columns
    from govcloud.cli.render import render
    from govcloud.core.listing import VmFilter, parse_sort
    from govcloud.services import views

    st = state(ctx)
    keys, descending = parse_sort(sort)
    flt = VmFilter(tenant, pool, system, status, flavor, keys, descending, limit)
    render(views.servers(st.settings, flt), columns.VM, st.render_options(column, long))


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Server id, id prefix or exact name.")],
) -> None:
    """One server and its attached volumes."""
    from govcloud.cli import columns
    from govcloud.cli.render import Column, as_dict, render, render_one
    from govcloud.services import views

    st = state(ctx)
    view, volumes = views.server(st.settings, ref)
    opts = st.render_options(long=True)
    if opts.output == "table":
        render_one(view, columns.VM, opts)
        if volumes:
            render(volumes, columns.VOLUME, opts)
        return
    record = {**as_dict(view), "volumes": volumes}
    render_one(record, (*columns.VM, Column("volumes", "云硬盘", "Volumes")), opts)
