"""`govcloud pool list|show`: capacity x ratio, allocated, committed quota, headroom."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Long
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Resource pools: capacity, allocation, quota.")


@app.command("list")
def list_(ctx: typer.Context, column: Columns = None, long: Long = False) -> None:
    """One row per pool."""
    from govcloud.cli import columns
    from govcloud.cli.render import render
    from govcloud.services import views

    st = state(ctx)
    render(views.pool_summaries(st.settings), columns.POOL, st.render_options(column, long))


@app.command()
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Pool code, as in `pool list`.")],
    column: Columns = None,
) -> None:
    """Every figure of one pool."""
    from govcloud.cli import columns
    from govcloud.cli.render import render_one
    from govcloud.services import views

    st = state(ctx)
    render_one(views.pool_summary(st.settings, code), columns.POOL, st.render_options(column, True))
