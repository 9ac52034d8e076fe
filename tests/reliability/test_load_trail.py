"""Load: `log verify` checks 1,000,000 records in under a minute (issue 9 §5).

The trail is filled in one transaction with executemany (the append-only triggers allow
INSERT); the figure printed is the verify alone, as the service runs it for the CLI.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from benchmarks.log_verify import fill_trail
from govcloud.services import audit_log
from govcloud.services.settings import resolve

RECORDS = 1_000_000
BOUND_S = 60.0


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_verify_a_million_records_in_under_a_minute(tmp_path: Path) -> None:
    db = tmp_path / "trail.db"
    settings = resolve(db=str(db), env={**os.environ, "GOVCLOUD_CONFIG": ""})
    key = os.urandom(32)
    settings.audit_key_path.parent.mkdir(parents=True, exist_ok=True)
    settings.audit_key_path.write_bytes(key)
    fill_trail(f"sqlite:///{db}", RECORDS, key)

    began = time.perf_counter()
    result = audit_log.check(settings)
    took_s = time.perf_counter() - began

    print(f"\nlog verify: {RECORDS:,} records in {took_s:.1f} s ({RECORDS / took_s:,.0f}/s)")
    assert result.verdict.ok, result.verdict.bad
    assert result.verdict.records == RECORDS
    assert took_s < BOUND_S
