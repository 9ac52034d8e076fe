"""Which Cinder backends each pool gets and which volume types each region's Cinder has.

Sync maps backends to pools by the `storage_backends` a pool declares, so the sandbox names its
backends as the inventory does: a pool's first declared backend is its thin SSD-class one, the
last its thick SATA-class one (one declared backend serves both); a pool declaring none gets
backends named `ssd` and `sata`, as Cinder deployments often call them.

Volume types belong to a region (one Cinder per region), each naming one backend, several may
name the same. In every region the pool taking the rest of it (no zone, no aggregate; the first
by code) has types `ssd` (root volumes) and `sata` (data volumes), pointing at its backends.
Zone and aggregate pools that declare backends get types named after those backends (`dr-sata`);
the other pools share `ssd`/`sata` unless the main pool declares backends, then they get
`<pool>-ssd`/`<pool>-sata`, so that no type names two backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from govcloud.core.models import Pool

DEFAULT_TYPES = ("ssd", "sata")  # root volumes, data volumes


@dataclass(frozen=True)
class StoragePlan:
    # pool code -> (ssd-class backend, sata-class backend); the same name twice: one serves both
    pool_backends: dict[str, tuple[str, str]]
    # pool code -> (type of root volumes, type of data volumes)
    pool_types: dict[str, tuple[str, str]]
    # region -> type name -> volume_backend_name, in listing order
    region_types: dict[str, dict[str, str]]


def _main_pool(pools: Sequence[Pool]) -> Pool:
    rest = [p for p in pools if not p.availability_zone and not p.aggregate]
    return min(rest or pools, key=lambda p: p.code)


def plan(pools: Sequence[Pool]) -> StoragePlan:
    backends: dict[str, tuple[str, str]] = {}
    for p in pools:
        declared = p.storage_backends
        backends[p.code] = (declared[0], declared[-1]) if declared else DEFAULT_TYPES
    types: dict[str, tuple[str, str]] = {}
    region_types: dict[str, dict[str, str]] = {}
    for region in dict.fromkeys(p.region for p in pools):
        members = [p for p in pools if p.region == region]
        main = _main_pool(members)
        named: dict[str, str] = {}
        # the main pool first: its `ssd`/`sata` win over any later pool's names
        for p in sorted(members, key=lambda p: (p is not main, p.code)):
            if p is main or not (p.storage_backends or main.storage_backends):
                pair = DEFAULT_TYPES
            elif p.storage_backends:
                pair = backends[p.code]
            else:
                pair = (f"{p.code}-{DEFAULT_TYPES[0]}", f"{p.code}-{DEFAULT_TYPES[1]}")
            types[p.code] = pair
            for vtype, backend in zip(pair, backends[p.code], strict=True):
                named.setdefault(vtype, backend)
        region_types[region] = named
    return StoragePlan(backends, types, region_types)
