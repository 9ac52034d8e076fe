"""The seam between collectors and the machine.

Collectors only read text and statvfs results through a :class:`System`, so tests and the golden
file use a fake one with literal input, and ``--path.procfs``/``--path.sysfs`` can point elsewhere.
"""

import os
import socket
import time
from typing import TYPE_CHECKING, NamedTuple, Optional

if TYPE_CHECKING:
    from typing import Protocol  # novermin  (3.8; only the type checker reads it)
else:
    Protocol = object


class FsStats(NamedTuple):
    """The statvfs fields the filesystem collector exports."""

    frsize: int
    blocks: int
    bfree: int
    bavail: int
    files: int
    ffree: int


class System(Protocol):
    """What collectors may ask of the machine: nothing but utilization sources."""

    def read_proc(self, name: str) -> str:
        """Text of a file under procfs, e.g. ``stat`` or ``net/dev``."""

    def read_file(self, path: str) -> Optional[str]:
        """Text of a small file (DMI, cloud-init, os-release), or None if unreadable."""

    def statvfs(self, mountpoint: str) -> FsStats:
        """statvfs of a mountpoint; may block for a long time on a hung network mount."""

    def time(self) -> float:
        """Wall-clock seconds since the epoch."""

    def monotonic(self) -> float:
        """Monotonic seconds, for collector durations."""

    def clock_ticks(self) -> int:
        """USER_HZ, the unit of /proc/stat CPU times."""

    def hostname(self) -> str:
        """The node name."""


class ProcSystem:
    """The real machine, read through procfs like node_exporter does."""

    def __init__(self, procfs: str = "/proc", rootfs: str = "/") -> None:
        self._procfs = procfs.rstrip("/") or "/"
        self._rootfs = rootfs
        self._ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def read_proc(self, name: str) -> str:
        # Binary read + one decode is the cheapest way to slurp small /proc files.
        with open(self._procfs + "/" + name, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def read_file(self, path: str) -> Optional[str]:
        try:
            with open(path, "rb") as handle:
                return handle.read(65536).decode("utf-8", "replace")
        except OSError:
            return None

    def statvfs(self, mountpoint: str) -> FsStats:
        path = mountpoint
        if self._rootfs not in ("", "/"):
            path = os.path.join(self._rootfs, mountpoint.lstrip("/"))
        st = os.statvfs(path)
        return FsStats(st.f_frsize, st.f_blocks, st.f_bfree, st.f_bavail, st.f_files, st.f_ffree)

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.perf_counter()

    def clock_ticks(self) -> int:
        return self._ticks

    def hostname(self) -> str:
        # os.uname does not exist on Windows (psutil backend hosts)
        return os.uname().nodename if hasattr(os, "uname") else socket.gethostname()
