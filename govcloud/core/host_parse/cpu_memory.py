"""CPU model and logical CPU count from /proc/cpuinfo; memory from /proc/meminfo.

x86 names the model in `model name`; ARM servers (Kunpeng, Phytium under Kylin/UOS) print no
model name, only `CPU implementer`, so the vendor is named from it.
"""

from __future__ import annotations

from govcloud.core.host_parse.text import decode, to_int

_ARM_IMPLEMENTERS = {
    "0x41": "ARM",
    "0x48": "HiSilicon (Kunpeng)",
    "0x70": "Phytium",
    "0x46": "Fujitsu",
    "0x51": "Qualcomm",
}


def parse_cpuinfo(raw: bytes) -> tuple[str | None, int | None]:
    """(model, logical CPU count); count is the number of `processor` entries."""
    model: str | None = None
    implementer: str | None = None
    count = 0
    for line in decode(raw).splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "processor" and to_int(value) is not None:
            count += 1
        elif key in ("model name", "cpu model") and model is None and value:
            model = " ".join(value.split())
        elif key == "cpu implementer" and implementer is None:
            implementer = value.lower()
    if model is None and implementer is not None:
        model = _ARM_IMPLEMENTERS.get(implementer, f"ARM implementer {implementer}")
    return model, (count or None)


def parse_meminfo(raw: bytes) -> float | None:
    """MemTotal in GiB (the kernel reports kB = KiB)."""
    for line in decode(raw).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "MemTotal":
            parts = value.split()
            kib = to_int(parts[0]) if parts else None
            return round(kib / 1024**2, 2) if kib is not None else None
    return None
