"""The estate's past: change times and snapshots placed before its present, deterministically."""

from __future__ import annotations

from datetime import UTC, datetime

from govcloud.core.models import Inventory
from govcloud.sandbox.estate import EPOCH, NO_SERVER, SERVER_STATUSES
from govcloud.sandbox.history import DAY_S, present
from govcloud.sandbox.seeding import build_estate

NOW = datetime(2026, 6, 15, 13, 45, tzinfo=UTC)


def days_before(now: int, t: int) -> float:
    return (now - t) / DAY_S


def test_the_present_is_midnight_utc_of_the_seeding_day() -> None:
    assert present(NOW) == int(datetime(2026, 6, 15, tzinfo=UTC).timestamp()) - EPOCH
    assert present(NOW) == present(NOW.replace(hour=23, minute=59))
    assert present(datetime(2020, 1, 1, tzinfo=UTC)) == 0  # never before EPOCH


def test_same_seed_and_day_same_past(inventory: Inventory) -> None:
    a, b = (build_estate(inventory, seed=4, now=NOW) for _ in range(2))
    assert a.servers.updated == b.servers.updated
    assert a.volumes.updated == b.volumes.updated
    assert a.snapshots.created == b.snapshots.created
    later = build_estate(inventory, seed=4, now=datetime(2026, 6, 25, tzinfo=UTC))
    assert later.servers.flavor == a.servers.flavor  # the past moves, the estate does not
    assert later.servers.created == a.servers.created
    assert later.servers.updated != a.servers.updated
    assert [later.now - u for u in later.servers.updated] == [a.now - u for u in a.servers.updated]


def test_stopped_servers_changed_days_ago_running_ones_recently(inventory: Inventory) -> None:
    e = build_estate(inventory, now=NOW)
    s = e.servers
    ages: dict[str, list[float]] = {
        "ACTIVE": [],
        "SHUTOFF": [],
        "ERROR": [],
        "SHELVED_OFFLOADED": [],
    }
    for row in range(len(s)):
        assert s.updated[row] > s.created[row]
        ages[SERVER_STATUSES[s.status[row]]].append(days_before(e.now, s.updated[row]))
    assert all(0 <= d < 3 for d in ages["ACTIVE"])
    stopped = ages["SHUTOFF"] + ages["ERROR"] + ages["SHELVED_OFFLOADED"]
    assert all(1 <= d < 121 for d in stopped)
    assert min(stopped) < 30 < 60 < max(stopped)  # spread, not one age


def test_detached_volumes_were_detached_up_to_200_days_ago(inventory: Inventory) -> None:
    e = build_estate(inventory, now=NOW)
    v = e.volumes
    detached = [days_before(e.now, v.updated[r]) for r in range(len(v)) if v.server[r] == NO_SERVER]
    assert detached
    assert all(1 <= d < 201 for d in detached)
    attached = [r for r in range(len(v)) if v.server[r] != NO_SERVER]
    assert all(v.updated[r] == v.created[r] + 30 for r in attached)


def test_snapshots_recent_old_and_of_deleted_volumes(inventory: Inventory) -> None:
    e = build_estate(inventory, now=NOW)
    n = e.snapshots
    ages = [days_before(e.now, c) for c in n.created]
    assert any(d < 30 for d in ages)
    assert any(d > 90 for d in ages)
    assert list(n.created) == sorted(n.created)  # rows in creation order
    orphans = [r for r in range(len(n)) if n.volume[r] >= len(e.volumes)]
    assert 0 < len(orphans) < len(n) / 3
    region = e.projects[n.project[orphans[0]]].region
    assert e.volume_row(region, e.volume_ids.of(n.volume[orphans[0]])) is None
    for r in range(len(n)):
        if n.volume[r] < len(e.volumes):
            assert n.project[r] == e.volumes.project[n.volume[r]]
            assert n.size_gib[r] == e.volumes.size_gib[n.volume[r]]
    indexed = sorted(row for rows in e.region_snapshots.values() for row in rows)
    assert indexed == list(range(len(n)))


def test_a_large_estate_still_has_a_past(inventory: Inventory) -> None:
    e = build_estate(inventory, size=20_000, now=NOW)
    assert len(e.servers.updated) == len(e.servers)
    assert len(e.volumes.updated) == len(e.volumes)
    assert len(e.snapshots) > 20_000 * 0.05
