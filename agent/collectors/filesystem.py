"""Filesystem sizes per real mount (node_exporter's ``filesystem``).

statvfs of network/FUSE filesystems (``--collector.filesystem.stat-in-worker``, a regex on the
fstype; ``.*`` for all) runs in daemon worker threads with a deadline: a hung mount is reported
with ``node_filesystem_device_error 1`` and not asked again until its stuck call returns.
"""

import re
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, gauge
from agent.options import CollectorOptions
from agent.stat_workers import StatWorkers
from agent.system import FsStats, System

_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")
LABELS = ("device", "fstype", "mountpoint")


class Mount(NamedTuple):
    device: str
    mountpoint: str
    fstype: str
    readonly: bool


def _unescape(field: str) -> str:
    # The kernel writes space, tab, newline and backslash in mount paths as \ooo octal.
    if "\\" not in field:
        return field
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mounts(
    text: str,
    mount_exclude: "Optional[re.Pattern[str]]",
    fstype_exclude: "Optional[re.Pattern[str]]",
) -> List[Mount]:
    """Mounts from /proc/self/mounts text, minus excluded ones, one entry per mountpoint."""
    seen: Dict[str, Mount] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        mountpoint, fstype = _unescape(fields[1]), fields[2]
        if fstype_exclude is not None and fstype_exclude.match(fstype):
            continue
        if mount_exclude is not None and mount_exclude.match(mountpoint):
            continue
        readonly = "ro" in fields[3].split(",")
        # Later entries over-mount earlier ones at the same path; statvfs sees the last one.
        seen[mountpoint] = Mount(_unescape(fields[0]), mountpoint, fstype, readonly)
    return list(seen.values())


def filesystem_families(stats: List[Tuple[Mount, Optional[FsStats]]]) -> List[MetricFamily]:
    """Size families for mounts with stats; error/readonly flags for every mount."""

    def labelled(name: str, doc: str) -> MetricFamily:
        return gauge(name, doc, labels=LABELS)

    size = labelled("node_filesystem_size_bytes", "Filesystem size in bytes.")
    free = labelled("node_filesystem_free_bytes", "Filesystem free space in bytes.")
    avail = labelled(
        "node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes."
    )
    files = labelled("node_filesystem_files", "Filesystem total file nodes.")
    files_free = labelled("node_filesystem_files_free", "Filesystem total free file nodes.")
    readonly = labelled("node_filesystem_readonly", "Filesystem read-only status.")
    error = labelled(
        "node_filesystem_device_error",
        "Whether an error (or timeout) occurred while getting statistics for the mount.",
    )
    for mount, st in stats:
        labels = (mount.device, mount.fstype, mount.mountpoint)
        readonly.add_metric(labels, 1.0 if mount.readonly else 0.0)
        error.add_metric(labels, 0.0 if st is not None else 1.0)
        if st is None:
            continue
        size.add_metric(labels, st.blocks * st.frsize)
        free.add_metric(labels, st.bfree * st.frsize)
        avail.add_metric(labels, st.bavail * st.frsize)
        if st.files >= 0:  # -1: no inode counts (Windows, psutil backend)
            files.add_metric(labels, st.files)
            files_free.add_metric(labels, st.ffree)
    return [avail, error, files, files_free, free, readonly, size]


@register
class FilesystemCollector(Collector):
    name = "filesystem"
    help = "Filesystem size/free/avail/inodes per mount (statvfs, with a timeout)."

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        self._mount_exclude = re.compile(options.mount_exclude) if options.mount_exclude else None
        self._fstype_exclude = (
            re.compile(options.fstype_exclude) if options.fstype_exclude else None
        )
        self._in_worker = re.compile(options.stat_in_worker) if options.stat_in_worker else None
        self._workers = StatWorkers()
        # mountpoint -> statvfs call still running (a body annotation: never evaluated)
        self._stuck: Dict[str, Future[Any]] = {}  # novermin

    def collect(self, system: System) -> List[MetricFamily]:
        text = system.read_proc("self/mounts")
        mounts = parse_mounts(text, self._mount_exclude, self._fstype_exclude)
        return filesystem_families(self._stat_all(system, mounts))

    def _stat(self, system: System, path: str) -> FsStats:
        """statvfs of one mount; the psutil backend overrides it for hosts without statvfs."""
        return system.statvfs(path)

    def _stat_or_none(self, system: System, path: str) -> Optional[FsStats]:
        try:
            return self._stat(system, path)
        except OSError:
            return None

    def _stat_all(
        self, system: System, mounts: List[Mount]
    ) -> List[Tuple[Mount, Optional[FsStats]]]:
        # One worker job per scrape stats the mounts in turn: one thread hand-off instead of one
        # per mount (that hand-off cost more than the rest of the scrape). On timeout the mount
        # being stat'ed is marked stuck and skipped until its call returns; mounts after it
        # miss this one scrape only.
        for path, job in list(self._stuck.items()):
            if job.done():
                del self._stuck[path]
        results: Dict[str, Optional[FsStats]] = {}
        todo = []
        for m in mounts:
            if self._in_worker is not None and not self._in_worker.match(m.fstype):
                # Local filesystems answer from the kernel's memory: stat them inline and save
                # the thread hand-off, which costs more wall time than the rest of the scrape.
                results[m.mountpoint] = self._stat_or_none(system, m.mountpoint)
            elif m.mountpoint not in self._stuck:
                todo.append(m.mountpoint)
        if not todo:
            return [(m, results.get(m.mountpoint)) for m in mounts]
        progress: List[str] = []

        def stat_in_turn() -> None:
            for path in todo:
                progress.append(path)
                results[path] = self._stat_or_none(system, path)

        job = self._workers.submit(stat_in_turn)
        try:
            job.result(timeout=self.options.stat_timeout_s)
        except FutureTimeout:  # not the builtin TimeoutError before Python 3.11
            if progress:
                self._stuck[progress[-1]] = job
        done = dict(results)  # snapshot: the worker may still add to it
        return [(m, done.get(m.mountpoint)) for m in mounts]
