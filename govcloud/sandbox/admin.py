"""Changing a seeded estate afterwards, as a cloud changes between two syncs.

Incremental sync reads what changed since its last run (Nova's `changes-since`), so tests and
benchmarks need servers that start, stop, resize and disappear after seeding. `touch_servers`
does that to a share of the live servers: the changed ones get a new `updated` time (and so
appear in `changes-since` listings); the deleted ones leave every listing, usage and Placement
allocation and come back in `changes-since` listings as DELETED under their own id, their
volumes detached (Nova's default: volumes survive their server).

Call it between requests, not while the API serves the estate: it rebuilds the estate's
indexes and forgets what was computed from the servers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from govcloud.sandbox.estate import EPOCH, NO_HOST, NO_SERVER, Estate

ACTIVE, SHUTOFF = 0, 1
AVAILABLE = 1  # VOLUME_STATUSES index


@dataclass(frozen=True)
class Touched:
    """Server ids changed (status or flavor) and deleted by one `touch_servers`."""

    changed: tuple[str, ...]
    deleted: tuple[str, ...]


def touch_servers(
    estate: Estate, fraction: float, now: datetime | None = None, *, deleted_share: float = 0.2
) -> Touched:
    """Change FRACTION of the live ACTIVE or SHUTOFF servers at NOW (default: the wall clock):
    DELETED_SHARE of them are deleted, the others stopped or started, every second one also
    resized to the next smaller flavor (the next larger for the smallest). Deterministic for
    the same estate, fraction and NOW."""
    if not 0.0 <= fraction <= 1.0 or not 0.0 <= deleted_share <= 1.0:
        raise ValueError(f"fraction and deleted_share must lie in [0, 1], got {fraction}, "
                         f"{deleted_share}")  # fmt: skip
    moment = now or datetime.now(UTC)
    at = max(estate.now, int(moment.timestamp()) - EPOCH)
    s = estate.servers
    live = [r for rows in estate.region_servers.values() for r in rows
            if s.status[r] in (ACTIVE, SHUTOFF)]  # fmt: skip
    live.sort()
    rng = random.Random(f"{estate.seed}:touch:{at}:{fraction}")
    picked = sorted(rng.sample(live, round(len(live) * fraction)))
    gone = set(rng.sample(picked, round(len(picked) * deleted_share)))
    changed: list[str] = []
    with estate.lock:
        for n, row in enumerate(r for r in picked if r not in gone):
            s.status[row] = SHUTOFF if s.status[row] == ACTIVE else ACTIVE
            if n % 2 == 0:
                s.flavor[row] = s.flavor[row] - 1 if s.flavor[row] > 0 else 1
            s.updated[row] = at
            changed.append(estate.server_ids.of(row))
        for row in sorted(gone):
            _delete(estate, row, at)
        estate.index()
        estate.changed()
    return Touched(tuple(changed), tuple(estate.server_ids.of(r) for r in sorted(gone)))


def _delete(estate: Estate, row: int, at: int) -> None:
    s, d, v = estate.servers, estate.deleted, estate.volumes
    estate.deleted_server_ids[len(d)] = estate.server_ids.of(row)
    d.project.append(s.project[row])
    d.flavor.append(s.flavor[row])
    d.created.append(s.created[row])
    d.deleted.append(at)
    estate.gone.add(row)
    s.host[row] = NO_HOST
    s.updated[row] = at
    for volume in estate.server_volumes.pop(row, []):
        v.server[volume] = NO_SERVER
        v.status[volume] = AVAILABLE
        v.updated[volume] = at
