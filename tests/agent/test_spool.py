"""Spool files: format, rotation, bound, torn lines."""

from __future__ import annotations

import json
import os
from pathlib import Path

from agent.config import load_settings
from agent.main import build_agent
from agent.scrape import iter_samples
from agent.spool import FILE_PATTERN, SpoolWriter, encode_record, read_spool, spool_file_name
from tests.agent.fakes import FakeSystem


class Clock:
    def __init__(self) -> None:
        self.now = 1700000000.0

    def __call__(self) -> float:
        self.now += 60
        return self.now


def test_record_format_carries_raw_counters_without_meta_series() -> None:
    agent = build_agent(load_settings([]), FakeSystem())
    line = encode_record(1700000000.25, "uuid-1", "vm-1", iter_samples(agent.collect()))
    agent.close()
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    record = json.loads(line)
    assert record["v"] == 1
    assert record["ts"] == 1700000000.25
    assert (record["instance_uuid"], record["hostname"]) == ("uuid-1", "vm-1")
    assert ["node_cpu_seconds_total", {"cpu": "0", "mode": "idle"}, 113117.18000000001] in (
        record["samples"]
    )
    assert not any(s[0].startswith("node_scrape_") for s in record["samples"])


def test_file_names_are_utc_timestamps() -> None:
    assert spool_file_name(1700000000) == "spool-20231114T221320Z.jsonl"
    assert FILE_PATTERN.match(spool_file_name(0))


def test_rotation_keeps_total_under_the_bound(tmp_path: Path) -> None:
    writer = SpoolWriter(str(tmp_path), max_bytes=8000, clock=Clock())
    line = encode_record(1.0, "u", "h", [("node_load1", {}, 0.5)] * 20)
    for _ in range(200):
        writer.append(line)
    files = writer.files()
    total = sum(os.path.getsize(tmp_path / n) for n in files)
    assert total <= 8000
    assert len(files) >= 2
    assert files[0] > "spool-20231114T221320Z.jsonl"  # the oldest files were deleted
    records = [r for n in files for r in read_spool((tmp_path / n).read_bytes().splitlines())]
    assert len(records) == total // len(line)


def test_torn_last_line_is_skipped_and_isolated(tmp_path: Path) -> None:
    writer = SpoolWriter(str(tmp_path), max_bytes=10**6, clock=Clock())
    good = encode_record(1.0, "u", "h", [("node_load1", {}, 0.5)])
    name = writer.append(good)
    with open(tmp_path / name, "ab") as handle:
        handle.write(good[: len(good) // 2])  # a crash mid-write
    writer.append(good)
    lines = (tmp_path / name).read_bytes().splitlines(keepends=True)
    assert len(lines) == 3
    assert [r["ts"] for r in read_spool(lines)] == [1.0, 1.0]


def test_read_spool_ignores_garbage_and_other_versions() -> None:
    lines = ['{"v":2,"samples":[]}', "", "{not json", '{"v":1,"ts":1,"samples":[]}\n']
    assert list(read_spool(lines)) == [{"v": 1, "ts": 1, "samples": []}]
