"""Risk notes for moving one legacy host: what a migration team must look at before the wave.

End-of-life dates are the vendors' published end of standard support (maintenance) dates;
paid extended support (RHEL ELS, Windows ESU, Ubuntu ESM) does not change the answer: a host
past them needs an OS upgrade or a re-platform as part of its move, not only a copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from govcloud.core.host_facts import HostFacts
from govcloud.core.migration_models import Risk

# (os id or name pattern, major version pattern) -> end of standard support
_EOL: tuple[tuple[str, str, date, str], ...] = (
    ("centos", r"^6(\.|$)", date(2020, 11, 30), "CentOS 6"),
    ("centos", r"^7(\.|$)", date(2024, 6, 30), "CentOS 7"),
    ("centos", r"^8(\.|$)", date(2021, 12, 31), "CentOS 8"),
    ("rhel", r"^6(\.|$)", date(2020, 11, 30), "RHEL 6"),
    ("rhel", r"^7(\.|$)", date(2024, 6, 30), "RHEL 7"),
    ("ubuntu", r"^1[0-7]\.", date(2021, 4, 30), "Ubuntu before 18.04"),
    ("ubuntu", r"^18\.04", date(2023, 5, 31), "Ubuntu 18.04"),
    ("debian", r"^[1-9](\.|$)", date(2024, 6, 30), "Debian 9 or older"),
    ("debian", r"^10(\.|$)", date(2024, 6, 30), "Debian 10"),
    ("sles", r"^1[01](\.|$|-)", date(2019, 3, 31), "SLES 11 or older"),
    ("windows", r"2003", date(2015, 7, 14), "Windows Server 2003"),
    ("windows", r"2008", date(2020, 1, 14), "Windows Server 2008"),
    ("windows", r"2012", date(2023, 10, 10), "Windows Server 2012"),
)
_SOON_DAYS = 365


@dataclass(frozen=True)
class RiskThresholds:
    large_disk_gib: float = 2048.0  # one disk over 2 TiB: longer copy, MBR limit, image size
    high_io_bps: float = 100 * 1024 * 1024  # P95 read + write over 100 MiB/s


def end_of_life(facts: HostFacts) -> tuple[str, date] | None:
    """(label, end of standard support) of the host's OS, when it is one we know."""
    os_id = (facts.os_id or "").lower()
    text = f"{facts.os_name or ''} {facts.os_version or ''}".lower()
    for key, version, day, label in _EOL:
        if key == "windows":
            if "windows" in text and re.search(version, text):
                return label, day
            continue
        if os_id == key and facts.os_version and re.search(version, facts.os_version):
            return label, day
    return None


def host_risks(
    facts: HostFacts | None,
    *,
    today: date,
    measured: bool,
    io_p95_bps: float | None,
    thresholds: RiskThresholds,
) -> tuple[Risk, ...]:
    """The risk notes of one host; FACTS None: never discovered."""
    if facts is None:
        return (
            Risk("no_facts", "medium", "未采集主机信息：按申报默认规格估算，需人工核实",
                 "no discovered facts: sized from declared defaults, check by hand"),
            _no_utilization(),
        )  # fmt: skip
    out: list[Risk] = []
    eol = end_of_life(facts)
    if eol is not None:
        out.append(_eol_risk(*eol, today))
    big = [
        d
        for d in facts.block_devices
        if d.kind == "disk" and d.size_gib > thresholds.large_disk_gib
    ]
    if big:
        names = ", ".join(f"{d.name} {d.size_gib / 1024:.1f} TiB" for d in big[:3])
        out.append(
            Risk(
                "large_disk",
                "medium",
                f"大容量磁盘（{names}）：迁移时间长，需分批同步",
                f"large disks ({names}): long copy, plan incremental sync",
            )
        )
    if io_p95_bps is not None and io_p95_bps > thresholds.high_io_bps:
        mib = io_p95_bps / 1024 / 1024
        out.append(
            Risk(
                "high_io",
                "medium",
                f"磁盘读写高（P95 {mib:.0f} MiB/s）：需高性能云硬盘",
                f"high disk I/O (P95 {mib:.0f} MiB/s): needs a fast volume type",
            )
        )
    licensed = _licensed(facts)
    if licensed:
        names = ", ".join(licensed)
        out.append(
            Risk(
                "licensed_middleware",
                "medium",
                f"商业授权中间件（{names}）：需确认授权可迁移",
                f"licensed middleware ({names}): check the licence allows the move",
            )
        )
    if not measured:
        out.append(_no_utilization())
    return tuple(out)


def _eol_risk(label: str, day: date, today: date) -> Risk:
    if day <= today:
        return Risk("eol_os", "high", f"操作系统已停止支持（{label}，{day.isoformat()}）",
                    f"end-of-life OS ({label}, support ended {day.isoformat()})")  # fmt: skip
    severity = "medium" if (day - today).days <= _SOON_DAYS else "low"
    return Risk("eol_os", severity, f"操作系统即将停止支持（{label}，{day.isoformat()}）",
                f"OS support ends soon ({label}, {day.isoformat()})")  # fmt: skip


def _no_utilization() -> Risk:
    return Risk("no_utilization", "low", "无利用率数据：按硬件配置估算规格",
                "no utilization data: sized from the hardware, not from measured load")  # fmt: skip


def _licensed(facts: HostFacts) -> list[str]:
    names: Sequence[str] = [m.name for m in facts.middleware if m.licensed]
    return sorted(set(names))
