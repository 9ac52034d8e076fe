"""CPU % and memory % from govcloud-agent agree with node_exporter's through a real Prometheus.

A 30 s version of ``benchmarks/agent_accuracy_vs_node_exporter.py`` (which documents the method);
run that script for the longer window recorded in docs/benchmarks-agent.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.agent_accuracy_vs_node_exporter import NODE_EXPORTER, measure
from tests.services.require import unavailable

TOLERANCE_POINTS = 0.5


def test_cpu_and_memory_percent_match_node_exporter(prometheus_bin: Path) -> None:
    node_exporter = shutil.which(NODE_EXPORTER) or shutil.which("prometheus-node-exporter")
    if node_exporter is None:
        unavailable("prometheus-node-exporter not found (Debian package prometheus-node-exporter)")
    rows = measure(30, 5, 256, str(prometheus_bin), node_exporter)
    assert set(rows) == {"cpu_pct p95", "cpu_pct max", "mem_pct p95", "mem_pct max"}
    for key, values in rows.items():
        assert 0.0 < values["node"] <= 100.0, (key, values)  # the load really showed up
        assert abs(values["agent"] - values["node"]) <= TOLERANCE_POINTS, (key, values)
