"""The migration plan, computed from its inputs alone (issue 10 §3, DESIGN.md §8).

Per legacy host: size (`migration_sizing`), the pools its system may go to (the MLPS rule of
`checks/mlps_placement`), its wave (`waves`), then, wave by wave, the pool that still has room
for the whole group (capacity after ratios and reserve, as `capacity` computes it), the flavor
of that pool's catalogue (`flavor_fit.smallest_fit`, as rightsizing picks it), the risks
(`migration_risks`) and the yearly cost at the declared prices (`pricing`). Per pool: what the
plan adds against what is left, and the hypervisors the new VMs need by vector first-fit
decreasing beside the lower bound (`binpack`). Per department: systems on the cloud and still
outside (上云率).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData, UtilizationTable
from govcloud.core.binpack import first_fit_decreasing
from govcloud.core.capacity import DISK_GB, MEMORY_MB, VCPU, usable_capacity
from govcloud.core.checks.mlps_placement import MlpsPlacementParams, placement_reasons
from govcloud.core.commitment import allocated_by_pool, storage_by_pool
from govcloud.core.flavor_fit import smallest_fit
from govcloud.core.host_facts import HostFacts
from govcloud.core.migration_models import (
    DepartmentAdoption,
    HostPlan,
    MigrationPlan,
    PoolFit,
    Sizing,
    Wave,
)
from govcloud.core.migration_risks import RiskThresholds, host_risks
from govcloud.core.migration_sizing import Need, SizingDefaults, host_need
from govcloud.core.pricing import MONTHS_PER_YEAR, resolve_price, resolve_volume_price
from govcloud.core.rightsizing import RightsizeParams
from govcloud.core.waves import PlannedWave, WaveHost, plan_waves

RESOURCES = ("vcpu", "ram_gib", "disk_gib", "volume_gib")


@dataclass(frozen=True)
class PlanOptions:
    """What `govcloud migrate plan` may be told; every default is documented in
    docs/migration.md."""

    pool: str | None = None  # only this pool (code) may take hosts
    tenant: str | None = None  # only this department's (code) hosts
    max_wave_hosts: int = 20
    growth_pct: float = 30.0  # margin on used disk space
    sizing: SizingDefaults = field(default_factory=SizingDefaults)
    rightsize: RightsizeParams = field(default_factory=RightsizeParams)
    risks: RiskThresholds = field(default_factory=RiskThresholds)
    placement: MlpsPlacementParams = field(default_factory=MlpsPlacementParams)
    hypervisor_cores: int = 64  # per hypervisor, when Placement has not been synced
    hypervisor_ram_gib: int = 512


@dataclass(frozen=True)
class PlanInputs:
    """DATA: declared and observed state (its own utilization is not used); UTILIZATION:
    measured load of legacy hosts, rows keyed by lower-case host name; FACTS by host name."""

    now: datetime
    data: AuditData
    hosts: tuple[m.LegacyHost, ...]
    facts: Mapping[str, HostFacts]
    utilization: UtilizationTable = field(default_factory=UtilizationTable.empty)


def build_plan(inputs: PlanInputs, options: PlanOptions) -> MigrationPlan:
    data = inputs.data
    hosts = _scoped_hosts(inputs, options)
    needs = {h.name: host_need(h, inputs.facts.get(h.name), inputs.utilization, options.sizing,
                               options.rightsize, options.growth_pct) for h in hosts}  # fmt: skip
    candidates = {h.name: _candidates(data, h, options) for h in hosts}
    wave_hosts = _wave_hosts(data, hosts, inputs.facts)
    depends = {w.host: w.depends_on for w in wave_hosts}
    planned = plan_waves(wave_hosts, options.max_wave_hosts)
    wave_of = {name: w.number for w in planned for name in w.hosts}
    ledger = _Ledger.of(data, options)
    chosen: dict[str, tuple[m.Pool | None, str]] = {}
    by_name = {h.name: h for h in hosts}
    for wave in planned:
        for group in _groups(wave.hosts, by_name):
            chosen.update(_place(group, candidates, needs, ledger, data))
    plans = [
        _host_plan(
            inputs, options, h, needs[h.name], chosen[h.name], wave_of.get(h.name), depends[h.name]
        )
        for h in hosts
    ]
    pools = _pool_fits(data, plans, ledger)
    notes = [*dict.fromkeys(ledger.notes)]
    cost = [p.yearly_cost_yuan for p in plans if p.yearly_cost_yuan is not None]
    if len(cost) < len(plans):
        notes.append(f"{len(plans) - len(cost)} host(s) without a price: not in the yearly cost")
    return MigrationPlan(
        generated_at=inputs.now.isoformat(),
        hosts=tuple(plans),
        waves=tuple(_wave(w, plans) for w in planned),
        pools=pools,
        adoption=adoption(data, inputs.hosts, options.tenant),
        yearly_cost_yuan=round(sum(cost), 2) if cost else None,
        notes=tuple(notes),
    )


def _scoped_hosts(inputs: PlanInputs, options: PlanOptions) -> list[m.LegacyHost]:
    hosts = sorted(inputs.hosts, key=lambda h: h.name)
    if options.tenant is None:
        return hosts
    systems = inputs.data.system_by_code
    return [
        h for h in hosts
        if h.system_code in systems and systems[h.system_code].department_code == options.tenant
    ]  # fmt: skip


# --- where a host may go ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidates:
    pools: tuple[m.Pool, ...]  # in order of preference
    why_none: str  # when POOLS is empty


def _candidates(data: AuditData, host: m.LegacyHost, options: PlanOptions) -> _Candidates:
    system = data.system_by_code.get(host.system_code or "")
    if system is None:
        why = "no business system declared: its security zone and MLPS level are unknown"
        return _Candidates((), why)
    pools = [p for p in data.pools if options.pool is None or p.code == options.pool]
    refused: list[str] = []
    allowed: list[m.Pool] = []
    for pool in pools:
        reasons = placement_reasons(options.placement, system, pool)
        if reasons:
            refused.append(_refusal(pool, system, reasons))
        else:
            allowed.append(pool)
    if not allowed:
        return _Candidates((), "no pool allowed: " + "; ".join(refused) if refused else "no pool")
    homes = {b.pool_code for d in data.departments if d.code == system.department_code
             for b in d.projects}  # fmt: skip
    allowed.sort(key=lambda p: (not _suits(p, system), p.code not in homes, p.code))
    return _Candidates(tuple(allowed), "")


def _suits(pool: m.Pool, system: m.BusinessSystem) -> bool:
    """Test and dev go to the test zone, DR to the DR zone, production elsewhere."""
    zone = pool.security_zone
    if system.environment in (m.Environment.TEST, m.Environment.DEV):
        return zone == m.SecurityZone.TEST
    if system.environment is m.Environment.DR:
        return zone == m.SecurityZone.DISASTER_RECOVERY
    return zone not in (m.SecurityZone.TEST, m.SecurityZone.DISASTER_RECOVERY)


def _refusal(pool: m.Pool, system: m.BusinessSystem, reasons: Sequence[str]) -> str:
    parts = []
    if "level" in reasons:
        parts.append(f"MLPS level {system.mlps_level} > {pool.mlps_level_max}")
    if "zone" in reasons:
        parts.append(f"{system.environment.value} not allowed in {pool.security_zone}")
    return f"{pool.code} ({', '.join(parts)})"


# --- waves ------------------------------------------------------------------------------------


def _wave_hosts(
    data: AuditData, hosts: Sequence[m.LegacyHost], facts: Mapping[str, HostFacts]
) -> list[WaveHost]:
    """Observed traffic between legacy hosts: an outbound connection makes the remote host a
    dependency; an inbound one makes this host the remote's dependency."""
    by_address = {h.address: h.name for h in hosts}
    deps: dict[str, set[str]] = {h.name: set() for h in hosts}
    for h in hosts:
        f = facts.get(h.name)
        for peer in f.peers if f else ():
            remote = by_address.get(peer.remote_address)
            if remote is None or remote == h.name:
                continue
            if peer.inbound:
                deps[remote].add(h.name)
            else:
                deps[h.name].add(remote)
    out = []
    for h in hosts:
        system = data.system_by_code.get(h.system_code or "")
        env = system.environment.value if system else None
        out.append(WaveHost(h.name, h.system_code, env, tuple(sorted(deps[h.name]))))
    return out


