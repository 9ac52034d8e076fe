"""Typed domain records shared by every layer. Frozen: the core computes, it never mutates.

Declared records come from `inventory/*.yaml` (reviewed like code); observed records come from
OpenStack sync, SSH discovery and metric collection. Units are in the field names.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class QuotaResource(StrEnum):
    """Quota resources under the names OpenStack uses (`openstack quota show`)."""

    CORES = "cores"
    RAM = "ram"  # MiB, as Nova counts it
    INSTANCES = "instances"
    GIGABYTES = "gigabytes"  # Cinder volume GiB
    VOLUMES = "volumes"
    SNAPSHOTS = "snapshots"
    BACKUPS = "backups"
    BACKUP_GIGABYTES = "backup_gigabytes"
    NETWORK = "network"
    SUBNET = "subnet"
    PORT = "port"
    ROUTER = "router"
    FLOATINGIP = "floatingip"
    SECURITY_GROUP = "security_group"
    SECURITY_GROUP_RULE = "security_group_rule"

    @property
    def service(self) -> str:
        """The catalog service that keeps this quota: compute, volume or network."""
        if self in _VOLUME_RESOURCES:
            return "volume"
        return "network" if self in _NETWORK_RESOURCES else "compute"

    @property
    def per_type(self) -> bool:
        """Cinder also keeps this quota per volume type (`gigabytes_<type>` ...)."""
        return self in _PER_TYPE_RESOURCES


_VOLUME_RESOURCES = frozenset({"gigabytes", "volumes", "snapshots", "backups", "backup_gigabytes"})
_NETWORK_RESOURCES = frozenset(
    {"network", "subnet", "port", "router", "floatingip", "security_group", "security_group_rule"}
)
_PER_TYPE_RESOURCES = frozenset({"gigabytes", "volumes", "snapshots"})

# every resource has a unit: a new QuotaResource member without one fails at import, not in a view
UNITS = {
    r: {"cores": "vCPU", "ram": "MiB", "gigabytes": "GiB", "backup_gigabytes": "GiB"}.get(
        r.value, "count"
    )
    for r in QuotaResource
}


@functools.cache  # a few dozen names, asked for every quota row (4,092 in `quota show`)
def split_wire_name(wire_name: str) -> tuple[QuotaResource, str | None]:
    """`gigabytes_ssd` -> (GIGABYTES, "ssd"); `gigabytes` -> (GIGABYTES, None)."""
    from govcloud.core.errors import ValidationError

    if wire_name in QuotaResource._value2member_map_:
        return QuotaResource(wire_name), None
    for r in QuotaResource:
        volume_type = wire_name.removeprefix(r.value + "_")
        if r.per_type and volume_type and volume_type != wire_name:
            return r, volume_type
    raise ValidationError(
        f"unknown quota {wire_name!r}",
        hint="per-volume-type quotas are gigabytes_<type>, volumes_<type>, snapshots_<type>",
    )


class Environment(StrEnum):
    PROD = "prod"
    TEST = "test"
    DEV = "dev"
    DR = "dr"


class SecurityZone(StrEnum):
    """Network security zones of a government cloud."""

    EGOV_EXTRANET = "政务外网"
    INTERNET = "互联网区"
    EGOV_INTRANET = "政务内网"
    DISASTER_RECOVERY = "灾备区"
    TEST = "测试区"


@dataclass(frozen=True)
class Ratios:
    cpu: float
    ram: float
    disk: float


@dataclass(frozen=True)
class Reserve:
    vcpu: int = 0
    ram_mib: int = 0
    disk_gib: int = 0


@dataclass(frozen=True)
class PhysicalCapacity:
    """Nominal hardware of a pool as declared; Placement's inventory wins once synced."""

    cpu_cores: int
    ram_mib: int
    disk_gib: int


