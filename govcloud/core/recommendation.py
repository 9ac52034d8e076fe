"""A rightsizing recommendation for one VM: the target flavor and the evidence behind it.

Produced by `govcloud.core.rightsizing`; shown by `govcloud rightsize`, turned into findings by
the `oversized` / `undersized` checks and summed per department and pool in reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from govcloud.core.findings import Reclaim, Text


class Verdict(StrEnum):
    OVER = "over-provisioned"  # a smaller flavor holds the demand: reclaim the difference
    UNDER = "under-provisioned"  # demand exceeds the flavor: grow
    OPTIMIZED = "optimized"  # the current flavor is the right one
    INSUFFICIENT_DATA = "insufficient-data"  # too little coverage for a confident answer
    NO_FIT = "no-fit"  # no flavor of the pool's catalogue holds the demand

    @property
    def zh(self) -> str:
        return _VERDICT_ZH[self]


_VERDICT_ZH = {
    Verdict.OVER: "配置过高",
    Verdict.UNDER: "配置不足",
    Verdict.OPTIMIZED: "配置合理",
    Verdict.INSUFFICIENT_DATA: "数据不足",
    Verdict.NO_FIT: "无合适规格",
}


@dataclass(frozen=True)
class Recommendation:
    server_id: str
    name: str
    pool: str
    department: str | None
    system: str | None
    current_flavor: str
    current_vcpus: int
    current_ram_mib: int
    verdict: Verdict
    target_flavor: str | None  # None: keep, or nothing fits
    target_vcpus: int | None
    target_ram_mib: int | None
    cpu_demand_vcpus: float | None  # sized demand (percentile x headroom), in vCPUs
    ram_demand_mib: float | None
    cpu_percentile: float  # which percentile of the window was used
    headroom: float  # multiplier applied to the percentile
    window_days: float
    coverage_pct: float
    confidence: int  # 1-5 stars from coverage (Azure Migrate)
    level_shift: bool  # demand stepped up late in the window: sized for the new level
    reason: Text
    reclaim: Reclaim = field(default_factory=Reclaim)  # what shrinking gives back (>= 0)

    @property
    def delta_vcpus(self) -> int:
        """Signed change: negative shrinks, positive grows, 0 keeps."""
        return 0 if self.target_vcpus is None else self.target_vcpus - self.current_vcpus

    @property
    def delta_ram_mib(self) -> int:
        return 0 if self.target_ram_mib is None else self.target_ram_mib - self.current_ram_mib
