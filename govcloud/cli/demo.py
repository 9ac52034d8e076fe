"""`govcloud demo`: the README's first command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govcloud.cli.state import state


def demo(
    ctx: typer.Context,
    inventory: Annotated[
        Path | None, typer.Option("--inventory", help="Estate to seed (default: the example).")
    ] = None,
    size: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Total servers in the sandbox.")
    ] = None,
) -> None:
    """Load the example estate, sync the built-in sandbox cloud over HTTP, show pools and quotas."""
    from govcloud.cli import columns, quota_columns
    from govcloud.cli.render import as_dict, render
    from govcloud.cli.sync import SYNC
    from govcloud.services import demo as service

    st = state(ctx)
    result = service.run(st.settings, inventory, size)
    opts = st.render_options()
    if opts.output != "table":
        import json

        record = {
            "store": result.store,
            "sync": [as_dict(r) for r in result.sync.results],
            "pools": [as_dict(p) for p in result.pools],
            "quota_check": [as_dict(c) for c in result.quota_check],
            "busiest_quotas": [as_dict(q) for q in result.busiest_quotas],
        }
        print(json.dumps(record, ensure_ascii=False, indent=2, default=str))
        return
    zh = opts.lang == "zh"
    sections = [
        ("同步 (沙箱云 → 存储)" if zh else "Sync (sandbox -> store)", result.sync.results, SYNC),
        ("资源池" if zh else "Resource pools", result.pools, columns.POOL),
        ("配额与容量" if zh else "Quota vs capacity", result.quota_check, quota_columns.CHECK),
        ("配额使用率最高 (虚拟CPU)" if zh else "Busiest quotas (cores)", result.busiest_quotas,
         quota_columns.SHOW),
    ]  # fmt: skip
    for title, records, cols in sections:
        print(f"\n== {title}")
        render(list(records), cols, opts)
    hint = "继续查看" if zh else "Explore further"
    print(f"\n{hint}: govcloud --db {result.store} vm list --tenant 卫健委")