@dataclass(frozen=True)
class Pool:
    code: str
    name_zh: str
    name_en: str
    cloud: str
    region: str
    security_zone: str
    mlps_level_max: int
    availability_zone: str | None = None
    aggregate: str | None = None
    ratios: Ratios | None = None  # None: read allocation ratios from Placement
    reserve: Reserve = field(default_factory=Reserve)
    physical: PhysicalCapacity | None = None
    # Cinder backends (`volume_backend_name`) whose capacity this pool holds. Empty: the pool
    # takes the backends of its region that no sibling pool names.
    storage_backends: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectBinding:
    """A department's OpenStack project in one pool, with its approved quota."""

    department_code: str
    pool_code: str
    project_name: str
    approved_quota: dict[QuotaResource, int]
    project_id: str | None = None
    # approved per-volume-type Cinder quotas by wire name (`gigabytes_ssd`: 1024), as
    # `TypeQuotaUsage.wire_name` spells them
    approved_type_quota: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Department:
    code: str
    name_zh: str
    short_zh: str
    name_en: str
    projects: tuple[ProjectBinding, ...] = ()


@dataclass(frozen=True)
class BusinessSystem:
    code: str
    name_zh: str
    name_en: str
    department_code: str
    mlps_level: int
    environment: Environment


@dataclass(frozen=True)
class JumpHost:
    name: str
    address: str
    port: int
    ssh_user: str
    key_file: str | None = None


@dataclass(frozen=True)
class LegacyHost:
    name: str
    address: str
    port: int
    ssh_user: str
    system_code: str | None
    key_file: str | None = None
    jump_host: str | None = None


@dataclass(frozen=True)
class Inventory:
    """The whole declared state."""

    clouds: tuple[str, ...]
    pools: tuple[Pool, ...]
    departments: tuple[Department, ...]
    systems: tuple[BusinessSystem, ...]
    jump_hosts: tuple[JumpHost, ...] = ()
    legacy_hosts: tuple[LegacyHost, ...] = ()
    system_metadata_key: str = "business_system"
    prices: tuple[UnitPrice, ...] = ()


# --- observed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    pool_code: str
    project_id: str
    name: str
    enabled: bool = True
    department_code: str | None = None


@dataclass(frozen=True)
class Flavor:
    pool_code: str
    flavor_id: str
    name: str
    vcpus: int
    ram_mib: int
    disk_gib: int


@dataclass(frozen=True)
class Server:
    pool_code: str
    server_id: str
    name: str
    project_id: str
    status: str
    flavor_name: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    created_at: datetime | None = None
    host: str | None = None
    availability_zone: str | None = None
    addresses: tuple[str, ...] = ()
    system_code: str | None = None
    updated_at: datetime | None = None  # Nova's `updated`: moves on every state change


@dataclass(frozen=True)
class Volume:
    pool_code: str
    volume_id: str
    name: str
    project_id: str
    size_gib: int
    status: str
    volume_type: str | None = None
    attached_server_id: str | None = None
    bootable: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None  # Cinder's `updated_at`: moves on attach and detach


@dataclass(frozen=True)
class Snapshot:
    pool_code: str
    snapshot_id: str
    name: str
    project_id: str
    volume_id: str | None
    size_gib: int
    status: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class QuotaUsage:
    pool_code: str
    project_id: str
    resource: QuotaResource
    limit: int  # -1: unlimited
    in_use: int
    reserved: int = 0


@dataclass(frozen=True)
class TypeQuotaUsage:
    """A Cinder quota kept per volume type (`gigabytes_ssd`, `volumes_ssd`, `snapshots_ssd`).

    Kept apart from `QuotaUsage` on purpose: the per-type figures are part of the project's
    total, and summing both would count the same GiB twice.
    """

    pool_code: str
    project_id: str
    volume_type: str
    resource: QuotaResource  # GIGABYTES, VOLUMES or SNAPSHOTS (`per_type`)
    limit: int  # -1: unlimited
    in_use: int
    reserved: int = 0

    @property
    def wire_name(self) -> str:
        return f"{self.resource.value}_{self.volume_type}"


