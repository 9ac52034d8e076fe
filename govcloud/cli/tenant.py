"""`govcloud tenant list|show`: per department quota, use and percentage."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Limit, Long
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Departments (tenants): quota and use.")


@app.command("list")
def list_(
    ctx: typer.Context, limit: Limit = None, column: Columns = None, long: Long = False
) -> None:
    """One row per department."""
    from govcloud.cli import columns
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.render import render

    st = state(ctx)
    rows = st.api().departments()
    render(rows[:limit], columns.TENANT, st.render_options(column, long))
    note_if_empty(st, rows)


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(metavar="DEPT", help="Department code, Chinese or English name (any case)."),
    ],
) -> None:
    """A department's figures, its approved quota per pool and resource (RAM in GiB) and, when
    the metrics store has data, its VMs' P95 CPU and memory over 14 days (weighted by size)."""
    from govcloud.cli import columns
    from govcloud.cli.render import Column, as_dict, render, render_one
    from govcloud.cli.utilization_columns import TENANT_UTILIZATION

    st = state(ctx)
    detail = st.api().department(ref)
    summary, quotas, usage = detail.department, detail.quotas, detail.utilization
    opts = st.render_options(long=True)
    if opts.output == "table":
        render_one(summary, columns.TENANT, opts)
        if usage is not None:  # no data: nothing shown, not zeros
            render_one(usage, TENANT_UTILIZATION, opts)
        render(quotas, columns.TENANT_QUOTA, opts)
    else:
        record = {
            **as_dict(summary),
            "utilization": usage and as_dict(usage),
            "quotas": [as_dict(q) for q in quotas],
        }
        extra = (Column("utilization", "利用率", "Utilization"), Column("quotas", "配额", "Quotas"))
        render_one(record, (*columns.TENANT, *extra), opts)
