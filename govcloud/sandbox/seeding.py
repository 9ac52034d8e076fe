"""Build an `Estate` from the declared inventory, deterministically (same seed -> same estate).

What the seed adds on top of the declared state, on purpose, so that govcloud has work to do:
- quotas of some projects drifted from the approved values (quota plans have diffs);
- one pool's Placement allocation ratios differ from the pool file (overrides matter);
- projects that no department declares, with servers (unapproved resources);
- servers without a business system or with an undeclared one;
- server names carrying terminal escapes and rich markup (must be rendered literally).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime

from govcloud.core.models import Inventory, Pool, ProjectBinding, QuotaResource
from govcloud.sandbox import history, seeding_extra, storage_plan
from govcloud.sandbox.estate import (
    NETWORK_QUOTA_DEFAULTS,
    NO_HOST,
    NO_SERVER,
    NO_SYSTEM,
    VOLUME_QUOTA_DEFAULTS,
    Estate,
    SbAggregate,
    SbFlavor,
    SbHost,
    SbProject,
    ServerTable,
    VolumeTable,
)
from govcloud.sandbox.ids import RowIds, name_uuid
from govcloud.sandbox.neutron_estate import group_usage, router_ports
from govcloud.sandbox.server_body import has_port

MAX_SERVERS = 100_000
HOST_CORES = 64
DEFAULT_AZ = "nova"

# name, vcpus, ram MiB, root disk GiB, weight in the mix
FLAVORS = (
    ("c1m2", 1, 2048, 40, 6),
    ("c2m4", 2, 4096, 40, 24),
    ("c2m8", 2, 8192, 40, 8),
    ("c4m8", 4, 8192, 80, 24),
    ("c4m16", 4, 16384, 80, 10),
    ("c8m16", 8, 16384, 100, 14),
    ("c8m32", 8, 32768, 100, 6),
    ("c16m32", 16, 32768, 100, 4),
    ("c16m64", 16, 65536, 200, 3),
    ("c32m128", 32, 131072, 200, 1),
)
ODD_NAMES = (
    "[bold]x[/bold]",
    "\x1b[2Jcleared",
    "\x1b]8;;http://example.invalid\x1b\\link\x1b]8;;\x1b\\",
    "[red]告警[/red]\x07",
    "evil\rover-written",
)
TYPED = ("gigabytes", "volumes", "snapshots")  # Cinder's per-type quotas: gigabytes_<type>
UNDECLARED_PROJECTS = ("ops-sandbox", "legacy-migration-tmp", "shadow-it")


@dataclass(frozen=True)
class _Target:
    project: int
    count: int


def build_estate(
    inventory: Inventory, *, size: int | None = None, seed: int = 0, now: datetime | None = None
) -> Estate:
    """NOW: the estate's present (default: today); state changes and snapshots lie before it."""
    if size is not None and not 0 <= size <= MAX_SERVERS:
        raise ValueError(f"size must be between 0 and {MAX_SERVERS}, got {size}")
    regions = tuple(dict.fromkeys(p.region for p in inventory.pools))
    projects, bindings = _projects(inventory, regions)
    natural = [_natural_count(b, seed) if b else 4 for b in bindings]
    counts = _scale(natural, size)
    factor = max(1.0, sum(counts) / max(1, sum(natural)))
    hosts, aggregates = _hosts(inventory.pools, seed, factor)
    system_codes, dept_systems = _systems(inventory)
    estate = Estate(
        seed=seed,
        regions=regions,
        projects=projects,
        flavors=tuple(_flavor(seed, *f[:4]) for f in FLAVORS),
        hosts=hosts,
        aggregates=aggregates,
        system_codes=system_codes,
        servers=ServerTable(),
        volumes=VolumeTable(),
        server_ids=RowIds("server", seed),
        volume_ids=RowIds("volume", seed),
        compute_quota={},
        volume_quota={},
        now=history.present(now),
        snapshot_ids=RowIds("snapshot", seed),
        deleted_ids=RowIds("deleted-server", seed),
    )
    storage = storage_plan.plan(inventory.pools)
    estate.pool_types, estate.region_types = storage.pool_types, storage.region_types
    pool_hosts = {
        p.code: [i for i, h in enumerate(hosts) if h.pool_code == p.code] for p in inventory.pools
    }
    order = _interleave([_Target(i, c) for i, c in enumerate(counts)], seed)
    budgets = [_budget(b, factor) for b in bindings]
    _servers(estate, order, pool_hosts, dept_systems, budgets, seed)
    _volumes(estate, [_volume_budget(b, factor) for b in bindings], seed)
    history.server_changes(estate, seed)
    history.volume_changes(estate, seed)
    history.snapshots(estate, seed)
    seeding_extra.backups(estate, seed)
    seeding_extra.backends(estate, inventory.pools, storage.pool_backends)
    fip_quota = [b.approved_quota.get(QuotaResource.FLOATINGIP) if b else None for b in bindings]
    seeding_extra.floating_ips(estate, fip_quota, seed)
    _quotas(estate, bindings, factor, seed)
    seeding_extra.shelve(estate, seed)
    seeding_extra.deleted_servers(estate, seed)
    estate.index()
    return estate


