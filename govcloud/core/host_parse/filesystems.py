"""Mounted filesystems with size and used space from `df -P -k -T`.

-P keeps one line per filesystem whatever the device name length; -k fixes the unit; the header
is localised (zh_CN prints 文件系统 …), so it is recognised by its non-numeric size column rather
than by its words. Memory-backed and image filesystems hold no data to migrate and are left out.
"""

from __future__ import annotations

from govcloud.core.host_facts import Filesystem
from govcloud.core.host_parse.text import decode, to_int

PSEUDO_TYPES = frozenset(
    {"tmpfs", "devtmpfs", "ramfs", "squashfs", "overlay", "iso9660", "udf", "proc", "sysfs"}
)
_KIB_PER_GIB = 1024**2


def parse_df(raw: bytes) -> tuple[list[Filesystem], list[str]]:
    filesystems: list[Filesystem] = []
    notes: list[str] = []
    for index, line in enumerate(decode(raw).splitlines()):
        if not line.strip():
            continue
        fields = line.split(None, 6)
        if len(fields) == 7 and to_int(fields[2]) is not None:
            device, fstype, size, used, mount = (
                fields[0],
                fields[1],
                fields[2],
                fields[3],
                fields[6],
            )
        elif len(fields) >= 6 and to_int(fields[1]) is not None:  # df without -T
            fields = line.split(None, 5)
            device, fstype, size, used, mount = fields[0], "", fields[1], fields[2], fields[5]
        else:
            if index > 0:
                notes.append(f"df: skipped a line it could not read: {line[:60]!r}")
            continue
        size_kib, used_kib = to_int(size), to_int(used)
        if size_kib is None or used_kib is None:
            notes.append(f"df: skipped a line it could not read: {line[:60]!r}")
            continue
        if fstype in PSEUDO_TYPES:
            continue
        filesystems.append(
            Filesystem(
                mountpoint=mount,
                device=device,
                fstype=fstype,
                size_gib=round(size_kib / _KIB_PER_GIB, 2),
                used_gib=round(used_kib / _KIB_PER_GIB, 2),
            )
        )
    return filesystems, notes
