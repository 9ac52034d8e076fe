"""Collector options shared by the config loader and the collectors.

Default exclusion patterns follow node_exporter's so both exporters report the same series;
where they differ (disk: device-mapper nodes) the reason is given next to the pattern.
"""

from typing import NamedTuple, Tuple

# node_exporter --collector.filesystem.mount-points-exclude default.
DEFAULT_MOUNT_EXCLUDE = (
    r"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
)
# node_exporter --collector.filesystem.fs-types-exclude default: pseudo and read-only image fs.
DEFAULT_FSTYPE_EXCLUDE = (
    r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs"
    r"|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs"
    r"|squashfs|erofs|sysfs|tracefs)$"
)
# Partitions, loop, ram and floppy as node_exporter; dm- too, because LVM volumes double-count
# the I/O of the physical disk under them and rightsizing wants whole-disk figures.
DEFAULT_DISK_EXCLUDE = (
    r"^(z?ram\d+|loop\d+|fd\d+|dm-\d+|sr\d+|(h|s|v|xv)d[a-z]+\d+|nvme\d+n\d+p\d+|mmcblk\d+p\d+)$"
)
# Loopback and container/VM bridges: host-internal traffic says nothing about the VM's size.
DEFAULT_NETDEV_EXCLUDE = r"^(lo|docker.*|veth.*|virbr.*|br-.*)$"

# Filesystems whose statvfs can block on a remote server or a user-space daemon.
DEFAULT_STAT_IN_WORKER = (
    r"^(nfs4?|cifs|smb3?|smbfs|ceph|glusterfs|lustre|gpfs|afs|9p|davfs|ocfs2|gfs2|fuse(\..*)?)$"
)

DEFAULT_UUID_FILES = (
    "/sys/class/dmi/id/product_uuid",
    "/var/lib/cloud/data/instance-id",
)


class CollectorOptions(NamedTuple):
    """Knobs the collectors read; built once at start-up (immutable: dataclasses need 3.7)."""

    mount_exclude: str = DEFAULT_MOUNT_EXCLUDE
    fstype_exclude: str = DEFAULT_FSTYPE_EXCLUDE
    disk_exclude: str = DEFAULT_DISK_EXCLUDE
    netdev_exclude: str = DEFAULT_NETDEV_EXCLUDE
    stat_timeout_s: float = 1.0
    stat_in_worker: str = DEFAULT_STAT_IN_WORKER
    instance_uuid: str = ""
    uuid_files: Tuple[str, ...] = DEFAULT_UUID_FILES
    os_release_file: str = "/etc/os-release"
