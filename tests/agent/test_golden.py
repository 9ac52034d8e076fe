"""The whole /metrics exposition of a fixed fake system, against a golden file.

Regenerate after an intended change with ``GOVCLOUD_UPDATE_GOLDEN=1 pytest tests/agent``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from prometheus_client.core import CollectorRegistry, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.parser import text_string_to_metric_families

from agent.config import load_settings
from agent.encoder import negotiate
from agent.main import build_agent
from agent.scrape import Registry, build_registry
from agent.server import MetricsApp
from tests.agent.fakes import FakeSystem

GOLDEN = Path(__file__).parent / "golden" / "metrics.txt"
OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"


def render(accept: str = "text/plain; version=0.0.4", *flags: str) -> str:
    agent = build_agent(load_settings(list(flags)), FakeSystem())
    try:
        body, _, gzipped = MetricsApp(build_registry(agent, False)).render(accept, None)
    finally:
        agent.close()
    assert not gzipped
    return body.decode()


def test_exposition_matches_golden_file() -> None:
    text = render()
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "exposition changed; GOVCLOUD_UPDATE_GOLDEN=1 to accept"


class AsClientMetrics:
    """Our families as prometheus-client ``Metric`` objects, for its reference encoder."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def collect(self) -> list[Metric]:
        out = []
        for family in self.registry.collect():
            metric = Metric(family.name, family.documentation, family.type, family.unit)
            for sample in family.samples:
                metric.add_sample(sample.name, sample.labels, sample.value)
            out.append(metric)
        return out


def test_fast_encoder_means_the_same_as_prometheus_client() -> None:
    agent = build_agent(load_settings([]), FakeSystem())
    registry = build_registry(agent, False)
    ours = MetricsApp(registry).render(None, None)[0].decode()
    reference_registry = CollectorRegistry(auto_describe=False)
    reference_registry.register(AsClientMetrics(registry))  # type: ignore[arg-type]
    reference = generate_latest(reference_registry).decode()
    agent.close()

    def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        out = {}
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if not s.name.startswith("node_scrape_collector_duration"):
                    out[(s.name, tuple(sorted(s.labels.items())))] = s.value
        return out

    assert samples(ours) == samples(reference)
    assert len(samples(ours)) >= 90


def test_openmetrics_is_negotiated_and_terminated() -> None:
    text = render(OPENMETRICS)
    assert text.endswith("# EOF\n")
    assert "# TYPE node_cpu_seconds counter\n" in text
    assert 'node_cpu_seconds_total{cpu="0",mode="idle"} 113117.18' in text


def test_golden_has_the_design_series() -> None:
    text = GOLDEN.read_text()
    for needle in (
        'node_cpu_seconds_total{cpu="1",mode="user"} 11.23',
        "node_memory_MemTotal_bytes 8241446912.0",
        'node_filesystem_avail_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/"}',
        'node_disk_read_bytes_total{device="vda"} 2191037440',
        'node_network_receive_bytes_total{device="eth0"} 255607556',
        "node_load15 0.3",
        "node_boot_time_seconds 1700000000.0",
        'govcloud_agent_info{hostname="vm-test-01",'
        'instance_uuid="5a1c7d3e-0f8b-4c2a-9e61-2b7d4f0a9c11",os="kylin V10",version="0.1.0"} 1.0',
        'node_scrape_collector_success{collector="filesystem"} 1.0',
    ):
        assert needle in text


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",
        "text/plain",
        "text/plain; version=0.0.4",
        "text/plain;version=1.0.0;escaping=dots",
        "text/plain;version=1.2.0;escaping=bogus",
        "application/openmetrics-text",
        "application/openmetrics-text;version=0.0.1,text/plain;version=0.0.4;q=0.5",
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8",
        "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;"
        "version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
        "application/json, application/openmetrics-text ; version=2.0.0",
    ],
)
def test_negotiation_answers_what_prometheus_client_answers(accept: str | None) -> None:
    _, content_type = choose_encoder(accept)  # type: ignore[arg-type]
    openmetrics, ours = negotiate(accept)
    assert ours == content_type
    assert openmetrics == content_type.startswith("application/openmetrics-text")
