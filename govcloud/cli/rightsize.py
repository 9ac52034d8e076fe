"""`govcloud rightsize`: per-VM rightsizing recommendations and reclaimable totals."""

from __future__ import annotations

from typing import Annotated

import typer

from govcloud.cli.options import Columns, Limit, Long
from govcloud.cli.state import state

Opt = typer.Option


def rightsize(
    ctx: typer.Context,
    tenant: Annotated[str | None, Opt("--tenant", help="Department code or name.")] = None,
    pool: Annotated[str | None, Opt("--pool", help="Pool code.")] = None,
    window: Annotated[str, Opt("--window", help="Trailing window, e.g. 14d.")] = "14d",
    percentile: Annotated[
        float | None, Opt("--percentile", help="Percentile of the window's demand (default 98).")
    ] = None,
    headroom: Annotated[
        float | None, Opt("--headroom", help="Factor on the percentile (default 1.2).")
    ] = None,
    totals: Annotated[
        str | None, Opt("--totals", help="Show totals per department or pool instead of VMs.")
    ] = None,
    limit: Limit = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Per VM: the smallest flavor that holds its demand, with evidence; never resizes."""
    from govcloud.cli import audit_columns as cols
    from govcloud.cli.render import render
    from govcloud.core.errors import UsageError
    from govcloud.services import audit
    from govcloud.services import rightsize as service

    st = state(ctx)
    if totals not in (None, "department", "pool"):
        raise UsageError(f"unknown --totals {totals!r}", hint="use department or pool")
    window_s = audit.parse_window_s(window)
    params: dict[str, float | int] = {"window_days": max(1, round(window_s / 86400))}
    if percentile is not None:
        params["percentile"] = percentile
    if headroom is not None:
        params["headroom"] = headroom
    result = service.rightsize(
        st.settings, tenant=tenant, pool=pool, window_s=window_s, params=params
    )
    opts = st.render_options(column, long)
    if totals is None:
        rows = cols.recommendation_rows(result.recommendations, result.department_names)
        render(rows[:limit], cols.RIGHTSIZE, opts)
    else:
        chosen = result.by_department if totals == "department" else result.by_pool
        render(cols.total_rows(totals, chosen, result.department_names)[:limit], cols.TOTAL, opts)