def _groups(names: Sequence[str], by_name: Mapping[str, m.LegacyHost]) -> list[list[str]]:
    """A wave's hosts by system: one system goes to one pool."""
    out: dict[str, list[str]] = {}
    for n in names:
        out.setdefault(by_name[n].system_code or f"host:{n}", []).append(n)
    return list(out.values())


# --- capacity ---------------------------------------------------------------------------------


@dataclass
class _Ledger:
    """Per pool and resource: capacity after ratios and reserve, what is held, what the plan
    adds so far; None capacity: unknown (not checked)."""

    capacity: dict[str, dict[str, float | None]]
    held: dict[str, dict[str, float]]
    planned: dict[str, dict[str, float]]
    per_hypervisor: dict[str, tuple[float, float, float | None]]
    notes: list[str]

    @classmethod
    def of(cls, data: AuditData, options: PlanOptions) -> _Ledger:
        allocated = allocated_by_pool(data)
        storage = storage_by_pool(data)
        ledger = cls({}, {}, {}, {}, [])
        for pool in data.pools:
            rec = data.capacity.get(pool.code, {})
            vcpu, _ = usable_capacity(pool, rec.get(VCPU), "cpu")
            ram, _ = usable_capacity(pool, rec.get(MEMORY_MB), "ram")
            disk, _ = usable_capacity(pool, rec.get(DISK_GB), "disk")
            rows = storage.get(pool.code) or []
            vol = rows[0].usable_gib if rows else None
            a = allocated.get(pool.code)
            vol_held = (rows[0].provisioned_gib if rows else None) or (a.volume_gib if a else 0)
            ledger.capacity[pool.code] = {
                "vcpu": None if vcpu is None else vcpu - pool.reserve.vcpu,
                "ram_gib": None if ram is None else (ram - pool.reserve.ram_mib) / 1024,
                "disk_gib": None if disk is None else disk - pool.reserve.disk_gib,
                "volume_gib": None if vol is None else float(vol),
            }
            ledger.held[pool.code] = {
                "vcpu": float(a.vcpus if a else 0),
                "ram_gib": (a.ram_mib if a else 0) / 1024,
                "disk_gib": float(a.disk_gib if a else 0),
                "volume_gib": float(vol_held),
            }
            ledger.planned[pool.code] = dict.fromkeys(RESOURCES, 0.0)
            ledger.per_hypervisor[pool.code] = _per_hypervisor(pool, rec, options, ledger.notes)
        return ledger

    def left(self, pool: str, resource: str) -> float | None:
        cap = self.capacity[pool][resource]
        if cap is None:
            return None
        return cap - self.held[pool][resource] - self.planned[pool][resource]

    def fits(self, pool: str, demand: Mapping[str, float]) -> bool:
        for resource, amount in demand.items():
            left = self.left(pool, resource)
            if left is not None and amount > left + 1e-9:
                return False
        return True

    def add(self, pool: str, demand: Mapping[str, float]) -> None:
        for resource, amount in demand.items():
            self.planned[pool][resource] += amount