@dataclass(frozen=True)
class StorageBackend:
    """One Cinder scheduler pool (`host@backend#pool`) as `scheduler-stats/get_pools` reports it.

    Capacities are None where the driver says `infinite` or `unknown`: no number is better than
    a wrong one. Usable capacity is total x over-subscription (thin only) minus the reserve.
    """

    pool_code: str
    name: str  # host@backend#pool
    backend_name: str | None  # volume_backend_name: what volume types point at
    total_gib: float | None
    free_gib: float | None
    allocated_gib: float | None  # allocated_capacity_gb: what Cinder placed there
    provisioned_gib: float | None  # provisioned_capacity_gb: thin-provisioned promises
    max_over_subscription_ratio: float | None  # None: `auto` (Cinder computes it)
    reserved_pct: float = 0.0
    thin: bool = False
    thick: bool = True


@dataclass(frozen=True)
class VolumeType:
    pool_code: str
    type_id: str
    name: str
    backend_name: str | None  # extra spec volume_backend_name; None: the scheduler picks
    is_public: bool = True


@dataclass(frozen=True)
class Port:
    """A Neutron port: the real fixed addresses of a VM, and the security groups it carries."""

    pool_code: str
    port_id: str
    project_id: str
    network_id: str
    device_id: str | None  # the server's id for a VM's port
    device_owner: str | None  # compute:<zone>, network:router_interface, network:dhcp ...
    fixed_ips: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    status: str = "UNKNOWN"


@dataclass(frozen=True)
class FloatingIp:
    """A public (or egov-extranet) address: scarce in the internet zone, billable when idle."""

    pool_code: str
    fip_id: str
    project_id: str
    address: str
    network_id: str
    status: str
    port_id: str | None = None
    fixed_address: str | None = None
    server_id: str | None = None  # the port's device when it is a VM's port
    created_at: datetime | None = None
    # Neutron's `updated_at`: moves on associate and disassociate, so it dates an idle address
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SecurityRule:
    direction: str  # ingress | egress
    ethertype: str  # IPv4 | IPv6
    protocol: str | None  # None: any
    port_min: int | None  # None with port_max None: every port
    port_max: int | None
    remote_ip_prefix: str | None
    remote_group_id: str | None = None


@dataclass(frozen=True)
class SecurityGroup:
    pool_code: str
    group_id: str
    project_id: str
    name: str
    rules: tuple[SecurityRule, ...] = ()


@dataclass(frozen=True)
class ProjectAllocation:
    """What Placement says a project's consumers hold in a pool's providers: the truth for
    hypervisors (a SHELVED_OFFLOADED server or an ERROR server without a host holds nothing),
    against Nova's quota usage, the truth for quotas."""

    pool_code: str
    project_id: str
    vcpus: int
    ram_mib: int
    disk_gib: int


@dataclass(frozen=True)
class Unassigned:
    """An object the cloud listed that no pool of its region could take: reported by sync and
    kept in the store, never silently dropped."""

    cloud: str
    region: str
    kind: str  # servers | volumes | snapshots | ports | floating_ips | security_groups
    object_id: str
    name: str
    project_id: str
    reason: str


@dataclass(frozen=True)
class CapacityRecord:
    """One Placement resource class summed over a pool's providers."""

    pool_code: str
    resource_class: str  # VCPU, MEMORY_MB, DISK_GB
    total: int
    reserved: int
    allocation_ratio: float
    used: int
    provider_count: int


@dataclass(frozen=True)
class UsagePoint:
    """What a pool's live servers and volumes held at one successful sync: the history that
    exhaustion forecasts are fitted to."""

    pool_code: str
    ts: datetime
    servers: int
    vcpus: int
    ram_mib: int
    volume_gib: int


PRICED_RESOURCES = ("vcpu", "ram_gib", "volume_gib", "floating_ip")


@dataclass(frozen=True)
class UnitPrice:
    """What the bureau pays its cloud operator per unit and month, valid for a period.

    RESOURCE is one of PRICED_RESOURCES, or `volume_gib:<volume type>` for a type's own price.
    POOL_CODE None applies to every pool without a price of its own (as CloudKitty's rating
    rules fall back from specific to general). VALID_TO is exclusive; None: open-ended.
    """

    resource: str
    yuan_per_month: float
    valid_from: date
    valid_to: date | None = None
    pool_code: str | None = None
