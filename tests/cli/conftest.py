from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from govcloud.adapters.store import metrics_repo, sync_repo
from govcloud.adapters.store.engine import open_store
from govcloud.core import models as m
from govcloud.core.metrics_sweep import Point, TargetState
from govcloud.core.sync import PoolListing, diff_pool
from tests.cli.runner import govcloud

EXAMPLE = str(Path(__file__).resolve().parents[2] / "inventory" / "example")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private store and config location for each test; English unless a test says otherwise."""
    path = tmp_path / "govcloud.db"
    monkeypatch.setenv("GOVCLOUD_DB", str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "GOVCLOUD_LANG", "GOVCLOUD_OUTPUT"):
        monkeypatch.delenv(var, raising=False)
    return path


@pytest.fixture
def loaded(db: Path) -> Path:
    result = govcloud("inventory", "load", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    return db


HIS = "d9315a6f-0600-4add-b8a9-cdbab00a1a62"  # wjw, 8 vCPU, 16 GiB, with 14 days of data
WEB = "d9315b00-0000-4000-8000-000000000002"  # wjw, 2 vCPU, 4 GiB, with data
IDLE = "5e1f0000-0000-4000-8000-000000000003"  # wjw, no data at all
JZ = "7a2b0000-0000-4000-8000-000000000004"  # gaj, no data


def server(sid: str, name: str, project: str, vcpus: int, ram_gib: int, system: str | None):
    return m.Server("zw-prod", sid, name, project, "ACTIVE", f"c{vcpus}", vcpus, ram_gib * 1024,
                    40, system_code=system)  # fmt: skip


@pytest.fixture
def estate(loaded: Path) -> Path:
    """LOADED with servers written the way sync writes them and metrics the way collect
    does. zw-prod: three 卫健委 servers (two with CPU and memory data) and one 公安局 server."""
    listing = PoolListing(
        "zw-prod",
        projects=(
            m.Project("zw-prod", "id-wjw", "wjw-zw-prod", department_code="wjw"),
            m.Project("zw-prod", "id-gaj", "gaj-zw-prod", department_code="gaj"),
        ),
        servers=(
            server(HIS, "his-db", "id-wjw", 8, 16, "wjw-his"),
            server(WEB, "his-web", "id-wjw", 2, 4, "wjw-his"),
            server(IDLE, "idle-box", "id-wjw", 1, 2, None),
            server(JZ, "jz-app", "id-gaj", 4, 8, "tagged-only"),
        ),
    )
    store = open_store(f"sqlite:///{loaded}")
    try:
        with store.write() as conn:
            pool_id = sync_repo.pool_ids(conn)[listing.pool_code]
            snapshot = sync_repo.read_snapshot(conn, pool_id, listing.pool_code)
            diff = diff_pool(snapshot, listing)
            now = datetime.now(UTC)
            sync_repo.apply_diff(conn, pool_id, diff, sync_repo.department_ids(conn), now)
            # one point per hour for 14 days: CPU 10..(20 or 60) %, memory flat
            hours = range(14 * 24)
            points = [
                Point(sid.lower(), metric, now.timestamp() - h * 3600, value(h))
                for sid, cpu_top, mem in ((HIS, 20.0, 50.0), (WEB, 60.0, 80.0))
                for metric, value in (
                    ("cpu_pct", lambda h, top=cpu_top: 10.0 + (top - 10.0) * (h % 20) / 19),
                    ("mem_used_pct", lambda h, mem=mem: mem),
                )
                for h in hours
            ]
            metrics_repo.write_points(conn, points)
            # his-db's agent is a scrape target joined by its instance UUID
            url = "http://10.0.0.8:9109/metrics"
            metrics_repo.save_states(
                conn, [TargetState(url, HIS.lower(), "uuid", "his-db", HIS, "his-db", HIS)]
            )
    finally:
        store.close()
    return loaded
