"""Block devices from `lsblk -b -P` (key="value" pairs), else from /proc/partitions.

-P is the oldest machine-readable lsblk output (CentOS 6's util-linux has it, not -J). Where
lsblk is missing, /proc/partitions gives names and sizes; kinds are then inferred from the name.
"""

from __future__ import annotations

import re

from govcloud.core.host_facts import BlockDevice
from govcloud.core.host_parse.text import decode, to_int

GIB = 1024**3
_PAIR = re.compile(r'([A-Z:\-]+)="((?:[^"\\]|\\.)*)"')
_ALWAYS_PRINTED = {"NAME", "SIZE", "TYPE", "MOUNTPOINT"}  # -P prints every column
_KINDS = {"disk": "disk", "part": "part", "lvm": "lvm", "rom": "rom", "mpath": "disk"}
_PARTITION_NAME = re.compile(r"^(?:(?:nvme\d+n\d+|mmcblk\d+)p\d+|(?:[shvx]d[a-z]+)\d+)$")


def _kind(lsblk_type: str, name: str) -> str:
    if name.startswith(("zram", "loop", "ram")):
        return "other"  # memory-backed or image files: no disk to migrate
    if lsblk_type.startswith("raid"):
        return "raid"
    return _KINDS.get(lsblk_type, "other")


def parse_lsblk(raw: bytes) -> tuple[list[BlockDevice], list[str]]:
    devices: list[BlockDevice] = []
    notes: list[str] = []
    for line in decode(raw).splitlines():
        if not line.strip():
            continue
        pairs = dict(_PAIR.findall(line))
        name, size = pairs.get("NAME", ""), to_int(pairs.get("SIZE", ""))
        if not name or size is None or not pairs.keys() >= _ALWAYS_PRINTED:  # cut short
            notes.append(f"lsblk: skipped a line it could not read: {line[:60]!r}")
            continue
        rota = pairs.get("ROTA")
        devices.append(
            BlockDevice(
                name=name,
                size_gib=round(size / GIB, 2),
                kind=_kind(pairs.get("TYPE", ""), name),
                rotational=None if rota not in ("0", "1") else rota == "1",
                mountpoint=pairs.get("MOUNTPOINT") or None,
            )
        )
    return devices, notes


def parse_proc_partitions(raw: bytes) -> tuple[list[BlockDevice], list[str]]:
    """`major minor #blocks name` rows; #blocks are KiB."""
    devices: list[BlockDevice] = []
    for line in decode(raw).splitlines():
        parts = line.split()
        if len(parts) != 4 or to_int(parts[0]) is None:
            continue
        kib = to_int(parts[2])
        if kib is None:
            continue
        name = parts[3]
        if name.startswith("dm-"):
            kind = "lvm"
        elif name.startswith("md"):
            kind = "raid"
        elif name.startswith("sr"):
            kind = "rom"
        elif _PARTITION_NAME.match(name):
            kind = "part"
        else:
            kind = _kind("disk", name)
        devices.append(BlockDevice(name=name, size_gib=round(kib / 1024**2, 2), kind=kind))
    return devices, []
