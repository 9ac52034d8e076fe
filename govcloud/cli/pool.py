"""`govcloud pool list|show`: capacity x ratio, allocated, committed quota, headroom; storage
from the Cinder backends (usable = total x over-subscription - reserve) per pool and volume type."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Limit, Long
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Resource pools: capacity, allocation, quota.")


@app.command("list")
def list_(
    ctx: typer.Context, limit: Limit = None, column: Columns = None, long: Long = False
) -> None:
    """One row per pool."""
    from govcloud.cli import columns
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.render import render

    st = state(ctx)
    rows = st.api().pools()
    render(rows[:limit], columns.POOL, st.render_options(column, long))
    note_if_empty(st, rows)


@app.command()
def show(
    ctx: typer.Context,
    code: Annotated[
        str, typer.Argument(metavar="POOL", help="Pool code or name (any case), as in `pool list`.")
    ],
    column: Columns = None,
) -> None:
    """Every figure of one pool, its storage per volume type, and its region's public
    addresses (total / held by routers / floating IPs / free)."""
    from govcloud.cli import columns
    from govcloud.cli.render import Column, as_dict, render, render_one

    st = state(ctx)
    detail = st.api().pool(code)
    summary, storage, public = detail.pool, detail.storage, detail.public_addresses
    opts = st.render_options(column, True)
    if opts.output == "table":
        render_one(summary, columns.POOL, opts)
        if storage:
            rows = [{**as_dict(s), "backends": ", ".join(s.backends)} for s in storage]
            render(rows, columns.STORAGE, opts)
        if column is None:  # --column names the pool's fields
            render_one(public, columns.PUBLIC, opts)
        return
    keys = [c.key for c in columns.STORAGE]
    types = [{k: as_dict(s)[k] for k in keys} for s in storage]
    record = {**as_dict(summary), "volume_types": types, "public_addresses": as_dict(public)}
    extra = (
        Column("volume_types", "云硬盘类型", "Volume types"),
        Column("public_addresses", "公网地址", "Public addresses"),
    )
    render_one(record, (*columns.POOL, *extra), opts)