def _projects(
    inventory: Inventory, regions: tuple[str, ...]
) -> tuple[tuple[SbProject, ...], list[ProjectBinding | None]]:
    pools = {p.code: p for p in inventory.pools}
    projects: list[SbProject] = []
    bindings: list[ProjectBinding | None] = []
    for dept in inventory.departments:
        for b in dept.projects:
            pid = b.project_id or name_uuid("project", b.project_name)
            region = pools[b.pool_code].region
            projects.append(SbProject(pid, b.project_name, region, b.pool_code, dept.code))
            bindings.append(b)
    for i, name in enumerate(UNDECLARED_PROJECTS):
        pool = inventory.pools[i % len(inventory.pools)]
        projects.append(SbProject(name_uuid("project", name), name, pool.region, pool.code, None))
        bindings.append(None)
    return tuple(projects), bindings


def _natural_count(binding: ProjectBinding, seed: int) -> int:
    """Servers filling 40-70% of the approved instance quota."""
    rng = random.Random(f"{seed}:count:{binding.project_name}")
    quota = binding.approved_quota.get(QuotaResource.INSTANCES, 10)
    return max(1, round(quota * rng.uniform(0.4, 0.7)))


def _scale(natural: list[int], size: int | None) -> list[int]:
    """Spread `size` servers over projects in proportion to their natural counts, exactly."""
    total = sum(natural)
    if size is None or total == 0:
        return natural
    shares = [n * size / total for n in natural]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: size - sum(counts)]:
        counts[i] += 1
    return counts


def _interleave(targets: list[_Target], seed: int) -> list[int]:
    """Creation order: projects' servers mixed, as if created over time by many departments."""
    order = [t.project for t in targets for _ in range(t.count)]
    random.Random(f"{seed}:order").shuffle(order)
    return order


def _flavor(seed: int, name: str, vcpus: int, ram_mib: int, disk_gib: int) -> SbFlavor:
    specs = (("hw:cpu_policy", "shared"),) if vcpus < 16 else (("hw:mem_page_size", "large"),)
    return SbFlavor(name_uuid("flavor", str(seed), name), name, vcpus, ram_mib, disk_gib, specs)


def _pool_ratios(pool: Pool, index: int) -> tuple[float, float, float]:
    declared = pool.ratios
    cpu, ram, disk = (declared.cpu, declared.ram, declared.disk) if declared else (4.0, 1.0, 1.0)
    # the second pool's Placement disagrees with its pool file (an old cloud's 16.0 / 1.5)
    return (16.0, 1.5, disk) if index == 1 else (cpu, ram, disk)


def _hosts(
    pools: tuple[Pool, ...], seed: int, factor: float
) -> tuple[tuple[SbHost, ...], tuple[SbAggregate, ...]]:
    hosts: list[SbHost] = []
    aggregates: list[SbAggregate] = []
    for p_index, pool in enumerate(pools):
        cores = pool.physical.cpu_cores if pool.physical else 512
        ram = pool.physical.ram_mib if pool.physical else cores * 12 * 1024
        disk = pool.physical.disk_gib if pool.physical else cores * 400
        count = math.ceil(cores * factor / HOST_CORES)
        cpu_r, ram_r, disk_r = _pool_ratios(pool, p_index)
        az = pool.availability_zone or DEFAULT_AZ
        names = [f"{pool.code}-cmp-{n:03d}" for n in range(1, count + 1)]
        for n, name in enumerate(names):
            hosts.append(
                SbHost(
                    name=name,
                    provider_uuid=name_uuid("provider", str(seed), name),
                    service_id=name_uuid("service", str(seed), name),
                    region=pool.region,
                    pool_code=pool.code,
                    availability_zone=az,
                    aggregate=pool.aggregate,
                    vcpus=HOST_CORES,
                    ram_mib=ram // max(1, math.ceil(cores / HOST_CORES)),
                    disk_gib=disk // max(1, math.ceil(cores / HOST_CORES)),
                    reserved_ram_mib=4096,
                    cpu_ratio=cpu_r,
                    ram_ratio=ram_r,
                    disk_ratio=disk_r,
                    host_ip=f"172.{16 + p_index}.{n // 250}.{n % 250 + 1}",
                )
            )
        if pool.aggregate:
            aggregates.append(
                SbAggregate(
                    id=len(aggregates) + 1,
                    uuid=name_uuid("aggregate", str(seed), pool.aggregate),
                    name=pool.aggregate,
                    region=pool.region,
                    availability_zone=pool.availability_zone,
                    hosts=tuple(names),
                )
            )
    return tuple(hosts), tuple(aggregates)


