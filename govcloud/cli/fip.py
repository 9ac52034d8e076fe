"""`govcloud fip list`: floating IPs (浮动IP) from the store, filtered and sorted in SQL."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Limit, Long, Sort
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Floating IPs (浮动IP) from the store.")

Opt = typer.Option


@app.command("list")
def list_(
    ctx: typer.Context,
    tenant: Annotated[
        str | None, Opt("--tenant", "--department", help="Department code or name, e.g. 卫健委.")
    ] = None,
    pool: Annotated[str | None, Opt(help="Pool code.")] = None,
    status: Annotated[str | None, Opt(help="Neutron status: ACTIVE, DOWN.")] = None,
    attached: Annotated[bool, Opt("--attached", help="Only bound addresses.")] = False,
    unattached: Annotated[bool, Opt("--unattached", help="Only idle addresses.")] = False,
    limit: Limit = None,
    sort: Sort = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Floating IPs with their department and the server they reach; a totals line follows."""
    from govcloud.adapters.store.network_repo import FipFilter
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.render import render
    from govcloud.cli.volume_columns import FIP, fip_totals
    from govcloud.core.resource_listing import (
        FIP_DEFAULT_SORT,
        FIP_SORT_KEYS,
        attached_choice,
        parse_sort_keys,
    )
    from govcloud.services import resource_views

    st = state(ctx)
    keys, descending = parse_sort_keys(sort, FIP_SORT_KEYS, FIP_DEFAULT_SORT)
    flt = FipFilter(pool, tenant, status, attached_choice(attached, unattached))
    opts = st.render_options(column, long)
    rows = resource_views.floating_ips(st.settings, flt, keys, descending, limit)
    render(rows, FIP, opts)
    note_if_empty(st, rows)
    if opts.output == "table":
        print(fip_totals(rows, opts.lang))
