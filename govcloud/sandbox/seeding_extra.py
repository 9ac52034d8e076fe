"""Seeding beyond servers and volumes: shelved and deleted servers, Cinder backends, backups,
Neutron quotas.

Each part draws from its own random stream, so adding one never shifts what the seed already
gave (servers, volumes, snapshots keep their rows and ids).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from govcloud.core.models import Pool
from govcloud.sandbox.estate import (
    NO_HOST,
    SHELVED_OFFLOADED,
    Estate,
    SbBackend,
    SbBackup,
)
from govcloud.sandbox.history import DAY_S
from govcloud.sandbox.ids import name_uuid

SHELVE_SHARE = 0.2  # of SHUTOFF servers shelved and offloaded (no host, no allocation)
DELETED_SHARE = 0.03  # servers deleted within the last DELETED_DAYS, per project
DELETED_DAYS = 30
BACKUP_SHARE = 0.05  # of data volumes with a backup
SSD_SHARE = 0.3  # of a pool's declared disk that is SSD-backed Cinder storage
INTERNET_ZONE = "互联网区"


def shelve(estate: Estate, seed: int) -> None:
    """Some stopped servers are shelved and offloaded: they keep their quota, not their host."""
    rng = random.Random(f"{seed}:shelve")
    s = estate.servers
    for row in range(len(s)):
        if s.status[row] == 1 and rng.random() < SHELVE_SHARE:
            s.status[row] = SHELVED_OFFLOADED
            s.host[row] = NO_HOST


def deleted_servers(estate: Estate, seed: int) -> None:
    """A few servers per project deleted in the last month, in creation order."""
    rng = random.Random(f"{seed}:deleted")
    s, now = estate.servers, estate.now
    made: list[tuple[int, int, int, int]] = []  # created, project, flavor, deleted
    for row in range(len(s)):
        if rng.random() < DELETED_SHARE:
            deleted = now - rng.randrange(1, DELETED_DAYS) * DAY_S - rng.randrange(DAY_S)
            created = max(0, min(s.created[row] + 300, deleted - 3600))
            made.append((created, s.project[row], s.flavor[row], deleted))
    made.sort()
    t = estate.deleted
    for created, project, flavor, deleted in made:
        t.project.append(project)
        t.flavor.append(flavor)
        t.created.append(created)
        t.deleted.append(deleted)


def backends(estate: Estate, pools: tuple[Pool, ...], names: dict[str, tuple[str, str]]) -> None:
    """Per pool a thin SSD-class backend (over-subscribed) and a thick SATA-class one, or one
    thin backend holding both when NAMES (pool code -> the two backend names, see
    `storage_plan`) gives one name twice; sized from the pool's declared disk and never
    smaller than what the seeded volumes already allocate."""
    allocated: dict[tuple[str, int], int] = {}
    v = estate.volumes
    for row in range(len(v)):
        code = estate.projects[v.project[row]].pool_code or ""
        key = (code, 0 if v.bootable[row] else 1)
        allocated[key] = allocated.get(key, 0) + v.size_gib[row]
    made: list[SbBackend] = []
    for pool in pools:
        declared = pool.physical.disk_gib if pool.physical else 0
        ssd, sata = names[pool.code]
        parts: list[tuple[str, tuple[int, ...], float]] = [
            (ssd, (0,), SSD_SHARE),
            (sata, (1,), 1 - SSD_SHARE),
        ]
        if ssd == sata:
            parts = [(ssd, (0, 1), 1.0)]
        for index, (name, classes, share) in enumerate(parts):
            thin = index == 0
            used = sum(allocated.get((pool.code, c), 0) for c in classes)
            # thin storage holds about half of what it promises; thick holds all of it
            floor = math.ceil(used * (0.5 if thin else 1.0) * 1.25)
            made.append(
                SbBackend(
                    region=pool.region,
                    pool_code=pool.code,
                    backend=name,
                    total_gib=max(int(declared * share), floor, 1024),
                    thin=thin,
                    max_over_subscription_ratio=2.0 if thin else 1.0,
                    reserved_percentage=5 if thin else 0,
                    storage_protocol="iSCSI" if thin else "ceph",
                    vendor_name="Open Source",
                )
            )
    estate.backends = tuple(made)
    estate.internet_pools = frozenset(p.code for p in pools if p.security_zone == INTERNET_ZONE)


def backups(estate: Estate, seed: int) -> None:
    rng = random.Random(f"{seed}:backups")
    v, now = estate.volumes, estate.now
    made: list[SbBackup] = []
    for row in range(len(v)):
        if v.bootable[row] or rng.random() >= BACKUP_SHARE:
            continue
        created = max(v.created[row] + 3600, now - rng.randrange(1, 60) * DAY_S)
        status = "available" if rng.random() < 0.95 else "error"
        made.append(SbBackup("", v.project[row], row, v.size_gib[row], created, status))
    made.sort(key=lambda b: b.created)
    estate.backups = tuple(
        replace(b, id=name_uuid("backup", str(seed), str(i))) for i, b in enumerate(made)
    )


def floating_ips(estate: Estate, approved: list[int | None], seed: int) -> None:
    """How many floating IPs each internet-zone project holds: 2-4, within its approved
    floatingip quota (floating IPs are scarce there), the last one left unassociated."""
    rng = random.Random(f"{seed}:fips")
    for index, project in enumerate(estate.projects):
        if project.pool_code in estate.internet_pools:
            count = rng.randint(2, 4)
            limit = approved[index]
            estate.floating_ips[index] = count if limit is None or limit < 0 else min(count, limit)
