"""The psutil backend against the /proc collectors on this Linux host: same names, same labels,
same values within tolerance. Counters are bracketed: /proc read, psutil read, /proc read again,
and the psutil value must lie between the two /proc values (no timing assumption)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.collectors import COLLECTORS
from agent.collectors.portable import portable_collectors
from agent.config import load_settings
from agent.config_file import ConfigError
from agent.main import build_agent, resolve_backend
from agent.metrics import MetricFamily
from agent.options import CollectorOptions
from agent.system import ProcSystem
from tests.agent.conftest import REPO

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs Linux /proc")
OPTIONS = CollectorOptions()
SYSTEM = ProcSystem()
Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _series(families: list[MetricFamily]) -> Series:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples}


def _collect(name: str, portable: bool) -> Series:
    cls = portable_collectors()[name] if portable else COLLECTORS[name]
    collector = cls(OPTIONS)
    try:
        return _series(collector.collect(SYSTEM))
    finally:
        collector.close()


def _bracket(name: str) -> tuple[Series, Series, Series]:
    before = _collect(name, portable=False)
    middle = _collect(name, portable=True)
    after = _collect(name, portable=False)
    return before, middle, after


@pytest.mark.parametrize(
    ("collector", "slack"),
    [("cpu", 0.011), ("network", 0), ("disk", 0.001)],  # one clock tick; exact; one ms
)
def test_counters_lie_between_two_proc_readings(collector: str, slack: float) -> None:
    before, portable, after = _bracket(collector)
    assert portable, "psutil reported nothing"
    assert set(portable) <= set(after), sorted(set(portable) - set(after))[:5]
    for key, value in portable.items():
        if key[0] == "govcloud_cpus":
            assert value == after[key]
            continue
        assert before[key] - slack <= value <= after[key] + slack, key


def test_cpu_and_network_export_every_proc_series() -> None:
    for collector in ("cpu", "network"):
        assert set(_collect(collector, portable=True)) == set(_collect(collector, portable=False))


def test_memory_matches_meminfo() -> None:
    proc, portable = _collect("memory", portable=False), _collect("memory", portable=True)
    assert {k[0] for k in portable} >= {
        "node_memory_MemTotal_bytes",
        "node_memory_MemAvailable_bytes",
        "node_memory_SwapTotal_bytes",
    }
    for key, value in portable.items():
        assert key in proc, key
        if key[0].endswith(("Total_bytes", "Buffers_bytes")):
            assert value == proc[key], key
        else:  # free/available move while we read: within 5% of total memory
            total = proc[("node_memory_MemTotal_bytes", ())]
            assert abs(value - proc[key]) <= 0.05 * total, key


def test_filesystems_same_set_and_sizes() -> None:
    proc, portable = _collect("filesystem", portable=False), _collect("filesystem", portable=True)
    assert set(portable) == set(proc)
    for key, value in portable.items():
        if key[0] in ("node_filesystem_size_bytes", "node_filesystem_readonly"):
            assert value == proc[key], key
        elif key[0].endswith("_bytes"):  # free space moves with other writers: within 1%
            size = proc[("node_filesystem_size_bytes", key[1])]
            assert abs(value - proc[key]) <= 0.01 * size + 1, key


def test_load_and_uptime() -> None:
    proc, portable = _collect("load", portable=False), _collect("load", portable=True)
    assert set(portable) == set(proc)
    for key, value in portable.items():
        assert abs(value - proc[key]) <= 0.5, key  # load moves slowly; psutil reads the same file
    proc, portable = _collect("uptime", portable=False), _collect("uptime", portable=True)
    assert set(portable) == set(proc)
    boot = ("node_boot_time_seconds", ())
    assert abs(portable[boot] - proc[boot]) <= 1.0  # psutil's btime is the same /proc/stat line


def test_backend_flag_and_auto(tmp_path: Path) -> None:
    assert resolve_backend(load_settings([])) == "proc"
    assert resolve_backend(load_settings(["--path.procfs", str(tmp_path)])) == "psutil"
    assert resolve_backend(load_settings(["--collector.backend", "psutil"])) == "psutil"
    empty = ["--path.procfs", str(tmp_path), "--collector.backend", "proc"]
    assert resolve_backend(load_settings(empty)) == "proc"
    agent = build_agent(load_settings(["--collector.backend", "psutil"]), SYSTEM)
    try:
        kinds = {type(c).__name__ for c in agent.collectors}
        assert "PortableCpu" in kinds
        assert "IdentityCollector" in kinds
        assert all(f.name for f in agent.collect())
        success = _series(agent.collect())
        ok = {k[1]: v for k, v in success.items() if k[0] == "node_scrape_collector_success"}
        assert ok
        assert all(ok.values()), ok
    finally:
        agent.close()
    with pytest.raises(ConfigError, match=r"collector\.backend 'wmi'"):
        load_settings(["--collector.backend", "wmi"])


def test_default_linux_path_never_imports_psutil() -> None:
    code = (
        "import sys\n"
        "from agent.config import load_settings\n"
        "from agent.main import build_agent\n"
        "from agent.system import ProcSystem\n"
        "agent = build_agent(load_settings([]), ProcSystem())\n"
        "agent.collect()\n"
        "print('psutil' in sys.modules, 'agent.collectors.portable' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
