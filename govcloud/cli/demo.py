"""`govcloud demo`: the README's first command."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govcloud.cli.render import Column as C
from govcloud.cli.state import state

if TYPE_CHECKING:
    from govcloud.cli.render import RenderOptions
    from govcloud.services.demo import DemoAudit, DemoResult

RECLAIM = (
    C("key", "代码", "Code"),
    C("name", "名称", "Name"),
    C("subjects", "对象数", "Objects", kind="int"),
    C("vcpus", "可回收虚拟CPU", "Reclaimable vCPU", kind="int"),
    C("ram_gib", "可回收内存", "Reclaimable RAM", "GiB", kind="int"),
    C("volume_gib", "可回收云硬盘", "Reclaimable volumes", "GiB", kind="int"),
    C("yuan_per_year", "每年可节省", "Saving per year", "¥", kind="money"),
)
CHECKS = (
    C("check", "检查项", "Check"),
    C("findings", "发现项", "Findings", kind="int"),
    C("critical", "严重", "Critical", kind="int"),
    C("high", "高", "High", kind="int"),
    C("medium", "中", "Medium", kind="int"),
    C("low", "低", "Low", kind="int"),
    C("info", "提示", "Info", kind="int"),
)


def demo(
    ctx: typer.Context,
    inventory: Annotated[
        Path | None, typer.Option("--inventory", help="Estate to seed (default: the example).")
    ] = None,
    size: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Total servers in the sandbox.")
    ] = None,
    audit: Annotated[
        bool, typer.Option("--audit/--no-audit", help="Simulate 30 days of use and audit it.")
    ] = True,
    reports: Annotated[
        Path | None, typer.Option("--reports", help="Report folder (default: beside the store).")
    ] = None,
) -> None:
    """Sandbox cloud -> sync -> pools and quotas -> 30 days of use -> monthly audit -> reports."""
    from govcloud.services import demo as service

    st = state(ctx)
    result = service.run(
        st.settings, inventory, size, lang=st.display.lang, audit=audit, reports_dir=reports
    )
    opts = st.render_options()
    if opts.output != "table":
        import json

        print(json.dumps(_document(result), ensure_ascii=False, indent=2, default=str))
        return
    _print_tables(result, opts)


def _document(result: DemoResult) -> dict[str, Any]:
    from govcloud.cli.render import as_dict

    doc: dict[str, Any] = {
        "store": result.store,
        "sync": [as_dict(r) for r in result.sync.results],
        "pools": [as_dict(p) for p in result.pools],
        "quota_check": [as_dict(c) for c in result.quota_check],
        "busiest_quotas": [as_dict(q) for q in result.busiest_quotas],
    }
    if result.audit is not None:
        doc["audit"] = _audit_document(result.audit)
    return doc


def _audit_document(a: DemoAudit) -> dict[str, Any]:
    from govcloud.cli.render import as_dict
    from govcloud.core.findings import count_by_check

    run = a.playbook.audit
    return {
        "history": as_dict(a.history),
        "steps": [as_dict(s) for s in a.playbook.steps],
        "run_id": run.run_id if run else None,
        "checks": [as_dict(c) for c in count_by_check(run.findings if run else [])],
        "reclaim_by_pool": [as_dict(r) for r in a.reclaim_by_pool],
        "top_departments": [as_dict(r) for r in a.top_departments],
        "reports_dir": a.reports_dir,
        "reports": [str(p) for p in a.playbook.reports],
    }


def _print_tables(result: DemoResult, opts: RenderOptions) -> None:
    from govcloud.cli import columns, quota_columns
    from govcloud.cli.render import render
    from govcloud.cli.sync import SYNC

    zh = opts.lang == "zh"
    sections: list[tuple[str, Sequence[Any], Any]] = [
        ("同步 (沙箱云 → 存储)" if zh else "Sync (sandbox -> store)", result.sync.results, SYNC),
        ("资源池" if zh else "Resource pools", result.pools, columns.POOL),
        ("配额与容量" if zh else "Quota vs capacity", result.quota_check, quota_columns.CHECK),
    ]
    if result.audit is None:
        sections.append(("配额使用率最高 (虚拟CPU)" if zh else "Busiest quotas (cores)",
                         result.busiest_quotas, quota_columns.SHOW))  # fmt: skip
    else:
        sections += _audit_sections(result.audit, zh)
    for title, records, cols in sections:
        print(f"\n== {title}")
        render(records, cols, opts)
    if result.audit is not None:
        where = "报告目录" if zh else "Reports"
        print(f"\n{where}: {result.audit.reports_dir} ({len(result.audit.playbook.reports)})")
    hint = "继续查看" if zh else "Explore further"
    print(f"{hint}: govcloud --db {result.store} audit show --severity high")
    fast = "读取命令提速（常驻读取进程）" if zh else "Faster read commands (a warm reader)"
    print(f"{fast}: govcloud warm start")


def _audit_sections(a: DemoAudit, zh: bool) -> list[tuple[str, Sequence[Any], Any]]:
    from govcloud.cli.audit_columns import STEP
    from govcloud.core.findings import count_by_check

    run = a.playbook.audit
    days = a.history.last_day - a.history.first_day
    return [
        (f"月度利用率审计 (模拟 {days} 天使用数据)" if zh
         else f"Monthly utilization audit ({days} days of simulated use)",
         a.playbook.steps, STEP),
        ("各检查项发现" if zh else "Findings per check",
         count_by_check(run.findings if run else []), CHECKS),
        ("各资源池可回收资源" if zh else "Reclaimable per pool", a.reclaim_by_pool, RECLAIM),
        ("浪费最多的部门" if zh else "Departments with the most to reclaim",
         a.top_departments, RECLAIM),
    ]  # fmt: skip