def _per_hypervisor(
    pool: m.Pool,
    rec: Mapping[str, m.CapacityRecord],
    options: PlanOptions,
    notes: list[str],
) -> tuple[float, float, float | None]:
    """(vCPU, RAM GiB, local disk GiB or None) one hypervisor offers after ratios and its
    reserved part: Placement's inventory over its provider count where synced, else the
    option's assumed hypervisor with the pool's declared ratios."""
    cpu, ram, disk = rec.get(VCPU), rec.get(MEMORY_MB), rec.get(DISK_GB)
    if cpu is not None and ram is not None and cpu.provider_count > 0 and ram.provider_count > 0:
        v, _ = usable_capacity(pool, cpu, "cpu")
        r, _ = usable_capacity(pool, ram, "ram")
        d = usable_capacity(pool, disk, "disk")[0] if disk and disk.provider_count else None
        per_disk = None if not d else d / disk.provider_count if disk else None
        return (v or 0) / cpu.provider_count, (r or 0) / 1024 / ram.provider_count, per_disk
    ratios = pool.ratios or m.Ratios(1.0, 1.0, 1.0)
    notes.append(
        f"{pool.code}: no Placement inventory synced; hypervisors counted as "
        f"{options.hypervisor_cores} cores and {options.hypervisor_ram_gib} GiB each"
    )
    return options.hypervisor_cores * ratios.cpu, options.hypervisor_ram_gib * ratios.ram, None


def _demand(need: Need, flavor: m.Flavor | None, ledger: _Ledger, pool: str) -> dict[str, float]:
    vcpus, ram_gib, root, data_gib = _target(need, flavor)
    volumes_known = ledger.capacity[pool]["volume_gib"] is not None
    return {
        "vcpu": float(vcpus),
        "ram_gib": ram_gib,
        "disk_gib": float(root + (0 if volumes_known else data_gib)),
        "volume_gib": float(data_gib if volumes_known else 0),
    }