def _systems(inventory: Inventory) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """Declared system codes, then one undeclared code per department (index after them)."""
    codes = [s.code for s in inventory.systems]
    by_dept: dict[str, list[int]] = {}
    for i, s in enumerate(inventory.systems):
        by_dept.setdefault(s.department_code, []).append(i)
    for dept in inventory.departments:
        by_dept.setdefault(dept.code, [])
        codes.append(f"{dept.code}-undeclared")
    return tuple(codes), by_dept


def _servers(
    estate: Estate,
    order: list[int],
    pool_hosts: dict[str, list[int]],
    dept_systems: dict[str, list[int]],
    budgets: list[list[int]],
    seed: int,
) -> None:
    rng = random.Random(f"{seed}:servers")
    names = [f[0] for f in FLAVORS]
    weights = [f[4] for f in FLAVORS]
    flavor_picks = rng.choices(range(len(names)), weights, k=len(order))
    undeclared_base = len(estate.system_codes) - sum(
        1 for c in estate.system_codes if c.endswith("-undeclared")
    )
    dept_index = {code: i for i, code in enumerate(dept_systems)}
    t = estate.servers
    for row, proj_i in enumerate(order):
        project = estate.projects[proj_i]
        roll = rng.random()
        status = 0 if roll < 0.86 else (1 if roll < 0.96 else 2)
        hosts = pool_hosts.get(project.pool_code or "", [])
        host = hosts[rng.randrange(len(hosts))] if hosts and status != 2 else NO_HOST
        flavor = _fitting_flavor(flavor_picks[row], budgets[proj_i])
        budgets[proj_i][0] -= FLAVORS[flavor][1]
        budgets[proj_i][1] -= FLAVORS[flavor][2]
        t.project.append(proj_i)
        t.flavor.append(flavor)
        t.status.append(status)
        t.system.append(_pick_system(rng, project, dept_systems, dept_index, undeclared_base))
        t.host.append(host)
        t.created.append(row * 600 + rng.randrange(600))
    step = max(1, len(order) // len(ODD_NAMES))
    for n, name in enumerate(ODD_NAMES):
        if n * step + 3 < len(order):
            t.odd_names[n * step + 3] = name


def _budget(binding: ProjectBinding | None, factor: float) -> list[int]:
    """[cores, ram MiB] a project's servers may use: 90% of the approved quota."""
    if binding is None:
        return [1 << 30, 1 << 40]
    q = binding.approved_quota
    cores = q.get(QuotaResource.CORES, 1 << 30)
    ram = q.get(QuotaResource.RAM, 1 << 40)
    return [int(cores * factor * 0.9), int(ram * factor * 0.9)]


def _fitting_flavor(pick: int, budget: list[int]) -> int:
    """The picked flavor if it fits the budget, else the largest smaller one that does."""
    for index in range(pick, -1, -1):
        _, vcpus, ram, _, _ = FLAVORS[index]
        if vcpus <= budget[0] and ram <= budget[1]:
            return index
    return 0


def _pick_system(
    rng: random.Random,
    project: SbProject,
    dept_systems: dict[str, list[int]],
    dept_index: dict[str, int],
    undeclared_base: int,
) -> int:
    roll = rng.random()
    dept = project.department_code
    systems = dept_systems.get(dept or "", [])
    if dept is None or roll < 0.08 or not systems:
        return NO_SYSTEM
    if roll < 0.12:
        return undeclared_base + dept_index[dept]
    return systems[rng.randrange(len(systems))]


def _volume_budget(binding: ProjectBinding | None, factor: float) -> list[int]:
    """[volumes, GiB] a project's volumes may use: 90% of the approved quota."""
    if binding is None:
        return [1 << 30, 1 << 40]
    q = binding.approved_quota
    volumes = q.get(QuotaResource.VOLUMES, 1 << 30)
    gib = q.get(QuotaResource.GIGABYTES, 1 << 40)
    return [int(volumes * factor * 0.9), int(gib * factor * 0.9)]


def _volumes(estate: Estate, budgets: list[list[int]], seed: int) -> None:
    """A root volume per server (boot from volume); data volumes for ~35% of servers and a few
    detached ones, only while the project stays within its volume budget."""
    rng = random.Random(f"{seed}:volumes")
    s, v = estate.servers, estate.volumes
    for row in range(len(s)):
        project, created = s.project[row], s.created[row]
        budget = budgets[project]
        disk = FLAVORS[s.flavor[row]][3]
        _add_volume(v, project, disk, row, bootable=True, created=created)
        budget[0], budget[1] = budget[0] - 1, budget[1] - disk
        roll, size = rng.random(), rng.choice((100, 200, 500, 1024))
        server = row if roll < 0.35 else NO_SERVER if roll < 0.38 else None
        if server is not None and budget[0] >= 1 and budget[1] >= size:
            _add_volume(v, project, size, server, bootable=False, created=created + 60)
            budget[0], budget[1] = budget[0] - 1, budget[1] - size


def _add_volume(
    v: VolumeTable, project: int, size_gib: int, server: int, *, bootable: bool, created: int
) -> None:
    v.project.append(project)
    v.size_gib.append(size_gib)
    v.server.append(server)
    v.bootable.append(int(bootable))
    v.status.append(0 if server != NO_SERVER else 1)
    v.created.append(created)


def _quotas(
    estate: Estate, bindings: list[ProjectBinding | None], factor: float, seed: int
) -> None:
    """Approved quotas (scaled with the estate), some drifted, never below what is in use."""
    used = _usage_by_project(estate)
    volume_keys = {
        region: frozenset(VOLUME_QUOTA_DEFAULTS) | {f"{r}_{t}" for t in types for r in TYPED}
        for region, types in estate.region_types.items()
    }
    for i, (project, binding) in enumerate(zip(estate.projects, bindings, strict=True)):
        if binding is None:
            continue
        q = {r.value: math.ceil(v * factor) for r, v in binding.approved_quota.items()}
        rng = random.Random(f"{seed}:drift:{project.name}")
        if rng.random() < 0.15:
            resource = rng.choice(("cores", "ram", "instances", "gigabytes"))
            q[resource] = int(q.get(resource, 0) * rng.choice((0.75, 1.5, 2.0)))
        for name, limit in binding.approved_type_quota.items():
            q[name] = math.ceil(limit * factor) if name.startswith("gigabytes") else limit
        for resource, amount in used[i].items():
            if resource in q and q[resource] >= 0:
                q[resource] = max(q[resource], amount)
            elif resource in ("cores", "ram", "instances", "gigabytes", "volumes"):
                q[resource] = max(q.get(resource, 0), amount)
        key = (project.region, project.id)
        estate.compute_quota[key] = {k: q[k] for k in ("cores", "ram", "instances") if k in q}
        # a per-type quota for a type this region's Cinder lacks has nowhere to go: skipped
        keys = volume_keys.get(project.region, VOLUME_QUOTA_DEFAULTS.keys())
        estate.volume_quota[key] = {k: v for k, v in q.items() if k in keys}
        estate.network_quota[key] = {k: v for k, v in q.items() if k in NETWORK_QUOTA_DEFAULTS}
        if not estate.network_quota[key]:
            del estate.network_quota[key]


def _usage_by_project(estate: Estate) -> list[dict[str, int]]:
    """What each project uses of every quota the seed sets (Neutron's as the network estate
    will count it)."""
    keys = ["cores", "ram", "instances", "gigabytes", "volumes", "snapshots", "backups",
            "backup_gigabytes", "port", "floatingip", "network", "subnet", "router",
            "security_group", "security_group_rule"]  # fmt: skip
    used: list[dict[str, int]] = []
    for p in estate.projects:
        typed = [f"{r}_{t}" for t in estate.region_types.get(p.region, ()) for r in TYPED]
        used.append(dict.fromkeys(keys + typed, 0))
    for i, p in enumerate(estate.projects):
        u = used[i]
        u["network"] = u["subnet"] = 1
        u["router"] = router_ports(estate, i)
        u["port"] = 1 + u["router"]  # DHCP and router interface
        u["floatingip"] = estate.floating_ips.get(i, 0)
        u["security_group"], u["security_group_rule"] = group_usage(estate.seed, p.id)
    for t in range(len(estate.snapshots)):
        project = estate.snapshots.project[t]
        u = used[project]
        u["snapshots"] += 1
        u[f"snapshots_{estate.volume_type(estate.snapshots.volume[t], project)}"] += 1
    for b in estate.backups:
        used[b.project]["backups"] += 1
        used[b.project]["backup_gigabytes"] += b.size_gib
    s, v = estate.servers, estate.volumes
    for row in range(len(s)):
        u = used[s.project[row]]
        f = FLAVORS[s.flavor[row]]
        u["instances"] += 1
        u["cores"] += f[1]
        u["ram"] += f[2]
        u["port"] += has_port(estate, row)
    for row in range(len(v)):
        u = used[v.project[row]]
        vtype = estate.volume_type(row)
        u["volumes"] += 1
        u["gigabytes"] += v.size_gib[row]
        u[f"volumes_{vtype}"] += 1
        u[f"gigabytes_{vtype}"] += v.size_gib[row]
    return used
