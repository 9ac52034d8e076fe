"""`govcloud migrate plan`: where each legacy server goes, in which wave, at what size and cost.

Tables for people (hosts, waves, pool fit), the whole plan for machines (`-o json|yaml`),
and with --workloads-dir a JSON workload list per wave for a migration executor.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from govcloud.cli.options import Columns, Long
from govcloud.cli.render import Column
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="Migration-to-cloud planning (迁移上云规划).")
Opt = typer.Option

HOSTS = [
    Column("host", "主机", "Host"),
    Column("address", "地址", "Address", long=True),
    Column("system_code", "业务系统", "System"),
    Column("department_code", "部门", "Department", long=True),
    Column("environment", "环境", "Env"),
    Column("os", "操作系统", "OS", long=True),
    Column("basis", "依据", "Basis"),
    Column("confidence", "可信度", "Confidence"),
    Column("flavor", "规格", "Flavor"),
    Column("vcpus", "虚拟CPU", "vCPU", kind="int"),
    Column("ram_gib", "内存", "RAM", unit="GiB", kind="float"),
    Column("root_gib", "系统盘", "Root", unit="GiB", kind="int", long=True),
    Column("data_gib", "云硬盘容量", "Data", unit="GiB", kind="int"),
    Column("pool", "资源池", "Pool"),
    Column("wave", "批次", "Wave", kind="int"),
    Column("risks", "风险", "Risks"),
    Column("placement_note", "放置说明", "Placement note", long=True),
    Column("yearly_cost_yuan", "年费用", "Cost/year", unit="元", kind="money", long=True),
]
WAVES = [
    Column("number", "批次", "Wave", kind="int"),
    Column("hosts", "主机数", "Hosts", kind="int"),
    Column("systems", "业务系统", "Systems"),
    Column("environments", "环境", "Envs"),
    Column("vcpus", "虚拟CPU", "vCPU", kind="int"),
    Column("ram_gib", "内存", "RAM", unit="GiB", kind="float"),
    Column("disk_gib", "云硬盘容量", "Disk", unit="GiB", kind="int"),
    Column("reason", "原因", "Why", kind="sentence"),
]
POOLS = [
    Column("pool", "资源池", "Pool"),
    Column("resource", "资源", "Resource"),
    Column("capacity", "可用容量", "Capacity", kind="float"),
    Column("already_allocated", "已分配", "Allocated", kind="float"),
    Column("planned", "本次规划", "Planned", kind="float"),
    Column("headroom_after", "迁移后余量", "Headroom after", kind="float"),
    Column("hypervisors_needed", "所需宿主机", "Hypervisors (FFD)", kind="int"),
    Column("hypervisors_lower_bound", "宿主机下界", "Lower bound", kind="int"),
]


@app.command("plan")
def plan(
    ctx: typer.Context,
    pool: Annotated[str | None, Opt("--pool", help="Only this pool may take hosts.")] = None,
    tenant: Annotated[str | None, Opt("--tenant", help="Department code or name.")] = None,
    max_wave: Annotated[int, Opt("--max-wave", min=1, max=10_000, help="Hosts per wave.")] = 20,
    growth: Annotated[
        float, Opt("--growth", min=0, max=1000, help="Disk growth margin on used space, %.")
    ] = 30.0,
    workloads_dir: Annotated[
        Path | None, Opt("--workloads-dir", help="Write wave-NN.json workload lists here.")
    ] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Per legacy host: target flavor, pool, wave and risks; waves; pool capacity after."""
    from govcloud.cli.render import render, render_one
    from govcloud.core.migration_plan import PlanOptions
    from govcloud.services import migration

    st = state(ctx)
    options = PlanOptions(pool=pool, tenant=tenant, max_wave_hosts=max_wave, growth_pct=growth)
    result = migration.build(st.settings, options)
    if workloads_dir is not None:
        migration.export_workloads(st.settings, result, workloads_dir)
    opts = st.render_options(column, long)
    if opts.output in ("json", "yaml"):
        document = json.loads(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
        top = [Column(k, k, k) for k in document]
        render_one(document, top, dataclasses.replace(opts, columns=()))
        return
    from govcloud.cli.empty import note_if_empty

    zh = opts.output == "table" and opts.lang == "zh"
    rows = host_rows(result, zh)
    render(rows, HOSTS, opts)
    note_if_empty(st, rows)
    if opts.output == "table" and not column:
        lang = opts.lang
        _title("迁移批次" if lang == "zh" else "Waves")
        render(wave_rows(result, zh), WAVES, opts)
        _title("资源池容量" if lang == "zh" else "Pool fit")
        render(result.pools, POOLS, opts)
        for note in result.notes:
            st.note(f"note: {note}")


def _title(text: str) -> None:
    typer.echo(f"\n{text}")


_HOST_FIELDS = ("host", "address", "system_code", "department_code", "environment", "os", "pool",
                "wave", "placement_note", "yearly_cost_yuan")  # fmt: skip


# The plan's codes as a Chinese table shows them (machine formats keep the codes).
WORDS_ZH = {
    "measured": "实测",
    "hardware": "按硬件",
    "declared": "按申报",
    "high": "高",
    "medium": "中",
    "low": "低",
    "prod": "生产",
    "test": "测试",
    "dev": "开发",
    "dr": "灾备",
    "eol_os": "系统停保",
    "large_disk": "大容量磁盘",
    "high_io": "高IO",
    "licensed_middleware": "商业中间件",
    "no_utilization": "无利用率数据",
    "no_facts": "未采集",
}


def _w(code: str | None, zh: bool) -> str | None:
    return WORDS_ZH.get(code, code) if zh and code is not None else code


def host_rows(result: Any, zh: bool = False) -> list[dict[str, Any]]:
    rows = []
    for h in result.hosts:
        s = h.sizing
        row = {k: getattr(h, k) for k in _HOST_FIELDS}
        row |= {"basis": _w(s.basis, zh), "confidence": _w(s.confidence, zh), "flavor": s.flavor,
                "vcpus": s.vcpus, "ram_gib": s.ram_gib, "root_gib": s.root_gib,
                "data_gib": s.data_gib, "environment": _w(h.environment, zh),
                "risks": ",".join(_w(r.code, zh) or "" for r in h.risks)}  # fmt: skip
        rows.append(row)
    return rows


def wave_rows(result: Any, zh: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "number": w.number,
            "hosts": len(w.hosts),
            "systems": ",".join(w.systems),
            "environments": ",".join(_w(e, zh) or "" for e in w.environments),
            "vcpus": w.vcpus,
            "ram_gib": w.ram_gib,
            "disk_gib": w.disk_gib,
            "reason": w.reason,
        }
        for w in result.waves
    ]
