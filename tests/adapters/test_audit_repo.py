"""The audit trail in a real store (SQLite and PostgreSQL): append-only by trigger, tampering by
someone with database rights found by verify, concurrent writers never fork the chain."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from govcloud.adapters.store import audit_repo
from govcloud.adapters.store.engine import Store, open_store
from govcloud.core.audit_trail import AuditRecord, Signer
from govcloud.core.audit_verify import Verdict, verify

KEY = b"s" * 32
SIGNER = Signer("sha256", KEY)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def record(i: int, *, ts: datetime | None = None) -> AuditRecord:
    return AuditRecord(
        ts or T0 + timedelta(minutes=i), "ops", "root", "govcloud test", "quota", f"p{i}",
        {"cores": i}, {"cores": i + 1, "名": "卫健委"}, "ok", event="quota.apply",
    )  # fmt: skip


def filled(url: str, n: int = 10) -> Store:
    store = open_store(url, create=True)
    for i in range(1, n + 1):
        with store.write() as conn:
            audit_repo.append(conn, record(i), SIGNER)
    return store


def check(store: Store) -> Verdict:
    with store.read() as conn:
        prune = audit_repo.prune_anchor(conn)
        return verify(audit_repo.stream(conn), KEY, prune=prune)


def found(store: Store) -> tuple[int, str] | None:
    bad = check(store).bad
    return None if bad is None else (bad.seq, bad.kind)


def drop_triggers(store: Store) -> None:
    """What an attacker with DDL rights does first."""
    with store.write() as conn:
        if store.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))


def raw(store: Store, sql: str) -> None:
    with store.write() as conn:
        conn.execute(text(sql))


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET outcome = 'failed' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_update_and_delete(store_url: str, sql: str) -> None:
    store = filled(store_url, 5)
    with pytest.raises(DatabaseError, match="append-only"):
        raw(store, sql)
    if not store.is_sqlite:
        with pytest.raises(DatabaseError, match="append-only"):
            raw(store, "TRUNCATE audit_log")
    assert check(store).records == 5
    store.close()


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE audit_log SET after = '{\"cores\": 999}' WHERE seq = 4", (4, "edited")),
        ("UPDATE audit_log SET ts = ts WHERE seq = 2; DELETE FROM audit_log WHERE seq = 6",
         (6, "deleted")),
        ("DELETE FROM audit_log WHERE seq >= 8", None),  # found only by the head anchor
        ("UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4;"
         " UPDATE audit_log SET seq = 4 WHERE seq = -3", (3, "reordered")),
        ("UPDATE audit_log SET hmac = 'ab' || substr(hmac, 3) WHERE seq = 7", (7, "forged")),
        ("UPDATE audit_log SET alg = 'md5' WHERE seq = 5", (5, "unknown_alg")),
    ],
)  # fmt: skip
def test_tampering_with_raw_sql_names_the_first_bad_seq(
    store_url: str, tamper: str, expected: tuple[int, str] | None
) -> None:
    store = filled(store_url, 10)
    drop_triggers(store)
    for statement in tamper.split(";"):
        raw(store, statement)
    assert found(store) == expected
    store.close()


def test_a_truncated_tail_is_found_against_the_head(store_url: str) -> None:
    from govcloud.core.audit_verify import HeadAnchor

    store = filled(store_url, 10)
    with store.read() as conn:
        last = list(audit_repo.stream(conn))[-1]
    head = HeadAnchor(last[0], last[16], last[17], last[18])
    drop_triggers(store)
    raw(store, "DELETE FROM audit_log WHERE seq >= 8")
    with store.read() as conn:
        bad = verify(audit_repo.stream(conn), KEY, head=head).bad
    store.close()
    assert bad is not None
    assert (bad.seq, bad.kind) == (8, "truncated")


def test_prune_deletes_only_through_its_anchor_and_still_verifies(store_url: str) -> None:
    store = filled(store_url, 10)
    with store.write() as conn:
        point = audit_repo.prune_point(conn, T0 + timedelta(minutes=4, seconds=30))
        assert point is not None
        after = {"through_seq": point.through_seq, "hash": point.hash}
        prune_rec = AuditRecord(
            T0 + timedelta(hours=1), "ops", "root", "govcloud log prune", "audit_log", "..4",
            None, after, "ok", event="log.prune",
        )  # fmt: skip
        audit_repo.prune(conn, point, prune_rec, SIGNER)
    v = check(store)
    assert v.ok, v.bad
    assert (point.through_seq, v.first_seq, v.last_seq, v.pruned_through) == (4, 5, 11, 4)
    for sql in ("DELETE FROM audit_log WHERE seq = 5", "UPDATE audit_prune SET through_seq = 9",
                "DELETE FROM audit_prune"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"):
            raw(store, sql)
    store.close()


def _writer(url: str, worker: int, count: int) -> None:
    store = open_store(url)
    for i in range(count):
        with store.write() as conn:
            audit_repo.append(conn, record(worker * 1000 + i, ts=datetime.now(UTC)), SIGNER)
    store.close()


def test_concurrent_writers_never_fork_the_chain(store_url: str, tmp_path: Path) -> None:
    open_store(store_url, create=True).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(store_url, w, 50)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=300)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    store = open_store(store_url)
    with store.read() as conn:
        rows = list(audit_repo.stream(conn))
    assert [r[0] for r in rows] == list(range(1, 201))
    prevs = [r[15] for r in rows]
    assert len(set(prevs)) == 200  # no two records claim the same predecessor: no fork
    assert all(rows[i][15] == rows[i - 1][16] for i in range(1, 200))
    assert check(store).ok
    store.close()


def test_the_head_file_only_moves_forward(tmp_path: Path) -> None:
    from govcloud.adapters import head_file
    from govcloud.core.audit_trail import Sealed

    url = "postgresql+psycopg://ops:secret-pw@db/gc"
    assert head_file.advance(tmp_path, url, Sealed(5, "a", "h5", "m5", "sha256")) is None
    assert head_file.advance(tmp_path, url, Sealed(3, "b", "h3", "m3", "sha256")) == 5
    head = head_file.read(tmp_path, url)
    assert head is not None
    assert (head.seq, head.hash) == (5, "h5")
    assert head_file.advance(tmp_path, url, Sealed(6, "h5", "h6", "m6", "sha256")) == 5
    path = head_file.path_for(tmp_path, url)
    assert "secret-pw" not in path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
