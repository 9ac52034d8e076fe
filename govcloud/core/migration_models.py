"""The migration-to-cloud plan (issue 10 §3): what `govcloud migrate plan` computes and
`govcloud report migration` renders. Pure data; built by `core/migration_plan.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sizing:
    """Target flavor and disks for one legacy host."""

    flavor: str | None  # None: nothing in the pool's catalogue fits
    vcpus: int
    ram_gib: float
    root_gib: int
    data_gib: int  # used space + growth margin, beyond the root disk
    basis: str  # measured | hardware | declared
    confidence: str  # high | medium | low
    reason: str  # one line: "P95 CPU 12% of 8 vCPU over 14 d -> 2 vCPU", "no utilization data"


@dataclass(frozen=True)
class Risk:
    code: str  # eol_os | large_disk | high_io | no_utilization | licensed_middleware | no_facts | …
    severity: str  # low | medium | high
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class HostPlan:
    host: str
    address: str
    system_code: str | None
    system_name_zh: str | None
    department_code: str | None
    department_name_zh: str | None
    environment: str | None  # prod | test | dev | dr
    mlps_level: int | None
    os: str | None
    current_vcpus: int | None
    current_ram_gib: float | None
    current_disk_gib: float | None
    sizing: Sizing
    pool: str | None  # None: no pool may take it (zone / MLPS / capacity), see `placement_note`
    placement_note: str
    wave: int | None
    depends_on: tuple[str, ...] = ()  # hosts this one connects to (observed traffic)
    risks: tuple[Risk, ...] = ()
    yearly_cost_yuan: float | None = None
    # the declared English names: what a report under `--lang en` shows
    system_name_en: str | None = None
    department_name_en: str | None = None


@dataclass(frozen=True)
class Wave:
    number: int  # 1 = first to move
    hosts: tuple[str, ...]
    systems: tuple[str, ...]
    environments: tuple[str, ...]
    vcpus: int
    ram_gib: float
    disk_gib: int
    reason: str  # why these hosts move together and why at this point


@dataclass(frozen=True)
class PoolFit:
    """A pool's capacity against what the plan puts in it (after ratios and reserve)."""

    pool: str
    resource: str  # vcpu | ram_gib | disk_gib
    capacity: float
    already_allocated: float
    planned: float
    headroom_after: float  # negative: the pool runs out by this much
    hypervisors_needed: int | None  # by vector bin-packing (first-fit decreasing)
    hypervisors_lower_bound: int | None  # max over resources of ceil(sum demand / per-host)


@dataclass(frozen=True)
class DepartmentAdoption:
    """上云率: systems on the cloud vs still outside, per department."""

    department_code: str
    department_name_zh: str
    systems_total: int
    systems_on_cloud: int
    systems_outside: int
    rate: float  # on_cloud / total, 0..1
    department_name_en: str = ""  # empty: an English report shows the code


@dataclass(frozen=True)
class MigrationPlan:
    generated_at: str
    hosts: tuple[HostPlan, ...]
    waves: tuple[Wave, ...]
    pools: tuple[PoolFit, ...]
    adoption: tuple[DepartmentAdoption, ...]
    yearly_cost_yuan: float | None
    notes: tuple[str, ...] = field(default_factory=tuple)
