"""How fast does `govcloud log verify` check a long trail (the issue's bound: 1,000,000 records
in under a minute)?

Fills a SQLite store with N sealed records (one transaction, executemany: the append-only
triggers allow INSERT), then times `log verify`'s service (streamed rows, hash, link and HMAC
per record) against a peer: a plain loop that reads the same rows with the sqlite3 module and
runs hashlib's SHA-256 over each row's text, the floor for "read every record and hash it".

    .venv/bin/python benchmarks/log_verify.py --records 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from govcloud.adapters.store import schema as t  # noqa: E402
from govcloud.adapters.store.engine import open_store  # noqa: E402
from govcloud.core.audit_trail import link_hash  # noqa: E402
from govcloud.core.audit_verify import COLUMNS, body  # noqa: E402

BATCH = 50_000


def fill_trail(url: str, records: int, key: bytes, alg: str = "sha256") -> None:
    """RECORDS sealed records, as `trail.append` writes them, in one transaction."""
    store = open_store(url, create=True)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    prev: str | None = None
    with store.write() as conn:
        batch: list[dict[str, Any]] = []
        for seq in range(1, records + 1):
            values: dict[str, Any] = {
                "seq": seq, "ts": start + timedelta(seconds=seq), "operator": "ops",
                "os_user": "ops", "command": f"govcloud quota apply plan-{seq}.json --yes",
                "object_type": "quota", "object_id": f"pool-a/project-{seq % 977}",
                "before": {"cores": seq % 64}, "after": {"cores": seq % 64 + 2},
                "outcome": "ok", "ticket": f"CR-{seq}", "event": "quota.apply",
                "source_host": "ops-1", "tool_version": "1.0", "ref": None,
                "prev_hash": prev, "alg": alg,
            }  # fmt: skip
            row = [values.get(c) for c in COLUMNS]
            values["hash"] = prev = link_hash(alg, prev, body(row))
            values["hmac"] = hmac.new(key, prev.encode(), alg).hexdigest()
            batch.append(values)
            if len(batch) == BATCH:
                conn.execute(insert(t.AuditLogRow), batch)
                batch = []
        if batch:
            conn.execute(insert(t.AuditLogRow), batch)
    store.close()


def peer_loop(path: Path) -> int:
    """The floor: read every row with sqlite3 and SHA-256 its text."""
    conn = sqlite3.connect(path)
    count = 0
    for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log ORDER BY seq"):
        hashlib.sha256(repr(row).encode()).hexdigest()
        count += 1
    conn.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
            os.environ[var] = tmp
        from govcloud.services import audit_log
        from govcloud.services.settings import resolve

        db = Path(tmp) / "trail.db"
        settings = resolve(db=str(db), env={**os.environ, "GOVCLOUD_CONFIG": ""})
        key = os.urandom(32)
        settings.audit_key_path.parent.mkdir(parents=True, exist_ok=True)
        settings.audit_key_path.write_bytes(key)
        began = time.perf_counter()
        fill_trail(f"sqlite:///{db}", args.records, key)
        fill_s = time.perf_counter() - began
        began = time.perf_counter()
        result = audit_log.check(settings)
        verify_s = time.perf_counter() - began
        began = time.perf_counter()
        peer_loop(db)
        peer_s = time.perf_counter() - began
    if not result.verdict.ok or result.verdict.records != args.records:
        raise SystemExit(f"verify did not pass: {result.verdict}")
    n = args.records
    print(f"records            {n:>12,}")
    print(f"fill (1 tx)        {fill_s:>10.1f} s")
    print(f"log verify         {verify_s:>10.1f} s  {n / verify_s:>12,.0f} records/s")
    print(f"peer (sqlite3+sha) {peer_s:>10.1f} s  {n / peer_s:>12,.0f} records/s")
    print(f"verify / peer      {verify_s / peer_s:>10.2f} x")
    print(f"1,000,000 records  {verify_s * 1_000_000 / n:>10.1f} s (bound: 60 s)")


if __name__ == "__main__":
    main()
