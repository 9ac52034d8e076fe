"""A fixed fake machine for parser-independent tests and the golden exposition."""

from __future__ import annotations

import threading

from agent.system import FsStats

PROC_STAT = """\
cpu  2255 34 2290 22625563 6290 127 456 0 0 0
cpu0 1132 34 1441 11311718 3675 127 438 7 0 0
cpu1 1123 0 849 11313845 2614 0 18 3 0 0
intr 114930548 113199788 3 0 5 263 0 4 [... 204 more]
ctxt 1990473
btime 1700000000
processes 2915
"""
MEMINFO = """\
MemTotal:        8048288 kB
MemFree:          203948 kB
MemAvailable:    4519120 kB
Buffers:          187428 kB
Cached:          3812708 kB
SwapCached:            0 kB
Active(anon):    2039720 kB
SwapTotal:       2097148 kB
SwapFree:        2097148 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
"""
DISKSTATS = """\
 252       0 vda 49455 13616 4279370 21354 52936 52840 3543048 11240 0 9384 33806 0 0 0 0
 252       1 vda1 49000 13600 4270000 21300 52900 52800 3540000 11200 0 9300 33700 0 0 0 0
   7       0 loop0 12 0 24 0 0 0 0 0 0 4 0 0 0 0 0
 253       0 dm-0 300 0 2400 10 20 0 160 2 1 30 12 0 0 0 0
 259       0 nvme0n1 1000 10 80000 500 2000 20 160000 900 2 1200 1400
 259       1 nvme0n1p1 900 10 72000 450 1900 20 150000 850 0 1100 1300
"""
NET_DEV = """\
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  123456     789    0    0    0     0          0         0   123456     789    0    0    0     0       0          0
  eth0: 255607556  12941    1    2    0     0          0         0   555614    5441    3    4    0     0       0          0
docker0:     100       1    0    0    0     0          0         0      200       2    0    0    0     0       0          0
vethab12:    100       1    0    0    0     0          0         0      200       2    0    0    0     0       0          0
"""  # noqa: E501  (verbatim kernel layout)
LOADAVG = "0.63 0.67 0.30 2/345 12345\n"
MOUNTS = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
/dev/vda1 / ext4 rw,relatime 0 0
tmpfs /run tmpfs rw,nosuid,nodev,size=804828k,mode=755 0 0
/dev/vdb /srv/data\\040files xfs ro,relatime 0 0
overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0
nfs.example:/export /mnt/nfs nfs4 rw,relatime 0 0
"""
STATVFS = {
    "/": FsStats(4096, 25000000, 20000000, 18000000, 6000000, 5500000),
    "/run": FsStats(4096, 201207, 200000, 200000, 1005000, 1004000),
    "/srv/data files": FsStats(4096, 1000, 10, 10, 640, 600),
    "/mnt/nfs": FsStats(65536, 100000, 50000, 50000, 0, 0),
}
OS_RELEASE = 'PRETTY_NAME="Kylin V10 SP1"\nID=kylin\nVERSION_ID="V10"\n'
DMI_UUID = "5A1C7D3E-0F8B-4C2A-9E61-2B7D4F0A9C11\n"


class FakeSystem:
    """Literal /proc text and statvfs results; a clock that advances 1 ms per reading."""

    def __init__(self) -> None:
        self.proc = {
            "stat": PROC_STAT,
            "meminfo": MEMINFO,
            "diskstats": DISKSTATS,
            "net/dev": NET_DEV,
            "loadavg": LOADAVG,
            "self/mounts": MOUNTS,
        }
        self.files: dict[str, str] = {
            "/sys/class/dmi/id/product_uuid": DMI_UUID,
            "/etc/os-release": OS_RELEASE,
        }
        self.statvfs_results = dict(STATVFS)
        self.hang: dict[str, threading.Event] = {}  # mountpoint -> released when set
        self.statvfs_calls: list[str] = []
        self._clock = 0.0

    def read_proc(self, name: str) -> str:
        return self.proc[name]

    def read_file(self, path: str) -> str | None:
        return self.files.get(path)

    def statvfs(self, mountpoint: str) -> FsStats:
        self.statvfs_calls.append(mountpoint)
        if mountpoint in self.hang:
            self.hang[mountpoint].wait()
        return self.statvfs_results[mountpoint]

    def time(self) -> float:
        return 1700003600.5

    def monotonic(self) -> float:
        self._clock += 0.0009765625  # 1/1024: exact in binary, so durations print short
        return self._clock

    def clock_ticks(self) -> int:
        return 100

    def hostname(self) -> str:
        return "vm-test-01"
