"""From sized demand to a flavor, a verdict and an explanation (the second half of rightsizing).

The target is the smallest flavor of the VM's own pool catalogue (ordered by vCPUs, then RAM)
that holds both the CPU and the memory demand, never below the floors. A VM whose current
flavor left the catalogue is still judged on its embedded vCPUs and RAM (Nova >= 2.47).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData
from govcloud.core.findings import Reclaim, Text
from govcloud.core.recommendation import Recommendation, Verdict
from govcloud.core.utilization import confidence_stars

if TYPE_CHECKING:
    from govcloud.core.rightsizing import RightsizeParams, SizedMatrix


def smallest_fit(
    flavors: Sequence[m.Flavor],
    need_vcpus: npt.NDArray[np.float64],
    need_ram_mib: npt.NDArray[np.float64],
) -> list[m.Flavor | None]:
    """Per row, the first flavor (in catalogue order: vCPUs, RAM) holding both; None: none does.
    NaN needs (no data) give None."""
    if not flavors:
        return [None] * len(need_vcpus)
    fv = np.array([f.vcpus for f in flavors], dtype=np.float64)
    fr = np.array([f.ram_mib for f in flavors], dtype=np.float64)
    # 1e-9: a demand of exactly 2.0 vCPUs fits a 2-vCPU flavor despite float noise.
    fits = (fv[None, :] + 1e-9 >= need_vcpus[:, None]) & (
        fr[None, :] + 1e-6 >= need_ram_mib[:, None]
    )
    first: list[int] = np.argmax(fits, axis=1).tolist()
    anyfit: list[bool] = np.any(fits, axis=1).tolist()
    return [flavors[i] if ok else None for i, ok in zip(first, anyfit, strict=True)]


def build_recommendations(
    data: AuditData,
    params: RightsizeParams,
    servers: Sequence[m.Server],
    cpu: SizedMatrix,
    mem: SizedMatrix,
) -> list[Recommendation]:
    need_v = np.maximum(cpu.demand, params.min_vcpus)
    cur_ram = np.array([s.ram_mib for s in servers], dtype=np.float64)
    mem_known = ~np.isnan(mem.demand)
    need_r = np.maximum(np.where(mem_known, mem.demand, cur_ram), params.min_ram_mib)
    targets: list[m.Flavor | None] = [None] * len(servers)
    by_pool: dict[str, list[int]] = {}
    for i, s in enumerate(servers):
        by_pool.setdefault(s.pool_code, []).append(i)
    for pool, idx in by_pool.items():
        ix = np.array(idx)
        fitted = smallest_fit(data.flavors_by_pool.get(pool, []), need_v[ix], need_r[ix])
        for i, f in zip(idx, fitted, strict=True):
            targets[i] = f
    names = {p: {f.name for f in fs} for p, fs in data.flavors_by_pool.items()}
    out = []
    for i, s in enumerate(servers):
        sized = _Sized(
            cpu=_num(cpu.demand[i]),
            cpu_est=_num(cpu.estimate[i]),
            ram=_num(mem.demand[i]),
            ram_est=_num(mem.estimate[i]),
            coverage=float(cpu.coverage_pct[i]),
            shift=bool(cpu.level_shift[i] or mem.level_shift[i]),
            capped=bool(cpu.capped[i] or mem.capped[i]),
        )
        known = s.flavor_name in names.get(s.pool_code, ())
        out.append(_one(data, params, s, sized, targets[i], known))
    return out


@dataclass(frozen=True)
class _Sized:
    """One VM's sized demand, as plain floats (None: no data)."""

    cpu: float | None
    cpu_est: float | None
    ram: float | None
    ram_est: float | None
    coverage: float
    shift: bool
    capped: bool


def _num(v: float) -> float | None:
    f = float(v)
    return None if math.isnan(f) else f


def _verdict(s: m.Server, z: _Sized, target: m.Flavor | None, has_catalogue: bool) -> Verdict:
    if z.cpu is None:
        return Verdict.INSUFFICIENT_DATA
    under = z.cpu > s.vcpus + 1e-9 or (z.ram is not None and z.ram > s.ram_mib + 1e-6)
    if target is None:
        return Verdict.NO_FIT if (under or not has_catalogue) else Verdict.OPTIMIZED
    if under:
        return Verdict.UNDER
    smaller = target.vcpus <= s.vcpus and target.ram_mib <= s.ram_mib
    if smaller and (target.vcpus < s.vcpus or target.ram_mib < s.ram_mib):
        return Verdict.OVER
    return Verdict.OPTIMIZED  # the current size is the smallest that holds the demand