def _target(need: Need, flavor: m.Flavor | None) -> tuple[int, float, int, int]:
    """(vCPUs, RAM GiB, root GiB, data GiB) of the target VM."""
    if flavor is None:
        vcpus = math.ceil(need.vcpus - 1e-9)
        ram_gib = float(math.ceil(need.ram_mib / 1024 - 1e-9))
        root = need.root_gib
    else:
        vcpus, ram_gib = flavor.vcpus, flavor.ram_mib / 1024
        root = flavor.disk_gib or need.root_gib
    data_gib = max(0, _round_up(need.disk_gib - root, 10))
    return vcpus, float(ram_gib), root, data_gib


def _round_up(value: float, step: int) -> int:
    return int(math.ceil(value / step - 1e-9) * step) if value > 0 else 0


def _flavor(data: AuditData, pool: str, need: Need) -> m.Flavor | None:
    catalogue = data.flavors_by_pool.get(pool, [])
    fit = smallest_fit(catalogue, np.array([need.vcpus]), np.array([need.ram_mib]))
    return fit[0]


def _place(
    group: Sequence[str],
    candidates: Mapping[str, _Candidates],
    needs: Mapping[str, Need],
    ledger: _Ledger,
    data: AuditData,
) -> dict[str, tuple[m.Pool | None, str]]:
    """One system's hosts of one wave into the first allowed pool that holds them all; when
    none does, the preferred pool, marked short (the pool fit says by how much)."""
    options = candidates[group[0]]
    if not options.pools:
        return {n: (None, options.why_none) for n in group}

    def demand(pool: str) -> dict[str, float]:
        total = dict.fromkeys(RESOURCES, 0.0)
        for n in group:
            for k, v in _demand(needs[n], _flavor(data, pool, needs[n]), ledger, pool).items():
                total[k] += v
        return total

    for pool in options.pools:
        d = demand(pool.code)
        if ledger.fits(pool.code, d):
            ledger.add(pool.code, d)
            return {n: (pool, "") for n in group}
    pool = options.pools[0]
    d = demand(pool.code)
    short = [r for r, v in d.items() if v and (left := ledger.left(pool.code, r)) is not None
             and v > left]  # fmt: skip
    ledger.add(pool.code, d)
    note = f"no allowed pool has room; {pool.code} runs out of {', '.join(short)}"
    return {n: (pool, note) for n in group}


# --- per host ---------------------------------------------------------------------------------


def _host_plan(
    inputs: PlanInputs,
    options: PlanOptions,
    host: m.LegacyHost,
    need: Need,
    placed: tuple[m.Pool | None, str],
    wave: int | None,
    depends_on: tuple[str, ...],
) -> HostPlan:
    data = inputs.data
    pool, note = placed
    flavor = _flavor(data, pool.code, need) if pool else None
    vcpus, ram_gib, root, data_gib = _target(need, flavor)
    reason = need.reason
    if pool is not None and flavor is None:
        has = bool(data.flavors_by_pool.get(pool.code))
        reason += "; " + ("no flavor of the pool holds it" if has else "pool has no flavors synced")
    sizing = Sizing(flavor.name if flavor else None, vcpus, ram_gib, root, data_gib,
                    need.basis, need.confidence, reason)  # fmt: skip
    facts = inputs.facts.get(host.name)
    system = data.system_by_code.get(host.system_code or "")
    dept = data.department_by_code.get(system.department_code) if system else None
    risks = host_risks(facts, today=inputs.now.date(), measured=need.basis == "measured",
                       io_p95_bps=need.io_p95_bps, thresholds=options.risks)  # fmt: skip
    return HostPlan(
        host=host.name,
        address=host.address,
        system_code=host.system_code,
        system_name_zh=system.name_zh if system else None,
        department_code=dept.code if dept else None,
        department_name_zh=dept.name_zh if dept else None,
        system_name_en=system.name_en if system else None,
        department_name_en=dept.name_en if dept else None,
        environment=system.environment.value if system else None,
        mlps_level=system.mlps_level if system else None,
        os=_os(facts),
        current_vcpus=facts.cpu_count if facts else None,
        current_ram_gib=facts.memory_gib if facts else None,
        current_disk_gib=round(facts.disk_size_gib, 1) if facts else None,
        sizing=sizing,
        pool=pool.code if pool else None,
        placement_note=note,
        wave=wave,
        depends_on=depends_on,
        risks=risks,
        yearly_cost_yuan=_yearly_cost(data, pool, vcpus, ram_gib, root + data_gib, inputs.now),
    )


