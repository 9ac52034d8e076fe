"""What discovery learns about a legacy server over SSH (issue 10): the facts migration planning
sizes, places and groups by. Filled by the pure parsers in `core/host_parse` from the outputs of
the fixed, read-only command set in `core/host_commands`; stored as JSON per host.

Every field may be unknown (None / empty): a command that is missing on an old system or whose
output cannot be parsed leaves its fields empty and says why in `notes`, never fails the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class BlockDevice:
    name: str  # sda, vda, nvme0n1, dm-0
    size_gib: float
    kind: str  # disk | part | lvm | raid | rom | other
    rotational: bool | None = None
    mountpoint: str | None = None


@dataclass(frozen=True)
class Filesystem:
    mountpoint: str
    device: str
    fstype: str
    size_gib: float
    used_gib: float


@dataclass(frozen=True)
class Listener:
    proto: str  # tcp | tcp6 | udp | udp6
    address: str  # 0.0.0.0, ::, 127.0.0.1, a host address
    port: int
    process: str | None = None  # the process name (ss -p / netstat -p), never its arguments


@dataclass(frozen=True)
class Peer:
    """An established connection: local and remote ends, and which side listens."""

    local_address: str
    local_port: int
    remote_address: str
    remote_port: int
    process: str | None = None
    inbound: bool = False  # the local port is one this host listens on


@dataclass(frozen=True)
class Middleware:
    name: str  # nginx | httpd | tomcat | java | mysql | mariadb | postgresql | oracle | redis |
    # dm (达梦) | kingbase (人大金仓) | weblogic | websphere | mongodb | rabbitmq | ...
    version: str | None = None
    ports: tuple[int, ...] = ()
    licensed: bool = False  # commercial licence to carry over (oracle, weblogic, dm, kingbase …)


@dataclass(frozen=True)
class HostFacts:
    host: str  # the declared legacy host name (inventory hosts.yaml)
    address: str
    collected_at: datetime
    hostname: str | None = None
    os_id: str | None = None  # centos | rhel | ubuntu | debian | kylin | uos | …
    os_name: str | None = None  # "CentOS Linux 7 (Core)"
    os_version: str | None = None  # "7.9.2009"
    kernel: str | None = None
    virtualization: str | None = None  # none (physical) | kvm | vmware | hyperv | xen | …
    cpu_model: str | None = None
    cpu_count: int | None = None  # logical CPUs
    memory_gib: float | None = None
    block_devices: tuple[BlockDevice, ...] = ()
    filesystems: tuple[Filesystem, ...] = ()
    listeners: tuple[Listener, ...] = ()
    peers: tuple[Peer, ...] = ()
    middleware: tuple[Middleware, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)  # "lsblk: not found", …

    @property
    def disk_used_gib(self) -> float:
        return sum(f.used_gib for f in self.filesystems)

    @property
    def disk_size_gib(self) -> float:
        return sum(d.size_gib for d in self.block_devices if d.kind == "disk")
