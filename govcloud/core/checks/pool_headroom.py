"""`pool-headroom`: per pool and resource, how much is left and when it runs out.

Capacity is what `quota check` uses: Placement's (total - reserved) x ratio, or the declared
physical capacity x the declared ratio before the first sync, minus the pool's reserve. The
level now is what live servers hold; the growth rate is a Theil–Sen trend over the stored sync
history (govcloud.core.forecast), with Sen's confidence interval turned into a low/high range
of days to exhaustion.

Volume GiB are judged against the pool's Cinder backends (govcloud.core.storage_capacity: total
x over-subscription minus the reserve) once sync has seen them, with the provisioned GiB as the
level, since that is what Cinder's capacity filter counts; the trend is the history's Σ volume
sizes. A backend with infinite/unknown capacity leaves it unjudged (`pool-overcommit` notes
it). A pool with no backend synced falls back to Placement's DISK_GB, as on Ceph-backed pools
where Nova and Cinder share one cluster. The history is per pool, so there is no forecast per
volume type (`pool-overcommit` judges each type's promises).

Fewer than `min_points` history points in the window: one info finding per pool ("not enough
history") and the headroom rule alone; a forecast from two points would be a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from pydantic import Field, model_validator

from govcloud.core.audit_data import AuditData
from govcloud.core.capacity import DISK_GB, MEMORY_MB, VCPU, Allocated, usable_capacity
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import DAY_S, utc
from govcloud.core.commitment import allocated_by_pool, storage_by_pool
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.forecast import Exhaustion, Trend, days_to_exhaustion, theil_sen
from govcloud.core.models import Pool, UsagePoint
from govcloud.core.severity import Severity


class PoolHeadroomParams(CheckParams):
    min_headroom_pct: float = Field(15.0, gt=0, lt=100, description="free share below this")
    within_days: int = Field(90, ge=1, description="exhaustion within this many days: medium")
    high_within_days: int = Field(30, ge=1, description="exhaustion within this: high")
    history_days: int = Field(90, ge=1, le=3650, description="trend fitted over this history")
    min_points: int = Field(3, ge=2, description="fewer history points: no forecast")
    confidence: float = Field(0.95, ge=0.5, lt=1.0, description="of the slope's interval")

    @model_validator(mode="after")
    def _ordered(self) -> PoolHeadroomParams:
        if self.high_within_days >= self.within_days:
            raise ValueError("high_within_days must be below within_days")
        return self


@dataclass(frozen=True)
class _Kind:
    name: str  # vcpu | ram_mib | volume_gib
    zh: str
    en: str
    resource_class: str
    capacity_kind: str  # cpu | ram | disk (capacity.usable_capacity)


_KINDS = (
    _Kind("vcpu", "虚拟CPU", "vCPU", VCPU, "cpu"),
    _Kind("ram_mib", "内存", "RAM", MEMORY_MB, "ram"),
    _Kind("volume_gib", "云硬盘", "volume GiB", DISK_GB, "disk"),
)


@register(
    "pool-headroom",
    PoolHeadroomParams,
    summary=Text(
        "Pool headroom per resource and days to exhaustion from the sync history (Theil–Sen)",
        "各资源池剩余容量及按历史趋势（Theil–Sen）预测的耗尽天数",
    ),
    example={
        "min_headroom_pct": 15,
        "within_days": 90,
        "high_within_days": 30,
        "history_days": 90,
        "min_points": 3,
        "confidence": 0.95,
    },
)
def pool_headroom(data: AuditData, params: PoolHeadroomParams) -> list[Finding]:
    allocated = allocated_by_pool(data)
    since = utc(data.now) - timedelta(days=params.history_days)
    history: dict[str, list[UsagePoint]] = {}
    for point in data.usage_history:
        if since <= utc(point.ts) <= utc(data.now):
            history.setdefault(point.pool_code, []).append(point)
    findings = []
    for pool in data.pools:
        points = history.get(pool.code, [])
        enough = len({p.ts for p in points}) >= params.min_points
        if not enough:
            findings.append(_short_history(pool, len(points), params))
        held = allocated.get(pool.code, Allocated())
        for kind in _KINDS:
            found = _judge(data, params, pool, kind, held, points if enough else [])
            if found is not None:
                findings.append(found)
    return findings


@dataclass(frozen=True)
class _Capacity:
    usable: int | None
    level: int
    source: str  # placement | declared | cinder


def _capacity_and_level(data: AuditData, pool: Pool, kind: _Kind, held: Allocated) -> _Capacity:
    if kind.name == "volume_gib":
        rows = storage_by_pool(data).get(pool.code, [])
        cinder = rows[0] if rows else None
        if cinder is not None and cinder.backends:
            level = cinder.provisioned_gib if cinder.provisioned_gib is not None else 0
            return _Capacity(cinder.usable_gib, level, "cinder")
    record = data.capacity.get(pool.code, {}).get(kind.resource_class)
    source = "placement" if record is not None else "declared"
    return _Capacity(_capacity(data, pool, kind), _level(held, kind), source)


def _capacity(data: AuditData, pool: Pool, kind: _Kind) -> int | None:
    record = data.capacity.get(pool.code, {}).get(kind.resource_class)
    usable, _ = usable_capacity(pool, record, kind.capacity_kind)
    if usable is None:
        return None
    reserve = {"vcpu": pool.reserve.vcpu, "ram_mib": pool.reserve.ram_mib}.get(
        kind.name, pool.reserve.disk_gib
    )
    return usable - reserve


def _level(held: Allocated, kind: _Kind) -> int:
    return {"vcpu": held.vcpus, "ram_mib": held.ram_mib}.get(kind.name, held.volume_gib)


def _trend(data: AuditData, points: Sequence[UsagePoint], kind: _Kind, conf: float) -> Trend | None:
    if not points:
        return None
    now = utc(data.now)
    xs = np.array([(utc(p.ts) - now).total_seconds() / DAY_S for p in points])
    ys = np.array([getattr(p, "vcpus" if kind.name == "vcpu" else kind.name) for p in points])
    return theil_sen(xs, ys, conf)


def _judge(
    data: AuditData,
    params: PoolHeadroomParams,
    pool: Pool,
    kind: _Kind,
    held: Allocated,
    points: Sequence[UsagePoint],
) -> Finding | None:
    found = _capacity_and_level(data, pool, kind, held)
    capacity, level = found.usable, found.level
    if capacity is None or capacity <= 0:
        return None  # unknown capacity is pool-overcommit's info finding
    headroom_pct = 100.0 * (capacity - level) / capacity
    trend = _trend(data, points, kind, params.confidence)
    exhaustion = days_to_exhaustion(level, capacity, trend) if trend else None
    severity = _severity(params, headroom_pct, exhaustion)
    if severity is None:
        return None
    return _finding(pool, kind, severity, found, headroom_pct, trend, exhaustion, params)


def _severity(
    params: PoolHeadroomParams, headroom_pct: float, exhaustion: Exhaustion | None
) -> Severity | None:
    days = exhaustion.days if exhaustion else None
    if headroom_pct <= 0 or (days is not None and days < params.high_within_days):
        return Severity.HIGH
    if headroom_pct < params.min_headroom_pct or (days is not None and days <= params.within_days):
        return Severity.MEDIUM
    return None


def _finding(
    pool: Pool,
    kind: _Kind,
    severity: Severity,
    found: _Capacity,
    headroom_pct: float,
    trend: Trend | None,
    exhaustion: Exhaustion | None,
    params: PoolHeadroomParams,
) -> Finding:
    capacity, level = found.usable or 0, found.level
    held_en, held_zh = (
        ("provisioned", "已置备") if found.source == "cinder" else ("allocated", "已分配")
    )
    days = exhaustion.days if exhaustion else None
    when_en = "no growth trend" if days is None else f"full in ~{days:.0f} days"
    when_zh = "无增长趋势" if days is None else f"预计约 {days:.0f} 天后耗尽"
    return Finding(
        check="pool-headroom",
        severity=severity,
        subject_type=SubjectType.POOL,
        subject_id=f"{pool.code}:{kind.name}",
        subject_name=f"{pool.name_zh} {kind.zh}",
        subject_name_en=f"{pool.name_en} {kind.en}",
        pool=pool.code,
        department=None,
        message=Text(
            f"{kind.en}: {headroom_pct:.1f}% headroom left ({_amount(kind, level)} of "
            f"{_amount(kind, capacity)} {held_en}), {when_en}",
            f"{kind.zh}：剩余 {headroom_pct:.1f}%（{held_zh} {_amount(kind, level)} / "
            f"{_amount(kind, capacity)}），{when_zh}",
        ),
        action=Text(
            "reclaim idle VMs, volumes and quota in this pool, and start capacity expansion "
            "well before the forecast date",
            "回收该资源池内闲置云主机、云硬盘和配额，并在预测耗尽日期前尽早启动扩容",
        ),
        evidence=_evidence(params, found, headroom_pct, trend, exhaustion),
    )


def _evidence(
    params: PoolHeadroomParams,
    found: _Capacity,
    headroom_pct: float,
    trend: Trend | None,
    exhaustion: Exhaustion | None,
) -> dict[str, object]:
    out: dict[str, object] = {
        "capacity": found.usable,
        "capacity_source": found.source,
        "allocated": found.level,
        "headroom_pct": round(headroom_pct, 1),
        "min_headroom_pct": params.min_headroom_pct,
        "history_days": params.history_days,
        "history_points": 0 if trend is None else trend.points,
    }
    if trend is not None and exhaustion is not None:
        out |= {
            "method": "theil-sen",
            "slope_per_day": round(trend.slope, 3),
            "slope_low_per_day": round(trend.slope_low, 3),
            "slope_high_per_day": round(trend.slope_high, 3),
            "confidence": trend.confidence,
            "days_to_exhaustion": _r(exhaustion.days),
            "days_low": _r(exhaustion.days_low),
            "days_high": _r(exhaustion.days_high),
        }
    return out


def _short_history(pool: Pool, n: int, params: PoolHeadroomParams) -> Finding:
    return Finding(
        check="pool-headroom",
        severity=Severity.INFO,
        subject_type=SubjectType.POOL,
        subject_id=f"{pool.code}:history",
        subject_name=pool.name_zh,
        subject_name_en=pool.name_en,
        pool=pool.code,
        department=None,
        message=Text(
            f"not enough sync history for a forecast ({n} of {params.min_points} points "
            f"in {params.history_days} days)",
            f"同步历史不足，无法预测耗尽时间（{params.history_days} 天内 {n} / "
            f"{params.min_points} 个数据点）",
        ),
        action=Text(
            "schedule `govcloud sync` (e.g. the daily-sync playbook) to build the history",
            "定期执行 `govcloud sync`（如 daily-sync 剧本）以积累历史数据",
        ),
        evidence={"history_points": n, "min_points": params.min_points},
    )


def _amount(kind: _Kind, value: int) -> str:
    if kind.name == "ram_mib":
        return f"{value / 1024:,.0f} GiB"
    if kind.name == "volume_gib":
        return f"{value:,} GiB"
    return f"{value:,}"


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
