"""The audit trail's verification, on rows built in memory: every tampering names its first seq."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from govcloud.core.audit_trail import AuditRecord, Signer, link_hash
from govcloud.core.audit_verify import (
    COLUMNS,
    HASH,
    PREV_HASH,
    HeadAnchor,
    PruneAnchor,
    legacy_body,
    seal_prune,
    verify,
)
from govcloud.core.errors import UsageError

KEY = b"k" * 32
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def record(i: int) -> AuditRecord:
    return AuditRecord(
        T0 + timedelta(minutes=i), "ops", "root", f"govcloud x {i}", "quota", f"p{i}",
        {"cores": i}, {"cores": i + 1}, "ok", ticket="CR-1", event="quota.apply",
        source_host="h", tool_version="1",
    )  # fmt: skip


def chain(n: int, *, alg: str = "sha256", key: bytes = KEY, start: int = 1) -> list[list[Any]]:
    rows: list[list[Any]] = []
    prev = None
    signer = Signer(alg, key)
    for seq in range(start, start + n):
        rec = record(seq)
        sealed = signer.seal(seq, prev, rec)
        data = asdict(rec)
        data.update(seq=seq, prev_hash=prev, hash=sealed.hash, hmac=sealed.hmac, alg=alg)
        rows.append([data[c] for c in COLUMNS])
        prev = sealed.hash
    return rows


def head_of(rows: list[list[Any]]) -> HeadAnchor:
    last = dict(zip(COLUMNS, rows[-1], strict=True))
    return HeadAnchor(last["seq"], last["hash"], last["hmac"], last["alg"])


def col(name: str) -> int:
    return COLUMNS.index(name)


def test_an_intact_chain_verifies_with_its_head() -> None:
    rows = chain(10)
    v = verify(rows, KEY, head=head_of(rows))
    assert v.ok
    assert (v.records, v.first_seq, v.last_seq, v.head) == (10, 1, 10, "anchored")


def test_naive_utc_times_as_sqlite_returns_them_still_verify() -> None:
    rows = chain(3)
    for row in rows:
        row[col("ts")] = row[col("ts")].replace(tzinfo=None)
    assert verify(rows, KEY).ok


def test_an_edited_row_is_named() -> None:
    rows = chain(10)
    head = head_of(rows)
    rows[4][col("after")] = {"cores": 999}
    verdict = verify(rows, KEY, head=head)
    assert verdict.bad is not None
    assert (verdict.bad.seq, verdict.bad.kind) == (5, "edited")
    assert verdict.head == "unchecked"  # the walk stopped at 5: the tail is not called truncated


def test_a_deleted_middle_row_is_named() -> None:
    rows = chain(10)
    del rows[6]
    bad = verify(rows, KEY).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (7, "deleted")


def test_a_deleted_row_with_the_rest_renumbered_is_a_deletion() -> None:
    rows = chain(10)
    del rows[3]
    for row in rows[3:]:
        row[col("seq")] -= 1
    bad = verify(rows, KEY).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (4, "deleted")


def test_swapped_rows_are_reordered() -> None:
    rows = chain(10)
    rows[2], rows[3] = rows[3], rows[2]
    rows[2][col("seq")], rows[3][col("seq")] = 3, 4
    bad = verify(rows, KEY).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (3, "reordered")


def test_a_truncated_tail_is_found_by_the_head_anchor() -> None:
    rows = chain(10)
    head = head_of(rows)
    bad = verify(rows[:7], KEY, head=head).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (8, "truncated")
    assert verify(rows[:7], KEY).ok  # without the anchor a truncation cannot be told


def test_a_chain_rebuilt_without_the_key_is_forged() -> None:
    rows = chain(10)
    forged = chain(6, key=b"x" * 32, start=5)
    forged[0][col("prev_hash")] = rows[3][HASH]
    # an attacker recomputes the hashes from seq 5 on (but cannot compute the HMAC)
    prev = rows[3][HASH]
    for row in forged:
        row[PREV_HASH] = prev
        row[HASH] = Signer("sha256", b"x" * 32).seal(row[0], prev, record(row[0])).hash
        prev = row[HASH]
    bad = verify(rows[:4] + forged, KEY).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (5, "forged")


def test_a_wrong_key_is_told_apart_from_one_forged_record() -> None:
    bad = verify(chain(5), b"w" * 32).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (1, "wrong_key")


def test_a_head_that_disagrees_with_the_row_is_forged() -> None:
    rows = chain(5)
    head = HeadAnchor(3, "0" * 64, "0" * 64, "sha256")
    bad = verify(rows, KEY, head=head).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (3, "forged")


def test_an_unknown_algorithm_is_named() -> None:
    rows = chain(3)
    rows[1][col("alg")] = "md5"
    bad = verify(rows, KEY).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (2, "unknown_alg")


def test_sm3_is_the_gb_t_32905_hash_and_seals_verify() -> None:
    assert (
        hashlib.new("sm3", b"abc").hexdigest()
        == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    rows = chain(5, alg="sm3")
    assert verify(rows, KEY, head=head_of(rows)).ok
    rows[2][col("object_id")] = "other"
    bad = verify(rows, KEY).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (3, "edited")


def test_a_missing_algorithm_is_a_plain_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = hashlib.new

    def no_sm3(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real(name, *args, **kwargs)

    rows = chain(2, alg="sm3")
    monkeypatch.setattr(hashlib, "new", no_sm3)
    with pytest.raises(UsageError, match="no SM3"):
        verify(rows, KEY)


def legacy(n: int) -> list[list[Any]]:
    """Rows as written before keyed seals: alg and hmac NULL, hash without the seq."""
    rows: list[list[Any]] = []
    prev = None
    for seq in range(1, n + 1):
        data = asdict(record(seq))
        data.update(seq=seq, prev_hash=prev, hmac=None, alg=None, hash=None)
        data.update(event=None, source_host=None, tool_version=None)
        row = [data[c] for c in COLUMNS]
        row[HASH] = link_hash("sha256", prev, legacy_body(row))
        rows.append(row)
        prev = row[HASH]
    return rows


def test_a_legacy_prefix_verifies_and_is_reported_as_such() -> None:
    old = legacy(4)
    new = chain(3, start=5)
    new[0][PREV_HASH] = old[-1][HASH]
    prev = old[-1][HASH]
    for row in new:  # reseal on top of the legacy head
        sealed = Signer("sha256", KEY).seal(row[0], prev, record(row[0]))
        row[PREV_HASH], row[HASH], row[col("hmac")] = prev, sealed.hash, sealed.hmac
        prev = sealed.hash
    v = verify(old + new, KEY)
    assert v.ok
    assert (v.legacy_records, v.legacy_through, v.records) == (4, 4, 7)
    old[1][col("command")] = "edited"
    bad = verify(old + new, KEY).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (2, "edited")


def test_an_unsealed_row_after_sealed_ones_is_not_legacy() -> None:
    rows = chain(3) + legacy(1)
    rows[3][col("seq")] = 4
    bad = verify(rows, KEY).bad
    assert bad is not None
    assert bad.seq == 4


def test_verification_starts_at_the_prune_anchor() -> None:
    rows = chain(10)
    through, last_hash = 4, rows[3][HASH]
    anchor = PruneAnchor(
        through, last_hash, seal_prune("sha256", KEY, through, last_hash), "sha256"
    )
    rest = rows[4:]
    # the prune must be recorded in the chain: make seq 10 the log.prune record
    assert verify(rest, KEY, prune=anchor).bad is not None
    rec = record(10)
    rec = AuditRecord(**{**asdict(rec), "event": "log.prune",
                         "after": {"through_seq": through, "hash": last_hash}})  # fmt: skip
    sealed = Signer("sha256", KEY).seal(10, rows[8][HASH], rec)
    rest[-1][col("event")], rest[-1][col("after")] = "log.prune", rec.after
    rest[-1][HASH], rest[-1][col("hmac")] = sealed.hash, sealed.hmac
    assert verify(rest, KEY, prune=anchor).ok
    forged = PruneAnchor(through, last_hash, "0" * 64, "sha256")
    bad = verify(rest, KEY, prune=forged).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (4, "prune")
    bad = verify(rest[1:], KEY, prune=anchor).bad
    assert bad is not None
    assert (bad.seq, bad.kind) == (5, "deleted")
