"""Scrape behaviour on the fake system: failing and hanging collectors, collector flags, config."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

from agent.collectors.base import Collector
from agent.config import load_settings, parse_duration, parse_listen_address, parse_size
from agent.config_file import ConfigError
from agent.main import build_agent
from agent.options import CollectorOptions
from agent.scrape import AgentCollector
from agent.system import System
from tests.agent.fakes import FakeSystem
from tests.agent.test_golden import render


def values(agent: AgentCollector, name: str) -> dict[str, float]:
    out = {}
    for family in agent.collect():
        for s in family.samples:
            if s.name == name:
                out[",".join(s.labels.values())] = s.value
    return out


class Exploding(Collector):
    name = "exploding"

    def collect(self, system: System) -> list:  # type: ignore[type-arg]
        raise RuntimeError("boom")


def test_failing_collector_reports_success_zero_and_scrape_continues() -> None:
    system = FakeSystem()
    del system.proc["meminfo"]  # the memory collector now raises KeyError
    agent = build_agent(load_settings([]), system)
    agent.collectors.append(Exploding(CollectorOptions()))
    success = values(agent, "node_scrape_collector_success")
    assert success["memory"] == 0.0
    assert success["exploding"] == 0.0
    assert success["cpu"] == 1.0
    assert values(agent, "node_load1") == {"": 0.63}
    agent.close()


def test_hung_mount_is_reported_as_error_within_the_deadline_and_not_restatted() -> None:
    system = FakeSystem()
    release = threading.Event()
    system.hang["/mnt/nfs"] = release
    agent = build_agent(load_settings(["--collector.filesystem.stat-timeout", "300ms"]), system)
    try:
        start = time.monotonic()
        errors = values(agent, "node_filesystem_device_error")
        assert time.monotonic() - start < 1.0
        assert errors["nfs.example:/export,nfs4,/mnt/nfs"] == 1.0
        assert errors["/dev/vda1,ext4,/"] == 0.0
        start = time.monotonic()
        values(agent, "node_filesystem_device_error")  # stuck: skipped, no new wait
        assert time.monotonic() - start < 0.2
        assert system.statvfs_calls.count("/mnt/nfs") == 1
        release.set()
        time.sleep(0.05)
        sizes = values(agent, "node_filesystem_size_bytes")
        assert "nfs.example:/export,nfs4,/mnt/nfs" in sizes  # recovered once the call returned
    finally:
        release.set()
        agent.close()


def test_no_collector_flag_removes_its_series() -> None:
    text = render("text/plain", "--no-collector.memory", "--no-collector.filesystem")
    assert "node_memory_" not in text
    assert "node_filesystem_" not in text
    assert 'node_scrape_collector_success{collector="memory"}' not in text
    assert "node_cpu_seconds_total" in text


def test_process_collector_is_off_unless_asked() -> None:
    assert "process_" not in render()
    assert "python_gc" not in render()
    settings = load_settings(["--collector.process"])
    assert settings.process_metrics


def test_config_file_json_is_read_and_flags_win(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text(
        json.dumps(
            {
                "web.listen-address": "10.0.0.5:9109",
                "collector.cpu": False,
                "spool.interval": "2m",
                "spool.max-bytes": "1MiB",
            }
        )
    )
    settings = load_settings(["--config.file", str(path)])
    assert settings["web.listen-address"] == "10.0.0.5:9109"
    assert "cpu" not in settings.collectors
    assert settings["spool.interval"] == 120.0
    assert settings["spool.max-bytes"] == 1024**2
    settings = load_settings(
        ["--config.file", str(path), "--collector.cpu", "--web.listen-address", "127.0.0.1:1"]
    )
    assert "cpu" in settings.collectors
    assert settings["web.listen-address"] == "127.0.0.1:1"


def test_config_file_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text('{"web.listen_adress": "x"}')
    with pytest.raises(ConfigError, match="unknown keys"):
        load_settings(["--config.file", str(path)])


def test_yaml_config_without_pyyaml_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("collector.cpu: false\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes "import yaml" raise ImportError
    with pytest.raises(ConfigError, match="PyYAML is not installed"):
        load_settings(["--config.file", str(path)])


def test_yaml_config_with_pyyaml(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("collector.cpu: false\ninstance-uuid: ABC\n")
    settings = load_settings(["--config.file", str(path)])
    assert "cpu" not in settings.collectors
    assert settings.collector_options().instance_uuid == "ABC"


def test_default_listen_address_is_loopback_and_empty_host_is_refused() -> None:
    assert parse_listen_address(load_settings([])["web.listen-address"]) == ("127.0.0.1", 9109)
    assert parse_listen_address("[::1]:9109") == ("::1", 9109)
    assert parse_listen_address("0.0.0.0:9109") == ("0.0.0.0", 9109)  # explicit is allowed
    with pytest.raises(ConfigError, match="explicit host"):
        parse_listen_address(":9109")
    with pytest.raises(ConfigError, match="explicit host"):
        load_settings(["--web.listen-address", ":9109"])


def test_durations_and_sizes() -> None:
    assert parse_duration("500ms") == 0.5
    assert parse_duration("1h") == 3600.0
    assert parse_size("50MiB") == 50 * 1024**2
    assert parse_size("10MB") == 10_000_000
    with pytest.raises(ConfigError):
        parse_duration("soon")
    with pytest.raises(ConfigError):
        parse_size("lots")


def test_stat_in_worker_all_covers_hung_local_filesystems() -> None:
    system = FakeSystem()
    release = threading.Event()
    system.hang["/"] = release
    flags = [
        "--collector.filesystem.stat-timeout",
        "200ms",
        "--collector.filesystem.stat-in-worker",
        ".*",
    ]
    agent = build_agent(load_settings(flags), system)
    try:
        errors = values(agent, "node_filesystem_device_error")
        assert errors["/dev/vda1,ext4,/"] == 1.0
    finally:
        release.set()
        agent.close()
