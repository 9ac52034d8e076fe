"""Verifying the audit trail: one pass over the rows in seq order, naming the first bad record.

What each finding means (the first one found wins; `seq` is the first bad sequence number):

    deleted      a seq is missing (a middle row, the first rows without a recorded prune, or a
                 row whose successor no longer links to it)
    edited       a row's content does not match its hash, or its link was rewritten
    reordered    a row sits at another seq than the one it was sealed with
    forged       the HMAC does not match: the chain from here was rebuilt by someone without the
                 key, or it differs from the head anchored outside the store
    wrong_key    no record's HMAC matches: the key is not the one that sealed the trail (or the
                 whole trail was rebuilt without it)
    truncated    the head anchored outside the store names a seq beyond the last row
    unknown_alg  a row names a seal algorithm govcloud does not know
    prune        the prune anchor is forged or its prune is not recorded in the chain

Rows written before keyed seals (alg NULL) are checked with the old unkeyed scheme (sha256 over
the previous hash and the record without its seq) and reported as a legacy prefix, not as
tampering. The pass streams: rows are plain tuples (see COLUMNS), nothing is kept per row, so a
million records verify in seconds.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from govcloud.core.audit_trail import ALGORITHMS, canonical_json, check_algorithm, link_hash

# The order in which rows are handed to `verify`.
COLUMNS = (
    "seq", "ts", "operator", "os_user", "command", "object_type", "object_id", "before",
    "after", "outcome", "ticket", "event", "source_host", "tool_version", "ref", "prev_hash",
    "hash", "hmac", "alg",
)  # fmt: skip
(SEQ, TS, OPERATOR, OS_USER, COMMAND, OBJECT_TYPE, OBJECT_ID, BEFORE, AFTER, OUTCOME, TICKET,
 EVENT, SOURCE_HOST, TOOL_VERSION, REF, PREV_HASH, HASH, HMAC, ALG) = range(19)  # fmt: skip

LEGACY_ALG = "sha256"  # the unkeyed scheme before revision 0005
LOOKAHEAD = 64  # rows read past a break to tell a reordering from an edit or a deletion
PRUNE_EVENT = "log.prune"

Row = Sequence[Any]


@dataclass(frozen=True)
class PruneAnchor:
    """The newest prune: rows through `through_seq` were deleted; `hash` was the last one's."""

    through_seq: int
    hash: str
    hmac: str
    alg: str


@dataclass(frozen=True)
class HeadAnchor:
    """The chain's head as recorded outside the store after the last commit on this host."""

    seq: int
    hash: str
    hmac: str
    alg: str


@dataclass(frozen=True)
class Break:
    seq: int
    kind: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    records: int
    first_seq: int | None
    last_seq: int | None
    legacy_records: int  # the unkeyed prefix written before keyed seals
    legacy_through: int | None
    pruned_through: int | None
    head: str  # anchored | behind | missing | beyond (= truncated) | unchecked
    head_seq: int | None
    bad: Break | None

    @property
    def ok(self) -> bool:
        return self.bad is None


def prune_message(through_seq: int, hash_: str) -> bytes:
    return f"prune:{through_seq}:{hash_}".encode()


def seal_prune(alg: str, key: bytes, through_seq: int, hash_: str) -> str:
    return hmac_.new(key, prune_message(through_seq, hash_), alg).hexdigest()


def utc_iso(ts: datetime) -> str:
    """The ts as it was sealed: UTC-aware (SQLite hands back naive UTC, PostgreSQL the session's
    zone)."""
    if ts.tzinfo is None:
        return ts.isoformat() + "+00:00"  # = ts.replace(tzinfo=UTC).isoformat(), faster
    return ts.astimezone(UTC).isoformat()


_str = json.encoder.encode_basestring  # what the canonical encoder uses for str (C version)
_BODY = (
    '{"after":%s,"before":%s,"command":%s,"event":%s,"object_id":%s,"object_type":%s,'
    '"operator":%s,"os_user":%s,"outcome":%s,"ref":%s,"seq":%s,"source_host":%s,"ticket":%s,'
    '"tool_version":%s,"ts":%s}'
)


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return str(_str(value))
    return canonical_json(value).decode()


def body(row: Row, seq: int | None = None) -> bytes:
    """The canonical record of a sealed row, byte for byte `audit_trail.canonical` (keys in
    sorted order, written out here: a million rows, no dict and no sort per row)."""
    v = _value
    return (
        _BODY
        % (
            v(row[AFTER]), v(row[BEFORE]), v(row[COMMAND]), v(row[EVENT]), v(row[OBJECT_ID]),
            v(row[OBJECT_TYPE]), v(row[OPERATOR]), v(row[OS_USER]), v(row[OUTCOME]),
            v(row[REF]), v(row[SEQ] if seq is None else seq), v(row[SOURCE_HOST]),
            v(row[TICKET]), v(row[TOOL_VERSION]), _str(utc_iso(row[TS])),
        )
    ).encode()  # fmt: skip


