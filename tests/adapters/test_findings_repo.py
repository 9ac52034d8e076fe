"""Audit runs and findings on SQLite and PostgreSQL: round trips, batches, run order."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from govcloud.adapters.store import findings_repo as repo
from govcloud.adapters.store import schema as t
from govcloud.adapters.store.engine import Store, open_store
from govcloud.core.findings import Reclaim, SubjectType
from govcloud.core.severity import Severity
from tests.core.findings_fakes import finding

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url, create=True)
    yield s
    s.close()


def _run(store: Store, started: datetime, status: str = "ok", findings: list | None = None) -> int:
    with store.write() as conn:
        run_id = repo.start_run(
            conn,
            started_at=started,
            window_s=14 * 86400,
            playbook="pb.yaml",
            parameters={"checks": [{"type": "idle"}]},
        )
        repo.save_findings(conn, run_id, findings or [])
        repo.finish_run(
            conn,
            run_id,
            status=status,
            finished_at=started + timedelta(seconds=3),
            summary={"findings": len(findings or [])},
            error=None if status == "ok" else "boom",
        )
    return run_id


def test_findings_round_trip_every_column(store: Store) -> None:
    f = finding(
        "orphan-volume",
        "vol-1",
        Severity.HIGH,
        reclaim=Reclaim(0, 0, 500),
        subject_type=SubjectType.VOLUME,
        name="数据盘 '=cmd'",
        name_en="data disk '=cmd'",
    )
    g = finding("idle", "vm-2", department=None, pool=None)
    run_id = _run(store, T0, findings=[f, g])
    with store.read() as conn:
        back = repo.read_findings(conn, run_id)
    assert back == [f, g]
    assert back[0].message.zh.endswith("（中文）")
    assert back[0].action.zh == "回收"
    assert back[0].system == "sys-1"
    assert back[0].evidence == {"cpu_p95_pct": 1.5, "window_days": 14}
    assert (back[0].subject_name_en, back[1].subject_name_en) == ("data disk '=cmd'", None)


def test_run_record_and_latest(store: Store) -> None:
    first = _run(store, T0)
    second = _run(store, T0 + timedelta(days=30), status="partial")
    with store.read() as conn:
        latest = repo.read_run(conn)
        one = repo.read_run(conn, first)
        assert repo.read_run(conn, 999) is None
        runs = repo.list_runs(conn, limit=10)
    assert latest is not None
    assert latest.id == second
    assert latest.status == "partial"
    assert latest.error == "boom"
    assert latest.started_at == T0 + timedelta(days=30)
    assert one is not None
    assert one.window_s == 14 * 86400
    assert one.playbook == "pb.yaml"
    assert one.parameters == {"checks": [{"type": "idle"}]}
    assert one.summary == {"findings": 0}
    assert one.finished_at == T0 + timedelta(seconds=3)
    assert [r.id for r in runs] == [second, first]


def test_previous_run_skips_failed_runs(store: Store) -> None:
    first = _run(store, T0)
    _run(store, T0 + timedelta(days=1), status="failed")
    third = _run(store, T0 + timedelta(days=2))
    with store.read() as conn:
        prev = repo.previous_run(conn, third)
        assert repo.previous_run(conn, first) is None
    assert prev is not None
    assert prev.id == first


def test_batches_of_many_findings(store: Store) -> None:
    many = [finding("idle", f"vm-{i:05d}") for i in range(2 * repo.BATCH + 7)]
    run_id = _run(store, T0, findings=many)
    with store.read() as conn:
        n = conn.execute(select(func.count()).select_from(t.FindingRow)).scalar_one()
        back = repo.read_findings(conn, run_id)
    assert n == len(many)
    assert [f.subject_id for f in back] == [f.subject_id for f in many]


def test_evidence_with_numpy_and_nan_is_stored_as_plain_json(store: Store) -> None:
    f = finding("idle", "vm-n")
    odd = {"p95": np.float32(1.25), "points": np.int64(7), "gap": math.nan, "ids": ("a", "b")}
    f = type(f)(**{**f.__dict__, "evidence": odd})
    run_id = _run(store, T0, findings=[f])
    with store.read() as conn:
        (back,) = repo.read_findings(conn, run_id)
    assert back.evidence == {"p95": 1.25, "points": 7, "gap": None, "ids": ["a", "b"]}


def test_finish_run_refuses_an_unknown_status(store: Store) -> None:
    with store.write() as conn:
        run_id = repo.start_run(conn, started_at=T0, window_s=60)
        with pytest.raises(ValueError):
            repo.finish_run(conn, run_id, status="done", finished_at=T0)
