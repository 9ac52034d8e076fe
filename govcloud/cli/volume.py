"""`govcloud volume list|show`: volumes (云硬盘) from the store, filtered and sorted in SQL."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Limit, Long, Sort
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Volumes (云硬盘) from the store.")

Opt = typer.Option


@app.command("list")
def list_(
    ctx: typer.Context,
    tenant: Annotated[
        str | None, Opt("--tenant", "--department", help="Department code or name, e.g. 卫健委.")
    ] = None,
    pool: Annotated[str | None, Opt(help="Pool code.")] = None,
    volume_type: Annotated[str | None, Opt("--type", help="Volume type name, e.g. ssd.")] = None,
    status: Annotated[str | None, Opt(help="Cinder status, e.g. available, in-use.")] = None,
    attached: Annotated[bool, Opt("--attached", help="Only volumes on a server.")] = False,
    unattached: Annotated[bool, Opt("--unattached", help="Only volumes on no server.")] = False,
    limit: Limit = None,
    sort: Sort = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Volumes with their department, type and the server they serve; a totals line follows."""
    from govcloud.adapters.store.storage_repo import VolumeFilter
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.render import render
    from govcloud.cli.volume_columns import VOLUME, volume_totals
    from govcloud.core.resource_listing import (
        VOLUME_DEFAULT_SORT,
        VOLUME_SORT_KEYS,
        attached_choice,
        parse_sort_keys,
    )
    from govcloud.services import resource_views

    st = state(ctx)
    keys, descending = parse_sort_keys(sort, VOLUME_SORT_KEYS, VOLUME_DEFAULT_SORT)
    flt = VolumeFilter(pool, tenant, volume_type, status, attached_choice(attached, unattached))
    opts = st.render_options(column, long)
    rows = resource_views.volumes(st.settings, flt, keys, descending, limit)
    render(rows, VOLUME, opts)
    note_if_empty(st, rows)
    if opts.output == "table":
        print(volume_totals(rows, opts.lang))


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Volume id, id prefix or exact name.")],
) -> None:
    """One volume: every field."""
    from govcloud.cli.render import render_one
    from govcloud.cli.volume_columns import VOLUME
    from govcloud.services import resource_views

    st = state(ctx)
    render_one(resource_views.volume(st.settings, ref), VOLUME, st.render_options(long=True))
