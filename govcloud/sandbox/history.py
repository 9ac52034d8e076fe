"""What happened to a seeded estate before its present: state changes, detaches, snapshots.

Audits judge age against the wall clock ("stopped for 45 days", "a snapshot older than 90
days"), so these times are placed relative to `Estate.now` (the UTC day of seeding), while
creation times stay fixed offsets from EPOCH. Each part draws from its own random stream, so
adding one never shifts the servers, flavors or volumes the seed already gave.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from govcloud.sandbox.estate import EPOCH, NO_SERVER, Estate

DAY_S = 86400
ACTIVE_CHANGED_DAYS = 3  # running servers: touched within the last days
STOPPED_CHANGED_DAYS = (1, 120)  # SHUTOFF and ERROR: the state change was this long ago
DETACHED_DAYS = (1, 200)  # available volumes: detached this long ago
SNAPSHOT_SHARE = 0.08  # of volumes with a snapshot
RECENT_SNAPSHOT_DAYS = (1, 30)
OLD_SNAPSHOT_DAYS = (91, 400)
OLD_SNAPSHOT_SHARE = 0.4
ORPHAN_SNAPSHOT_SHARE = 0.15  # of projects keeping a snapshot of a volume deleted since


def present(now: datetime | None) -> int:
    """The estate's present in seconds after EPOCH: midnight UTC of NOW (default: today), so an
    estate is the same all day for the same seed."""
    moment = now or datetime.now(UTC)
    return max(0, int(moment.timestamp()) // DAY_S * DAY_S - EPOCH)


def _ago(rng: random.Random, days: tuple[int, int]) -> int:
    return rng.randint(*days) * DAY_S + rng.randrange(DAY_S)


def server_changes(estate: Estate, seed: int) -> None:
    """Nova's `updated`: recent for ACTIVE servers, 1-120 days ago for SHUTOFF and ERROR."""
    rng = random.Random(f"{seed}:updated")
    s, now = estate.servers, estate.now
    for row in range(len(s)):
        if s.status[row] == 0:  # ACTIVE
            ago = rng.randrange(ACTIVE_CHANGED_DAYS * DAY_S)
        else:
            ago = _ago(rng, STOPPED_CHANGED_DAYS)
        s.updated.append(max(s.created[row] + 60, now - ago))


def volume_changes(estate: Estate, seed: int) -> None:
    """Cinder's `updated_at`: attached volumes at their attach, detached ones 1-200 days ago."""
    rng = random.Random(f"{seed}:detached")
    v, now = estate.volumes, estate.now
    for row in range(len(v)):
        created = v.created[row]
        if v.server[row] == NO_SERVER:
            v.updated.append(max(created + 60, now - _ago(rng, DETACHED_DAYS)))
        else:
            v.updated.append(created + 30)


def snapshots(estate: Estate, seed: int) -> None:
    """Snapshots of some volumes (recent ones and ones older than 90 days) and, in some
    projects, of volumes deleted since; rows in creation order like every other table."""
    rng = random.Random(f"{seed}:snapshots")
    v, now = estate.volumes, estate.now
    made: list[tuple[int, int, int, int]] = []  # created, project, volume row, size
    for row in range(len(v)):
        if rng.random() >= SNAPSHOT_SHARE:
            continue
        old = rng.random() < OLD_SNAPSHOT_SHARE
        ago = _ago(rng, OLD_SNAPSHOT_DAYS if old else RECENT_SNAPSHOT_DAYS)
        made.append((max(v.created[row] + 3600, now - ago), v.project[row], row, v.size_gib[row]))
    gone = len(v)  # volume rows past the table: deleted volumes, their ids 404
    for project in range(len(estate.projects)):
        if rng.random() < ORPHAN_SNAPSHOT_SHARE:
            size = rng.choice((100, 200, 500))
            made.append((max(0, now - _ago(rng, OLD_SNAPSHOT_DAYS)), project, gone, size))
            gone += 1
    made.sort()
    t = estate.snapshots
    for created, project, volume, size in made:
        t.project.append(project)
        t.volume.append(volume)
        t.size_gib.append(size)
        t.status.append(0 if rng.random() < 0.97 else 1)
        t.created.append(created)
