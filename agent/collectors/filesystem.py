"""Filesystem sizes per real mount (node_exporter's ``filesystem``).

statvfs runs in daemon worker threads with a deadline: a hung network mount is reported with
``node_filesystem_device_error 1`` and is not asked again until its stuck call returns.
"""

from __future__ import annotations

import re
from concurrent.futures import Future, wait
from typing import Any, NamedTuple

from prometheus_client.core import GaugeMetricFamily, Metric

from agent.collectors.base import Collector, register
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
    text: str, mount_exclude: re.Pattern[str] | None, fstype_exclude: re.Pattern[str] | None
) -> list[Mount]:
    """Mounts from /proc/self/mounts text, minus excluded ones, one entry per mountpoint."""
    seen: dict[str, Mount] = {}
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


def filesystem_families(stats: list[tuple[Mount, FsStats | None]]) -> list[Metric]:
    """Size families for mounts with stats; error/readonly flags for every mount."""

    def gauge(name: str, doc: str) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, doc, labels=LABELS)

    size = gauge("node_filesystem_size_bytes", "Filesystem size in bytes.")
    free = gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.")
    avail = gauge(
        "node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes."
    )
    files = gauge("node_filesystem_files", "Filesystem total file nodes.")
    files_free = gauge("node_filesystem_files_free", "Filesystem total free file nodes.")
    readonly = gauge("node_filesystem_readonly", "Filesystem read-only status.")
    error = gauge(
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
        self._workers = StatWorkers()
        self._stuck: dict[str, Future[Any]] = {}  # mountpoint -> statvfs call still running

    def collect(self, system: System) -> list[Metric]:
        text = system.read_proc("self/mounts")
        mounts = parse_mounts(text, self._mount_exclude, self._fstype_exclude)
        return filesystem_families(self._stat_all(system, mounts))

    def _stat_all(self, system: System, mounts: list[Mount]) -> list[tuple[Mount, FsStats | None]]:
        pending: dict[str, Future[Any]] = {}
        for mount in mounts:
            stuck = self._stuck.get(mount.mountpoint)
            if stuck is not None:
                if not stuck.done():
                    continue  # still hung: report as error without piling up another thread
                del self._stuck[mount.mountpoint]
            path = mount.mountpoint
            pending[path] = self._workers.submit(lambda p=path: system.statvfs(p))  # type: ignore[misc]
        if pending:
            wait(pending.values(), timeout=self.options.stat_timeout_s)
        results: list[tuple[Mount, FsStats | None]] = []
        for mount in mounts:
            future = pending.get(mount.mountpoint)
            if future is None or not future.done():
                if future is not None:
                    self._stuck[mount.mountpoint] = future
                results.append((mount, None))
            elif future.exception() is not None:
                results.append((mount, None))
            else:
                results.append((mount, future.result()))
        return results
