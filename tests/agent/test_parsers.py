"""Pure parse/build functions on literal input."""

from __future__ import annotations

import re

import pytest

from agent.collectors.cpu import cpu_families, parse_proc_stat_cpus
from agent.collectors.disk import disk_families, parse_diskstats
from agent.collectors.filesystem import Mount, filesystem_families, parse_mounts
from agent.collectors.identity import normalise_uuid, parse_os_release, resolve_instance_uuid
from agent.collectors.load import parse_loadavg
from agent.collectors.memory import parse_meminfo
from agent.collectors.network import parse_net_dev
from agent.collectors.uptime import parse_boot_time
from agent.options import (
    DEFAULT_DISK_EXCLUDE,
    DEFAULT_FSTYPE_EXCLUDE,
    DEFAULT_MOUNT_EXCLUDE,
    DEFAULT_NETDEV_EXCLUDE,
)
from agent.system import FsStats
from tests.agent import fakes


def test_proc_stat_gives_per_cpu_ticks_without_the_aggregate_line() -> None:
    cpus = parse_proc_stat_cpus(fakes.PROC_STAT)
    assert [label for label, _ in cpus] == ["0", "1"]
    assert cpus[0][1] == [1132, 34, 1441, 11311718, 3675, 127, 438, 7]


def test_cpu_seconds_are_ticks_over_user_hz() -> None:
    seconds, count = cpu_families([("3", [100, 0, 50, 1000, 0, 0, 0, 25])], 100)
    values = {(s.labels["cpu"], s.labels["mode"]): s.value for s in seconds.samples}
    assert values[("3", "user")] == 1.0
    assert values[("3", "steal")] == 0.25
    assert len(values) == 8
    assert count.samples[0].value == 1


def test_meminfo_names_follow_node_exporter() -> None:
    fields = dict(parse_meminfo(fakes.MEMINFO))
    assert fields["node_memory_MemTotal_bytes"] == 8048288 * 1024
    assert fields["node_memory_Active_anon_bytes"] == 2039720 * 1024
    assert fields["node_memory_HugePages_Total"] == 0  # unitless: no _bytes suffix
    assert "node_memory_HugePages_Total_bytes" not in fields


def test_diskstats_excludes_partitions_loop_and_dm_by_default() -> None:
    disks = parse_diskstats(fakes.DISKSTATS, re.compile(DEFAULT_DISK_EXCLUDE))
    assert [d for d, _ in disks] == ["vda", "nvme0n1"]
    families = {f.name: f for f in disk_families(disks)}
    read = families["node_disk_read_bytes"].samples[0]
    assert (read.labels, read.value) == ({"device": "vda"}, 4279370 * 512)
    io_time = families["node_disk_io_time_seconds"].samples[1]
    assert io_time.value == pytest.approx(1.2)


def test_diskstats_without_exclude_keeps_everything() -> None:
    assert len(parse_diskstats(fakes.DISKSTATS, None)) == 6


def test_net_dev_excludes_loopback_and_bridges() -> None:
    devices = parse_net_dev(fakes.NET_DEV, re.compile(DEFAULT_NETDEV_EXCLUDE))
    assert devices == [
        ("eth0", [255607556, 12941, 1, 2, 0, 0, 0, 0, 555614, 5441, 3, 4, 0, 0, 0, 0])
    ]


def test_loadavg_and_boot_time() -> None:
    assert parse_loadavg(fakes.LOADAVG) == (0.63, 0.67, 0.30)
    assert parse_boot_time(fakes.PROC_STAT) == 1700000000.0
    with pytest.raises(ValueError, match="btime"):
        parse_boot_time("cpu 1 2 3\n")


def test_mounts_drop_pseudo_filesystems_and_decode_escapes() -> None:
    mounts = parse_mounts(
        fakes.MOUNTS, re.compile(DEFAULT_MOUNT_EXCLUDE), re.compile(DEFAULT_FSTYPE_EXCLUDE)
    )
    assert [m.mountpoint for m in mounts] == ["/", "/run", "/srv/data files", "/mnt/nfs"]
    assert mounts[2] == Mount("/dev/vdb", "/srv/data files", "xfs", True)


def test_over_mounted_path_is_reported_once() -> None:
    text = "/dev/a /data ext4 rw 0 0\n/dev/b /data xfs rw 0 0\n"
    assert parse_mounts(text, None, None) == [Mount("/dev/b", "/data", "xfs", False)]


def test_filesystem_families_report_errors_without_sizes() -> None:
    ok = Mount("/dev/a", "/", "ext4", False)
    hung = Mount("srv:/x", "/mnt/x", "nfs", False)
    families = {
        f.name: f
        for f in filesystem_families([(ok, FsStats(4096, 10, 5, 4, 100, 50)), (hung, None)])
    }
    size = families["node_filesystem_size_bytes"].samples
    assert [(s.labels["mountpoint"], s.value) for s in size] == [("/", 40960)]
    errors = {
        s.labels["mountpoint"]: s.value for s in families["node_filesystem_device_error"].samples
    }
    assert errors == {"/": 0.0, "/mnt/x": 1.0}


@pytest.mark.parametrize(
    ("contents", "configured", "expected"),
    [
        (
            ["5A1C7D3E-0F8B-4C2A-9E61-2B7D4F0A9C11\n", None],
            "",
            "5a1c7d3e-0f8b-4c2a-9e61-2b7d4f0a9c11",
        ),
        (
            [None, "i-0001\n", "6b1c7d3e-0f8b-4c2a-9e61-2b7d4f0a9c11"],
            "",
            "6b1c7d3e-0f8b-4c2a-9e61-2b7d4f0a9c11",
        ),
        (["00000000-0000-0000-0000-000000000000", None], "ABC", "abc"),
        ([None, None], "", ""),
    ],
)
def test_instance_uuid_resolution_order(
    contents: list[str | None], configured: str, expected: str
) -> None:
    assert resolve_instance_uuid(contents, configured) == expected


def test_uuid_and_os_release_helpers() -> None:
    assert normalise_uuid("not-a-uuid") is None
    assert parse_os_release(fakes.OS_RELEASE) == "kylin V10"
    assert parse_os_release(None) == "linux"
    assert parse_os_release('ID="rhel"\nVERSION_ID="7.9"\n') == "rhel 7.9"
