"""`govcloud tenant list|show`: per department quota, use and percentage."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Long
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Departments (tenants): quota and use.")


@app.command("list")
def list_(ctx: typer.Context, column: Columns = None, long: Long = False) -> None:
    """One row per department."""
    from govcloud.cli import columns
    from govcloud.cli.render import render
    from govcloud.services import views

    st = state(ctx)
    render(views.tenant_summaries(st.settings), columns.TENANT, st.render_options(column, long))


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Department code, Chinese or English name.")],
) -> None:
    """A department's figures and its approved quota per pool and resource."""
    from govcloud.cli import columns
    from govcloud.cli.render import Column, as_dict, render, render_one
    from govcloud.services import views

    st = state(ctx)
    summary, quotas = views.tenant_summary(st.settings, ref)
    opts = st.render_options(long=True)
    if opts.output == "table":
        render_one(summary, columns.TENANT, opts)
        render(quotas, columns.TENANT_QUOTA, opts)
    else:
        record = {**as_dict(summary), "quotas": [as_dict(q) for q in quotas]}
        render_one(record, (*columns.TENANT, Column("quotas", "配额", "Quotas")), opts)