def _one(
    data: AuditData,
    params: RightsizeParams,
    s: m.Server,
    z: _Sized,
    target: m.Flavor | None,
    known: bool,
) -> Recommendation:
    catalogue = data.flavors_by_pool.get(s.pool_code, [])
    verdict = _verdict(s, z, target, bool(catalogue))
    keep = verdict in (Verdict.OPTIMIZED, Verdict.INSUFFICIENT_DATA) or (
        verdict is Verdict.NO_FIT and target is None
    )
    chosen = None if keep else target
    reclaim = Reclaim()
    if verdict is Verdict.OVER and chosen is not None:
        reclaim = Reclaim(max(s.vcpus - chosen.vcpus, 0), max(s.ram_mib - chosen.ram_mib, 0))
    return Recommendation(
        server_id=s.server_id,
        name=s.name,
        pool=s.pool_code,
        department=data.department_of(s.pool_code, s.project_id),
        system=s.system_code,
        current_flavor=s.flavor_name,
        current_vcpus=s.vcpus,
        current_ram_mib=s.ram_mib,
        verdict=verdict,
        target_flavor=chosen.name if chosen else None,
        target_vcpus=chosen.vcpus if chosen else None,
        target_ram_mib=chosen.ram_mib if chosen else None,
        cpu_demand_vcpus=None if z.cpu is None else round(z.cpu, 3),
        ram_demand_mib=None if z.ram is None else round(z.ram, 1),
        cpu_percentile=params.percentile,
        headroom=params.headroom,
        window_days=float(params.window_days),
        coverage_pct=round(z.coverage, 1),
        confidence=confidence_stars(z.coverage),
        level_shift=z.shift,
        reason=_reason(params, s, z, verdict, chosen, known_flavor=known),
        reclaim=reclaim,
    )


def _reason(
    params: RightsizeParams,
    s: m.Server,
    z: _Sized,
    verdict: Verdict,
    target: m.Flavor | None,
    *,
    known_flavor: bool,
) -> Text:
    stars = "★" * confidence_stars(z.coverage) + "☆" * (5 - confidence_stars(z.coverage))
    cov_en = f"coverage {z.coverage:.0f}% {stars}"
    cov_zh = f"数据覆盖率 {z.coverage:.0f}% {stars}"
    if z.cpu is None or z.cpu_est is None:
        return Text(
            f"insufficient data: {cov_en} (needs {params.min_coverage_pct:.0f}%);"
            f" keep {s.flavor_name}",
            f"数据不足：{cov_zh}（至少需 {params.min_coverage_pct:.0f}%），保持 {s.flavor_name}",
        )
    what_en = (
        f"daily P{params.percentile:g} peak, highest of {params.window_days} days"
        if params.estimator == "daily-peak"
        else f"P{params.percentile:g} of {params.window_days} days"
    )
    what_zh = (
        f"{params.window_days} 天中每日 P{params.percentile:g} 峰值的最大值"
        if params.estimator == "daily-peak"
        else f"{params.window_days} 天 P{params.percentile:g}"
    )
    h = params.headroom
    parts_en = [f"CPU {what_en} = {z.cpu_est:.2f} vCPU x {h:g} = {z.cpu_est * h:.2f} vCPU"]
    parts_zh = [f"CPU {what_zh} = {z.cpu_est:.2f} vCPU × {h:g} = {z.cpu_est * h:.2f} vCPU"]
    if z.ram is None or z.ram_est is None:
        parts_en.append(f"no memory data: RAM stays {_gib(s.ram_mib)}")
        parts_zh.append(f"无内存数据：内存保持 {_gib(s.ram_mib)}")
    else:
        parts_en.append(f"RAM = {_gib(z.ram_est)} x {h:g} = {_gib(z.ram_est * h)}")
        parts_zh.append(f"内存 = {_gib(z.ram_est)} × {h:g} = {_gib(z.ram_est * h)}")
    if z.shift:
        parts_en.append(
            f"demand stepped up in the last {params.shift_days} days: sized for the new level"
        )
        parts_zh.append(f"最近 {params.shift_days} 天负载明显上升：按新水平计算")
    if z.capped:
        parts_en.append("only the busiest days need more than the current size: not grown")
        parts_zh.append("仅少数高峰日超出当前规格，日常负载未超出：不扩容")
    if not known_flavor:
        parts_en.append(f"current flavor {s.flavor_name} is no longer in the catalogue")
        parts_zh.append(f"当前规格 {s.flavor_name} 已不在规格目录中")
    arrow_en, arrow_zh = _outcome(s, verdict, target)
    return Text(
        "; ".join(parts_en) + f" -> {arrow_en}; {cov_en}",
        "；".join(parts_zh) + f" → {arrow_zh}；{cov_zh}",
    )


def _outcome(s: m.Server, verdict: Verdict, target: m.Flavor | None) -> tuple[str, str]:
    if target is not None:
        spec = f"{target.name} ({target.vcpus} vCPU, {_gib(target.ram_mib)})"
        return spec, f"{target.name}（{target.vcpus} vCPU，{_gib(target.ram_mib)}）"
    if verdict is Verdict.NO_FIT:
        return (
            "no flavor of the pool's catalogue holds it",
            "资源池规格目录中没有能容纳的规格",
        )
    return f"keep {s.flavor_name}", f"保持 {s.flavor_name}"


def _gib(mib: float) -> str:
    return f"{mib / 1024:.1f} GiB" if mib % 1024 else f"{mib / 1024:.0f} GiB"
