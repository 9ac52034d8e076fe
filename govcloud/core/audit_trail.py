"""The audit trail's record and hash chain (MLPS level 3: who did what, when, with what result).

Each record's hash covers its canonical JSON and the previous record's hash, so an edit, a
deletion or a truncation in the middle breaks the chain. (Keyed HMACs come with the trust work.)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


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


def canonical(record: AuditRecord) -> bytes:
    data = asdict(record)
    data["ts"] = record.ts.isoformat()
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def chain_hash(prev_hash: str | None, record: AuditRecord) -> str:
    digest = hashlib.sha256()
    digest.update((prev_hash or "").encode())
    digest.update(b"\n")
    digest.update(canonical(record))
    return digest.hexdigest()
