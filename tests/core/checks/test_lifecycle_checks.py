"""zombie, orphan-volume and stale-snapshot: ages, boundaries and what is reclaimed."""

from __future__ import annotations

from govcloud.core.checks import registry
from govcloud.core.models import Snapshot
from govcloud.core.severity import Severity
from tests.core.checks.estate import ago, estate, server, volume


def run(name: str, data, params=None):  # type: ignore[no-untyped-def]
    return registry()[name](data, params)


def test_zombie_states_boundaries_and_reclaim() -> None:
    data = estate(
        servers=(
            server("off", status="SHUTOFF", updated_at=ago(days=31)),
            server("exact", status="PAUSED", updated_at=ago(days=30)),
            server("shelved", status="SHELVED_OFFLOADED", updated_at=ago(days=120)),
            server("running", status="ACTIVE", updated_at=ago(days=300)),
            server("fallback", status="suspended", updated_at=None, created_at=ago(days=45)),
            server("unknown", status="SHUTOFF", updated_at=None, created_at=None),
        ),
        volumes=(
            volume("d1", status="in-use", attached_server_id="off", size_gib=50),
            volume("d2", status="in-use", attached_server_id="off", size_gib=20),
        ),
    )
    found = {f.subject_id: f for f in run("zombie", data)}
    assert set(found) == {"off", "shelved", "fallback"}
    off = found["off"]
    assert off.severity is Severity.MEDIUM
    assert (off.reclaim.vcpus, off.reclaim.ram_mib, off.reclaim.volume_gib) == (4, 8192, 70)
    assert off.evidence["since"] == "updated_at"
    assert off.evidence["attached_volumes"] == 2
    assert found["shelved"].severity is Severity.HIGH
    assert found["shelved"].evidence["holds_host"] is False
    assert found["fallback"].evidence["since"] == "created_at"


def test_zombie_states_param_narrows() -> None:
    data = estate(servers=(server("off", status="SHUTOFF", updated_at=ago(days=31)),))
    assert run("zombie", data, {"states": ["SHELVED"]}) == []


def test_orphan_volume_boundaries() -> None:
    data = estate(
        volumes=(
            volume("old", updated_at=ago(days=31), size_gib=500),
            volume("exact", updated_at=ago(days=30)),
            volume("ancient", updated_at=ago(days=100)),
            volume("used", status="in-use", attached_server_id="x", updated_at=ago(days=99)),
            volume("fallback", updated_at=None, created_at=ago(days=40)),
            volume("error", status="error", updated_at=ago(days=99)),
        )
    )
    found = {f.subject_id: f for f in run("orphan-volume", data)}
    assert set(found) == {"old", "ancient", "fallback"}
    assert found["old"].reclaim.volume_gib == 500
    assert found["old"].severity is Severity.LOW
    assert found["ancient"].severity is Severity.MEDIUM
    assert found["fallback"].evidence["since"] == "created_at"
    assert found["old"].department == "wjw"


def snap(sid: str, days: float, volume_id: str | None = "v1") -> Snapshot:
    return Snapshot("zw-prod", sid, f"snap-{sid}", "p-wjw", volume_id, 20, "available", ago(days))


def test_stale_snapshot_age_and_orphans() -> None:
    data = estate(
        volumes=(volume("v1", status="in-use", attached_server_id="a"),),
        snapshots=(
            snap("young", 10),
            snap("exact", 90),
            snap("old", 91),
            snap("orphan", 1, volume_id="deleted"),
            snap("no-source", 10, volume_id=None),
        ),
    )
    found = {f.subject_id: f for f in run("stale-snapshot", data)}
    assert set(found) == {"old", "orphan"}
    assert found["old"].severity is Severity.LOW
    assert found["orphan"].severity is Severity.MEDIUM
    assert found["orphan"].evidence["source_volume_exists"] is False
    assert found["orphan"].reclaim.volume_gib == 20
    assert "orphan" not in {
        f.subject_id for f in run("stale-snapshot", data, {"orphan_min_days": 7})
    }
