"""The textfile-collector output, read back with Prometheus' own parser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from govcloud.adapters.textfile import render_textfile, write_textfile
from govcloud.core.errors import UsageError
from govcloud.core.findings import Reclaim
from govcloud.core.severity import Severity
from tests.core.findings_fakes import finding

FINDINGS = [
    finding("idle", "a", reclaim=Reclaim(4, 8192, 0)),
    finding("oversized", "a", reclaim=Reclaim(2, 4096, 0)),  # the same VM: counted once
    finding("idle", "b", Severity.HIGH, reclaim=Reclaim(2, 2048, 0)),
    finding("zombie", "c", department=None, pool="hlw", reclaim=Reclaim(1, 1024, 50)),
    finding('we"ird', "d", department='dept\\with"quotes\nand newline'),
]


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge"
        for s in family.samples:
            out.setdefault(s.name, []).append((dict(s.labels), s.value))
    return out


def test_counts_reclaim_and_run_state_parse_back() -> None:
    got = samples(render_textfile(FINDINGS, run_ts=1_700_000_000.5, success=True))
    findings = {
        (lb["check"], lb["severity"], lb["pool"], lb["department"]): v
        for lb, v in got["govcloud_audit_findings"]
    }
    assert findings[("idle", "medium", "zw-prod", "wjw")] == 1
    assert findings[("idle", "high", "zw-prod", "wjw")] == 1
    assert findings[("zombie", "medium", "hlw", "")] == 1
    assert findings[('we"ird', "medium", "zw-prod", 'dept\\with"quotes\nand newline')] == 1
    vcpus = {(lb["pool"], lb["department"]): v for lb, v in got["govcloud_audit_reclaimable_vcpus"]}
    assert vcpus[("zw-prod", "wjw")] == 6  # a: max(4, 2) + b: 2
    assert vcpus[("hlw", "")] == 1
    ram = {
        (lb["pool"], lb["department"]): v for lb, v in got["govcloud_audit_reclaimable_ram_bytes"]
    }
    assert ram[("zw-prod", "wjw")] == (8192 + 2048) * 1024 * 1024
    assert got["govcloud_audit_last_run_timestamp_seconds"] == [({}, 1_700_000_000.5)]
    assert got["govcloud_audit_run_success"] == [({}, 1.0)]


def test_no_findings_still_reports_the_run() -> None:
    got = samples(render_textfile([], run_ts=10, success=False))
    assert got["govcloud_audit_run_success"] == [({}, 0.0)]
    assert "govcloud_audit_findings" not in got


def test_written_atomically_and_readable(tmp_path: Path) -> None:
    target = tmp_path / "govcloud.prom"
    target.write_text("old\n")
    write_textfile(target, FINDINGS, run_ts=1, success=True)
    assert samples(target.read_text())["govcloud_audit_run_success"] == [({}, 1.0)]
    assert os.listdir(tmp_path) == ["govcloud.prom"]  # no temp file left behind
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "govcloud.prom"
    target.write_text("old\n")

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(Exception, match="No space left"):
        write_textfile(target, FINDINGS, run_ts=1, success=True)
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["govcloud.prom"]


def test_wrong_name_or_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\*\.prom"):
        write_textfile(tmp_path / "audit.txt", [], run_ts=1, success=True)
    with pytest.raises(UsageError, match="does not exist"):
        write_textfile(tmp_path / "nope" / "audit.prom", [], run_ts=1, success=True)
