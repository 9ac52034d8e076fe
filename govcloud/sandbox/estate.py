"""The sandbox's in-memory cloud: small objects as frozen records, servers, volumes and
snapshots as columns.

A 100,000-server estate must start in seconds and stay small, so servers, volumes and snapshots
live in `array` columns (a few bytes per row) and their names, UUIDs, addresses and JSON bodies
are derived from the row on demand. Row order is creation order, so "newest first" (Nova's
default sort) is simply descending row index. Times are seconds after EPOCH; `Estate.now` is
the estate's present (the UTC day it was seeded), which state changes are placed before.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field

from govcloud.sandbox.ids import RowIds

SERVER_STATUSES = ("ACTIVE", "SHUTOFF", "ERROR", "SHELVED_OFFLOADED")
SHELVED_OFFLOADED = 3
VOLUME_STATUSES = ("in-use", "available", "error")
VOLUME_TYPES = ("ssd", "sata")  # default types: root volumes ssd, data volumes sata
SNAPSHOT_STATUSES = ("available", "error")
NO_HOST = 0xFFFF
NO_SERVER = -1
NO_SYSTEM = -1
EPOCH = 1_700_000_000  # 2023-11-14: creation times are offsets from here

COMPUTE_QUOTA_DEFAULTS = {
    "cores": 20,
    "instances": 10,
    "ram": 51200,
    "key_pairs": 100,
    "metadata_items": 128,
    "server_groups": 10,
    "server_group_members": 10,
}
VOLUME_QUOTA_DEFAULTS = {
    "volumes": 10,
    "gigabytes": 1000,
    "snapshots": 10,
    "backups": 10,
    "backup_gigabytes": 1000,
    "groups": 10,
    "per_volume_gigabytes": -1,
}
NETWORK_QUOTA_DEFAULTS = {  # neutron.conf [quotas] defaults
    "network": 100,
    "subnet": 100,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
    "rbac_policy": 10,
    "subnetpool": -1,
    "router_route": 30,
}


@dataclass(frozen=True)
class SbProject:
    id: str
    name: str
    region: str
    pool_code: str | None
    department_code: str | None  # None: no department declares it (unapproved)


@dataclass(frozen=True)
class SbFlavor:
    id: str
    name: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    extra_specs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SbHost:
    name: str
    provider_uuid: str
    service_id: str
    region: str
    pool_code: str
    availability_zone: str
    aggregate: str | None
    vcpus: int
    ram_mib: int
    disk_gib: int
    reserved_ram_mib: int
    cpu_ratio: float
    ram_ratio: float
    disk_ratio: float
    host_ip: str


@dataclass(frozen=True)
class SbAggregate:
    id: int
    uuid: str
    name: str
    region: str
    availability_zone: str | None
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class SbBackend:
    """One Cinder backend pool (`host@backend#pool`) serving one govcloud pool."""

    region: str
    pool_code: str
    backend: str  # its volume_backend_name
    total_gib: int
    thin: bool
    max_over_subscription_ratio: float
    reserved_percentage: int
    storage_protocol: str
    vendor_name: str

    @property
    def host(self) -> str:
        return f"cinder-{self.pool_code}@{self.backend}"

    @property
    def name(self) -> str:
        return f"{self.host}#{self.backend}"


@dataclass(frozen=True)
class SbBackup:
    id: str
    project: int
    volume: int  # volume row
    size_gib: int
    created: int
    status: str


@dataclass
class DeletedServerTable:
    """Servers deleted before the estate's present, kept (as Nova keeps soft-deleted rows) so
    `changes-since` listings can report them with status DELETED."""

    project: array[int] = field(default_factory=lambda: array("I"))
    flavor: array[int] = field(default_factory=lambda: array("B"))
    created: array[int] = field(default_factory=lambda: array("I"))
    deleted: array[int] = field(default_factory=lambda: array("I"))

    def __len__(self) -> int:
        return len(self.project)


@dataclass
class ServerTable:
    """Columns of all servers of all regions; one row per server, oldest first."""

    project: array[int] = field(default_factory=lambda: array("I"))
    flavor: array[int] = field(default_factory=lambda: array("B"))
    status: array[int] = field(default_factory=lambda: array("B"))
    system: array[int] = field(default_factory=lambda: array("i"))
    host: array[int] = field(default_factory=lambda: array("H"))
    created: array[int] = field(default_factory=lambda: array("I"))  # seconds after EPOCH
    updated: array[int] = field(default_factory=lambda: array("I"))  # last state change
    odd_names: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.project)


@dataclass
class VolumeTable:
    project: array[int] = field(default_factory=lambda: array("I"))
    size_gib: array[int] = field(default_factory=lambda: array("H"))
    server: array[int] = field(default_factory=lambda: array("i"))  # NO_SERVER: detached
    bootable: array[int] = field(default_factory=lambda: array("B"))
    status: array[int] = field(default_factory=lambda: array("B"))
    created: array[int] = field(default_factory=lambda: array("I"))
    updated: array[int] = field(default_factory=lambda: array("I"))  # last attach or detach

    def __len__(self) -> int:
        return len(self.project)


@dataclass
class SnapshotTable:
    project: array[int] = field(default_factory=lambda: array("I"))
    # a volume row; rows past the volume table are volumes deleted since (ids that 404)
    volume: array[int] = field(default_factory=lambda: array("I"))
    size_gib: array[int] = field(default_factory=lambda: array("H"))
    status: array[int] = field(default_factory=lambda: array("B"))
    created: array[int] = field(default_factory=lambda: array("I"))

    def __len__(self) -> int:
        return len(self.project)


@dataclass
class Estate:
    """Everything the API handlers read. Only quotas change after seeding (under `lock`)."""

    seed: int
    regions: tuple[str, ...]
    projects: tuple[SbProject, ...]
    flavors: tuple[SbFlavor, ...]
    hosts: tuple[SbHost, ...]
    aggregates: tuple[SbAggregate, ...]
    system_codes: tuple[str, ...]
    servers: ServerTable
    volumes: VolumeTable
    server_ids: RowIds
    volume_ids: RowIds
    # (region, project_id) -> resource -> limit; absent resources use the defaults
    compute_quota: dict[tuple[str, str], dict[str, int]]
    volume_quota: dict[tuple[str, str], dict[str, int]]
    now: int = 0  # the estate's present, seconds after EPOCH
    snapshots: SnapshotTable = field(default_factory=SnapshotTable)
    snapshot_ids: RowIds = field(default_factory=lambda: RowIds("snapshot", 0))
    backends: tuple[SbBackend, ...] = ()
    backups: tuple[SbBackup, ...] = ()
    deleted: DeletedServerTable = field(default_factory=DeletedServerTable)
    deleted_ids: RowIds = field(default_factory=lambda: RowIds("deleted-server", 0))
    network_quota: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    # pool codes whose projects get floating IPs (internet-facing zones)
    internet_pools: frozenset[str] = frozenset()
    floating_ips: dict[int, int] = field(default_factory=dict)  # project -> seeded FIP count
    # pool code -> (type of root volumes, type of data volumes); see `storage_plan`
    pool_types: dict[str, tuple[str, str]] = field(default_factory=dict)
    # region -> volume type name -> volume_backend_name, in listing order
    region_types: dict[str, dict[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # derived objects built on first use by `govcloud.sandbox.neutron_estate` (any type)
    derived: dict[str, object] = field(default_factory=dict)
    # derived indexes, filled by `index()`
    project_by_id: dict[str, int] = field(default_factory=dict)
    region_servers: dict[str, array[int]] = field(default_factory=dict)
    project_servers: dict[int, array[int]] = field(default_factory=dict)
    region_volumes: dict[str, array[int]] = field(default_factory=dict)
    project_volumes: dict[int, array[int]] = field(default_factory=dict)
    server_volumes: dict[int, list[int]] = field(default_factory=dict)
    region_snapshots: dict[str, array[int]] = field(default_factory=dict)
    project_snapshots: dict[int, array[int]] = field(default_factory=dict)
    region_deleted: dict[str, array[int]] = field(default_factory=dict)
    backend_by_name: dict[tuple[str, str], SbBackend] = field(default_factory=dict)
    # servers deleted after seeding (`govcloud.sandbox.admin`): rows no index lists, and the
    # ids their rows in `deleted` carry
    gone: set[int] = field(default_factory=set)
    deleted_server_ids: dict[int, str] = field(default_factory=dict)
    _host_usage: list[tuple[int, int, int, int]] | None = None
    _host_servers: list[array[int]] | None = None

    def index(self) -> None:
        self.project_by_id = {p.id: i for i, p in enumerate(self.projects)}
        self.region_servers = {r: array("I") for r in self.regions}
        self.project_servers = {i: array("I") for i in range(len(self.projects))}
        for row, proj in enumerate(self.servers.project):
            if row in self.gone:
                continue
            self.region_servers[self.projects[proj].region].append(row)
            self.project_servers[proj].append(row)
        self.region_volumes = {r: array("I") for r in self.regions}
        self.project_volumes = {i: array("I") for i in range(len(self.projects))}
        self.server_volumes = {}
        for row, proj in enumerate(self.volumes.project):
            self.region_volumes[self.projects[proj].region].append(row)
            self.project_volumes[proj].append(row)
            server = self.volumes.server[row]
            if server != NO_SERVER:
                self.server_volumes.setdefault(server, []).append(row)
        self.region_snapshots = {r: array("I") for r in self.regions}
        self.project_snapshots = {i: array("I") for i in range(len(self.projects))}
        for row, proj in enumerate(self.snapshots.project):
            self.region_snapshots[self.projects[proj].region].append(row)
            self.project_snapshots[proj].append(row)
        self.region_deleted = {r: array("I") for r in self.regions}
        for row, proj in enumerate(self.deleted.project):
            self.region_deleted[self.projects[proj].region].append(row)
        self.backend_by_name = {(b.pool_code, b.backend): b for b in self.backends}

    def project_index(self, region: str, project_id: str) -> int | None:
        i = self.project_by_id.get(project_id)
        return i if i is not None and self.projects[i].region == region else None

    def server_row(self, region: str, server_id: str) -> int | None:
        row = self.server_ids.index(server_id)
        if row is None or row >= len(self.servers):
            return None
        rows = self.region_servers[region]
        pos = bisect_left(rows, row)
        return row if pos < len(rows) and rows[pos] == row else None

    def volume_row(self, region: str, volume_id: str) -> int | None:
        row = self.volume_ids.index(volume_id)
        if row is None or row >= len(self.volumes):
            return None
        rows = self.region_volumes[region]
        pos = bisect_left(rows, row)
        return row if pos < len(rows) and rows[pos] == row else None

    def snapshot_row(self, region: str, snapshot_id: str) -> int | None:
        row = self.snapshot_ids.index(snapshot_id)
        if row is None or row >= len(self.snapshots):
            return None
        rows = self.region_snapshots[region]
        pos = bisect_left(rows, row)
        return row if pos < len(rows) and rows[pos] == row else None

    def deleted_id(self, index: int) -> str:
        """The id of a deleted server (a row of `deleted`)."""
        own = self.deleted_server_ids.get(index)
        return own if own is not None else self.deleted_ids.of(index)

    def deleted_index(self, server_id: str) -> int | None:
        for index, own in self.deleted_server_ids.items():
            if own == server_id:
                return index
        seeded = self.deleted_ids.index(server_id)
        return seeded if seeded is not None and seeded < len(self.deleted) else None

    def server_name(self, row: int) -> str:
        odd = self.servers.odd_names.get(row)
        if odd is not None:
            return odd
        system = self.servers.system[row]
        prefix = self.system_codes[system] if system != NO_SYSTEM else "vm"
        return f"{prefix}-{('app', 'db', 'web', 'mq')[row % 4]}-{row:05d}"

    def volume_type(self, row: int, project: int | None = None) -> str:
        """The type of a volume row: its project's pool's type for root or for data volumes.
        Rows past the table (volumes deleted since) were data volumes of PROJECT."""
        inside = row < len(self.volumes)
        bootable = inside and self.volumes.bootable[row]
        owner = self.volumes.project[row] if inside else project
        pool = self.projects[owner].pool_code if owner is not None else None
        return self.pool_types.get(pool or "", VOLUME_TYPES)[0 if bootable else 1]

    def backend_of(self, project: int, volume_type: str) -> SbBackend | None:
        """The backend holding a project's volumes of a type: the one of its pool that the
        type names."""
        p = self.projects[project]
        name = self.region_types.get(p.region, {}).get(volume_type)
        return self.backend_by_name.get((p.pool_code or "", name or ""))

    def region_hosts(self, region: str) -> list[SbHost]:
        return [h for h in self.hosts if h.region == region]

    def host_servers(self) -> list[array[int]]:
        """Per host: the rows of the servers scheduled on it (Placement's consumers), oldest
        first, computed once."""
        if self._host_servers is None:
            rows: list[array[int]] = [array("I") for _ in self.hosts]
            for row, host in enumerate(self.servers.host):
                if host != NO_HOST:
                    rows[host].append(row)
            self._host_servers = rows
        return self._host_servers

    def changed(self) -> None:
        """Forget what was computed from the servers (after an admin hook changed them)."""
        self._host_usage = self._host_servers = None
        self.derived.clear()

    def host_usage(self) -> list[tuple[int, int, int, int]]:
        """Per host: (vcpus, ram MiB, disk GiB, servers) allocated, computed once."""
        if self._host_usage is None:
            usage = [[0, 0, 0, 0] for _ in self.hosts]
            s = self.servers
            for row in range(len(s)):
                host = s.host[row]
                if host != NO_HOST:
                    f = self.flavors[s.flavor[row]]
                    u = usage[host]
                    u[0] += f.vcpus
                    u[1] += f.ram_mib
                    u[2] += f.disk_gib
                    u[3] += 1
            self._host_usage = [(a, b, c, d) for a, b, c, d in usage]
        return self._host_usage