def _os(facts: HostFacts | None) -> str | None:
    if facts is None:
        return None
    return facts.os_name or " ".join(p for p in (facts.os_id, facts.os_version) if p) or None


def _yearly_cost(
    data: AuditData, pool: m.Pool | None, vcpus: int, ram_gib: float, disk_gib: int, now: datetime
) -> float | None:
    """12 x (vCPU, RAM GiB and volume GiB at the prices valid today); None: a price missing."""
    if pool is None:
        return None
    day = now.date()
    vcpu = resolve_price(data.prices, "vcpu", pool.code, day)
    ram = resolve_price(data.prices, "ram_gib", pool.code, day)
    _, vol = resolve_volume_price(data.prices, None, pool.code, day)
    if vcpu is None or ram is None or vol is None:
        return None
    month = vcpus * vcpu.yuan_per_month + ram_gib * ram.yuan_per_month
    return round((month + disk_gib * vol.yuan_per_month) * MONTHS_PER_YEAR, 2)


# --- summaries --------------------------------------------------------------------------------


def _wave(w: PlannedWave, plans: Sequence[HostPlan]) -> Wave:
    members = set(w.hosts)
    mine = [p for p in plans if p.host in members]
    return Wave(
        number=w.number,
        hosts=w.hosts,
        systems=tuple(sorted({p.system_code for p in mine if p.system_code})),
        environments=tuple(sorted({p.environment for p in mine if p.environment})),
        vcpus=sum(p.sizing.vcpus for p in mine),
        ram_gib=round(sum(p.sizing.ram_gib for p in mine), 1),
        disk_gib=sum(p.sizing.root_gib + p.sizing.data_gib for p in mine),
        reason=w.reason,
    )


def _pool_fits(data: AuditData, plans: Sequence[HostPlan], ledger: _Ledger) -> tuple[PoolFit, ...]:
    out: list[PoolFit] = []
    for pool in data.pools:
        mine = [p for p in plans if p.pool == pool.code]
        if not mine:
            continue
        needed, bound = _hypervisors(mine, ledger.per_hypervisor[pool.code])
        for resource in RESOURCES:
            cap = ledger.capacity[pool.code][resource]
            planned = ledger.planned[pool.code][resource]
            if cap is None:
                if planned:
                    ledger.notes.append(f"{pool.code}: {resource} capacity unknown, not checked")
                continue
            held = ledger.held[pool.code][resource]
            out.append(
                PoolFit(
                    pool=pool.code,
                    resource=resource,
                    capacity=float(cap),
                    already_allocated=round(held, 1),
                    planned=round(planned, 1),
                    headroom_after=round(cap - held - planned, 1),
                    hypervisors_needed=needed,
                    hypervisors_lower_bound=bound,
                )
            )
    return tuple(out)


def _hypervisors(
    plans: Sequence[HostPlan], per_host: tuple[float, float, float | None]
) -> tuple[int, int]:
    """(FFD count, lower bound) of hypervisors for the new VMs of one pool."""
    cpu, ram, disk = per_host
    capacity = [cpu, ram] + ([disk] if disk else [])
    demands = [
        [p.sizing.vcpus, p.sizing.ram_gib] + ([p.sizing.root_gib] if disk else []) for p in plans
    ]
    packing = first_fit_decreasing(demands, capacity)
    # a VM larger than one hypervisor needs a host of its own (a bigger one)
    return packing.hypervisors + len(packing.oversized), packing.lower_bound + len(
        packing.oversized
    )


def adoption(
    data: AuditData, hosts: Sequence[m.LegacyHost], tenant: str | None = None
) -> tuple[DepartmentAdoption, ...]:
    """上云率 per department: a system is on the cloud when it has VMs in the store, outside
    when it only has legacy hosts; systems with neither are not counted."""
    on_cloud = {s.system_code for s in data.servers if s.system_code}
    legacy = {h.system_code for h in hosts if h.system_code}
    out = []
    for dept in data.departments:
        if tenant is not None and dept.code != tenant:
            continue
        systems = [s.code for s in data.systems if s.department_code == dept.code]
        on = sum(1 for s in systems if s in on_cloud)
        outside = sum(1 for s in systems if s in legacy and s not in on_cloud)
        if on + outside == 0:
            continue
        out.append(DepartmentAdoption(dept.code, dept.name_zh, on + outside, on, outside,
                                      round(on / (on + outside), 4), dept.name_en))  # fmt: skip
    return tuple(sorted(out, key=lambda a: (a.rate, a.department_code)))
