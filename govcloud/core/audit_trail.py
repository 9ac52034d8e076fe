"""The audit trail's record, hash chain and keyed seal (MLPS level 3: who did what, when).

Each record is sealed with its sequence number: `hash` covers the previous record's hash, the
sequence number and the record's canonical JSON, so an edit, a deletion, a reordering or a
truncation in the middle breaks the chain; `hmac` is a keyed MAC of `hash` with a key kept outside
the store, so a chain rebuilt by someone without the key does not verify. SHA-256 by default,
SM3 (GB/T 32905, for 密评) by choice.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from govcloud.core.errors import UsageError

ALGORITHMS = ("sha256", "sm3")

# What a record says happened. A change to the cloud is two records: `intent` (committed before
# the call) and one of ok / failed / unknown after it (`ref` = the intent's seq); reconciling an
# `unknown` or an orphaned intent by re-reading the cloud appends `landed` or `not_landed`.
OUTCOMES = ("ok", "failed", "intent", "unknown", "denied", "landed", "not_landed")


@dataclass(frozen=True)
class AuditRecord:
    ts: datetime
    operator: str
    os_user: str
    command: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    outcome: str
    ticket: str | None = None
    event: str = ""  # what was done: "quota.apply", "sync", "inventory.load", "log.export", …
    source_host: str = ""
    tool_version: str = ""
    ref: int | None = None  # the seq of the intent an outcome record closes


@dataclass(frozen=True)
class Sealed:
    seq: int
    prev_hash: str | None
    hash: str
    hmac: str
    alg: str


def check_algorithm(alg: str) -> str:
    """ALG if this Python's OpenSSL provides it; say so plainly otherwise (no silent fallback)."""
    if alg not in ALGORITHMS:
        raise UsageError(f"unknown audit hash {alg!r}", hint="use " + " or ".join(ALGORITHMS))
    try:
        hashlib.new(alg)
    except ValueError:
        raise UsageError(
            f"this system's OpenSSL has no {alg.upper()}",
            hint="use audit_hash: sha256, or run govcloud where OpenSSL 3 provides SM3",
        ) from None
    return alg


# One encoder for sealing and verifying: the bytes hashed must be the same on both sides.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
)


def canonical_json(data: dict[str, Any]) -> bytes:
    return _CANONICAL.encode(data).encode()


def canonical(seq: int, record: AuditRecord) -> bytes:
    data = asdict(record)
    data["ts"] = record.ts.isoformat()
    data["seq"] = seq
    return canonical_json(data)


def link_hash(alg: str, prev_hash: str | None, body: bytes) -> str:
    """The chain's step: hash(previous hash, newline, canonical record)."""
    digest = hashlib.new(alg)
    digest.update((prev_hash or "").encode())
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def chain_hash(alg: str, prev_hash: str | None, seq: int, record: AuditRecord) -> str:
    return link_hash(alg, prev_hash, canonical(seq, record))


def seal_mac(alg: str, key: bytes, hash_: str) -> str:
    return hmac_.new(key, hash_.encode(), alg).hexdigest()


@dataclass(frozen=True)
class Signer:
    """The chain's algorithm and the HMAC key (read from outside the store)."""

    alg: str
    key: bytes

    def seal(self, seq: int, prev_hash: str | None, record: AuditRecord) -> Sealed:
        h = chain_hash(self.alg, prev_hash, seq, record)
        return Sealed(seq, prev_hash, h, seal_mac(self.alg, self.key, h), self.alg)