def legacy_body(row: Row) -> bytes:
    return canonical_json(
        {
            "after": row[AFTER], "before": row[BEFORE], "command": row[COMMAND],
            "object_id": row[OBJECT_ID], "object_type": row[OBJECT_TYPE],
            "operator": row[OPERATOR], "os_user": row[OS_USER], "outcome": row[OUTCOME],
            "ticket": row[TICKET], "ts": utc_iso(row[TS]),
        }
    )  # fmt: skip


class _Macs:
    """HMAC (RFC 2104) from hash states keyed once and copied per row: the same digest as
    `hmac.new(key, msg, alg)`, without building an HMAC object a million times."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._pads: dict[str, tuple[Any, Any]] = {}

    def __call__(self, alg: str, hash_: str) -> str:
        pads = self._pads.get(alg)
        if pads is None:
            check_algorithm(alg)
            pads = self._pads[alg] = _keyed_pads(alg, self.key)
        inner = pads[0].copy()
        inner.update(hash_.encode())
        outer = pads[1].copy()
        outer.update(inner.digest())
        return str(outer.hexdigest())


def _keyed_pads(alg: str, key: bytes) -> tuple[Any, Any]:
    inner, outer = hashlib.new(alg), hashlib.new(alg)
    if len(key) > inner.block_size:
        key = hashlib.new(alg, key).digest()
    key = key.ljust(inner.block_size, b"\0")
    inner.update(bytes(b ^ 0x36 for b in key))
    outer.update(bytes(b ^ 0x5C for b in key))
    return inner, outer


def verify(
    rows: Iterable[Row],
    key: bytes,
    *,
    prune: PruneAnchor | None = None,
    head: HeadAnchor | None = None,
) -> Verdict:
    """Check ROWS (in seq order, as COLUMNS) against KEY, the prune anchor and the head anchor."""
    return _Pass(key, prune, head).run(iter(rows))


class _Pass:
    def __init__(self, key: bytes, prune: PruneAnchor | None, head: HeadAnchor | None) -> None:
        self.mac = _Macs(key)
        self.prune, self.head = prune, head
        self.records = self.legacy = self.mac_ok = 0
        self.first: int | None = None
        self.last: int | None = None
        self.legacy_through: int | None = None
        self.first_mac_bad: int | None = None
        self.prune_recorded = prune is None
        self.stopped = False

    def run(self, it: Iterator[Row]) -> Verdict:
        bad = self._check_prune_anchor() or self._walk(it)
        self.stopped = bad is not None  # the walk ended at a break, not at the last row
        if bad is None:
            bad = self._mac_verdict() or self._tail()
        elif self.first_mac_bad is not None and self.first_mac_bad < bad.seq:
            bad = self._mac_verdict() or bad
        return Verdict(
            self.records, self.first, self.last, self.legacy, self.legacy_through,
            None if self.prune is None else self.prune.through_seq, self._head_state(),
            None if self.head is None else self.head.seq, bad,
        )  # fmt: skip

    def _check_prune_anchor(self) -> Break | None:
        p = self.prune
        if p is None:
            return None
        if p.alg not in ALGORITHMS:
            return Break(p.through_seq, "unknown_alg", f"prune anchor names {p.alg!r}")
        check_algorithm(p.alg)
        if not hmac_.compare_digest(
            seal_prune(p.alg, self.mac.key, p.through_seq, p.hash), p.hmac or ""
        ):
            return Break(
                p.through_seq, "prune", "the prune anchor's HMAC does not match: rows were "
                "deleted under a prune anchor written without the key",
            )  # fmt: skip
        return None

    def _walk(self, it: Iterator[Row]) -> Break | None:
        expected_seq = 1 if self.prune is None else self.prune.through_seq + 1
        expected_prev = None if self.prune is None else self.prune.hash
        keyed = False
        hashers: dict[str, Callable[[str | None, bytes], str]] = {}
        for row in it:
            seq = row[SEQ]
            if seq != expected_seq:
                return _gap(expected_seq, seq)
            alg = row[ALG]
            if alg is None:
                if keyed:
                    return Break(seq, "edited", "an unsealed record after sealed ones")
                computed = link_hash(LEGACY_ALG, row[PREV_HASH], legacy_body(row))
            elif alg not in ALGORITHMS:
                return Break(seq, "unknown_alg", f"sealed with unknown algorithm {alg!r}")
            else:
                keyed = True
                hasher = hashers.get(alg)
                if hasher is None:
                    hasher = hashers[alg] = _hasher(check_algorithm(alg))
                computed = hasher(row[PREV_HASH], body(row))
            if computed != row[HASH]:
                return _content_break(row, it)
            if row[PREV_HASH] != expected_prev:
                return _link_break(row, it, expected_prev)
            if alg is None:
                self.legacy += 1
                self.legacy_through = seq
            else:
                self._check_mac(row, alg)
            bad = self._check_head(row)
            if bad is not None:
                return bad
            self.records += 1
            self.first = seq if self.first is None else self.first
            self.last = seq
            expected_seq, expected_prev = seq + 1, row[HASH]
        return None

    def _check_mac(self, row: Row, alg: str) -> None:
        if hmac_.compare_digest(self.mac(alg, row[HASH]), row[HMAC] or ""):
            self.mac_ok += 1
            if row[EVENT] == PRUNE_EVENT and self.prune is not None:
                after = row[AFTER] or {}
                if (after.get("through_seq"), after.get("hash")) == (
                    self.prune.through_seq,
                    self.prune.hash,
                ):
                    self.prune_recorded = True
        elif self.first_mac_bad is None:
            self.first_mac_bad = row[SEQ]

    def _check_head(self, row: Row) -> Break | None:
        h = self.head
        if h is None or row[SEQ] != h.seq:
            return None
        if row[HASH] != h.hash or (row[HMAC] or "") != h.hmac:
            return Break(
                h.seq, "forged", "the record differs from the chain head anchored outside "
                "the store: the chain was rebuilt",
            )  # fmt: skip
        return None

    def _mac_verdict(self) -> Break | None:
        if self.first_mac_bad is None:
            return None
        if self.mac_ok == 0:
            return Break(
                self.first_mac_bad, "wrong_key", "no record's HMAC matches this key: it is not "
                "the key that sealed the trail, or the whole trail was rebuilt without it",
            )  # fmt: skip
        return Break(
            self.first_mac_bad, "forged", "its HMAC does not match: the chain from here was "
            "rebuilt without the key",
        )  # fmt: skip

    def _tail(self) -> Break | None:
        if self.head is not None and (self.last or 0) < self.head.seq:
            start = (self.last or 0) + 1
            return Break(
                start, "truncated", f"records {start}..{self.head.seq} are missing: the head "
                f"anchored outside the store is seq {self.head.seq}",
            )  # fmt: skip
        if not self.prune_recorded and self.prune is not None:
            return Break(
                self.prune.through_seq, "prune", "rows were deleted under a prune anchor "
                "that no log.prune record in the chain accounts for",
            )  # fmt: skip
        return None

    def _head_state(self) -> str:
        if self.head is None:
            return "missing"
        if self.stopped:
            return "unchecked"  # the chain breaks before its end: the tail was not reached
        if self.last is None or self.head.seq > self.last:
            return "beyond"
        return "anchored" if self.head.seq == self.last else "behind"


def _hasher(alg: str) -> Callable[[str | None, bytes], str]:
    base = hashlib.new(alg)

    def step(prev: str | None, data: bytes) -> str:
        digest = base.copy()
        digest.update((prev or "").encode())
        digest.update(b"\n")
        digest.update(data)
        return digest.hexdigest()

    return step


def _gap(expected: int, seq: int) -> Break:
    if seq > expected:
        missing = (
            f"record {expected} is" if seq == expected + 1 else f"records {expected}..{seq - 1} are"
        )
        return Break(expected, "deleted", f"{missing} missing")
    return Break(seq, "reordered", f"seq {seq} follows seq {expected - 1}")


def _content_break(row: Row, rest: Iterator[Row]) -> Break:
    """The row's hash does not match its content: edited, or moved from another seq."""
    seq, alg = row[SEQ], row[ALG]
    if alg not in ALGORITHMS:
        return Break(seq, "edited", "its content does not match its hash")
    for other in range(max(1, seq - LOOKAHEAD), seq + LOOKAHEAD + 1):
        if other != seq and link_hash(alg, row[PREV_HASH], body(row, other)) == row[HASH]:
            break
    else:
        return Break(seq, "edited", "its content does not match its hash")
    if other > seq and not any(r[HASH] == row[PREV_HASH] for r in _ahead(rest)):
        return Break(
            seq, "deleted", f"the record sealed as seq {seq} is gone and the later ones were "
            f"renumbered (the record here was sealed as seq {other})",
        )  # fmt: skip
    return Break(seq, "reordered", f"the record here was sealed as seq {other}")


def _ahead(rest: Iterator[Row]) -> Iterator[Row]:
    for _, row in zip(range(LOOKAHEAD), rest, strict=False):
        yield row


def _link_break(row: Row, rest: Iterator[Row], expected_prev: str | None) -> Break:
    """The row is intact but does not follow its predecessor."""
    seq = row[SEQ]
    for later in _ahead(rest):
        if later[HASH] == row[PREV_HASH]:
            return Break(seq, "reordered", f"it links to the record now at seq {later[SEQ]}")
    if expected_prev is None and seq == 1:
        return Break(seq, "edited", "the first record links to a predecessor")
    return Break(
        seq - 1, "deleted", f"seq {seq} does not link to the record before it: that record "
        "was replaced or removed",
    )  # fmt: skip
