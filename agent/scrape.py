"""Run the enabled collectors for one scrape and add node_exporter's per-collector meta series."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator

from prometheus_client.core import CollectorRegistry, GaugeMetricFamily, Metric

from agent.collectors.base import Collector
from agent.system import System

log = logging.getLogger("govcloud_agent")


class AgentCollector:
    """A prometheus-client custom collector wrapping our collectors.

    Scrapes are serialised: collectors keep small state (stuck mounts, cached identity) and a
    second concurrent scrape would only return the same numbers at twice the CPU.
    """

    def __init__(self, collectors: list[Collector], system: System) -> None:
        self.collectors = collectors
        self.system = system
        self._lock = threading.Lock()
        self._failing: set[str] = set()

    def describe(self) -> list[Metric]:
        # Empty on purpose: otherwise registering would run a whole scrape to learn the names.
        return []

    def collect(self) -> list[Metric]:
        with self._lock:
            return self._collect_locked()

    def _collect_locked(self) -> list[Metric]:
        system = self.system
        families: list[Metric] = []
        duration = GaugeMetricFamily(
            "node_scrape_collector_duration_seconds",
            "Duration of a collector scrape.",
            labels=("collector",),
        )
        success = GaugeMetricFamily(
            "node_scrape_collector_success",
            "Whether a collector succeeded.",
            labels=("collector",),
        )
        for collector in self.collectors:
            start = system.monotonic()
            ok = self._run(collector, families)
            duration.add_metric((collector.name,), system.monotonic() - start)
            success.add_metric((collector.name,), 1.0 if ok else 0.0)
        families.append(duration)
        families.append(success)
        return families

    def _run(self, collector: Collector, families: list[Metric]) -> bool:
        try:
            families.extend(collector.collect(self.system))
        except Exception as exc:  # a broken collector must never fail the scrape
            if collector.name not in self._failing:  # log transitions, not every scrape
                log.warning("collector %s failed: %s: %s", collector.name, type(exc).__name__, exc)
                self._failing.add(collector.name)
            return False
        if collector.name in self._failing:
            log.warning("collector %s recovered", collector.name)
            self._failing.discard(collector.name)
        return True

    def close(self) -> None:
        for collector in self.collectors:
            collector.close()


def build_registry(agent: AgentCollector, process_metrics: bool) -> CollectorRegistry:
    """The agent's own registry: no default process/platform/gc collectors unless asked."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(agent)
    if process_metrics:
        from prometheus_client import GCCollector, PlatformCollector, ProcessCollector

        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
    return registry


_META_PREFIXES = ("node_scrape_collector_", "govcloud_agent_info")


def iter_samples(families: Iterable[Metric]) -> Iterator[tuple[str, dict[str, str], float]]:
    """(name, labels, raw value) of every sample, without scrape meta series (for the spool)."""
    for family in families:
        if family.name.startswith(_META_PREFIXES):
            continue
        for sample in family.samples:
            yield sample.name, sample.labels, sample.value
