"""Server listings: the filters and sort keys `vm list` accepts, checked before any query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from govcloud.core.errors import UsageError


@dataclass(frozen=True)
class VmView:
    server_id: str
    name: str
    pool: str
    department: str | None  # department code; None: no department declares the project
    department_zh: str | None
    department_en: str | None
    project_id: str
    project: str | None
    system: str | None  # business system code
    system_zh: str | None  # its declared names; the code where no declared system has it
    system_en: str | None
    status: str
    flavor: str
    vcpus: int
    ram_gib: float
    disk_gib: int
    host: str | None
    availability_zone: str | None
    addresses: str
    created_at: datetime | None


SORT_KEYS = (
    "name",
    "pool",
    "department",
    "project",
    "system",
    "status",
    "flavor",
    "vcpus",
    "ram_gib",
    "disk_gib",
    "host",
    "created_at",
    "server_id",
)


@dataclass(frozen=True)
class VmFilter:
    tenant: str | None = None  # department code, Chinese name or short name
    pool: str | None = None
    system: str | None = None
    status: str | None = None
    flavor: str | None = None
    sort: tuple[str, ...] = ("pool", "department", "name")
    descending: bool = False
    limit: int | None = None


def parse_sort(spec: str | None) -> tuple[tuple[str, ...], bool]:
    """`vm list --sort`: keys from SORT_KEYS."""
    return parse_sort_keys(spec, SORT_KEYS, VmFilter.sort)


def parse_sort_keys(
    spec: str | None, allowed: Sequence[str], default: tuple[str, ...]
) -> tuple[tuple[str, ...], bool]:
    """`--sort vcpus,name` or `--sort -vcpus` (descending); keys from ALLOWED only."""
    if not spec:
        return default, False
    descending = spec.startswith("-")
    keys = tuple(k.strip() for k in spec.lstrip("-").split(",") if k.strip())
    bad = [k for k in keys if k not in allowed]
    if bad or not keys:
        raise UsageError(
            f"cannot sort by {', '.join(bad) or spec!r}", hint="sort keys: " + ", ".join(allowed)
        )
    return keys, descending
