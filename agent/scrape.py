"""Run the enabled collectors for one scrape and add node_exporter's per-collector meta series."""

import logging
import threading
from typing import Any, Dict, Iterable, Iterator, List, Set, Tuple

from agent.collectors.base import Collector
from agent.metrics import MetricFamily, from_client_metric, gauge
from agent.system import System

log = logging.getLogger("govcloud_agent")


class AgentCollector:
    """Runs our collectors for one scrape and adds the per-collector meta series.

    Scrapes are serialised: collectors keep small state (stuck mounts, cached identity) and a
    second concurrent scrape would only return the same numbers at twice the CPU.
    """

    def __init__(self, collectors: List[Collector], system: System) -> None:
        self.collectors = collectors
        self.system = system
        self._lock = threading.Lock()
        self._failing: Set[str] = set()

    def collect(self) -> List[MetricFamily]:
        with self._lock:
            return self._collect_locked()

    def _collect_locked(self) -> List[MetricFamily]:
        system = self.system
        families: List[MetricFamily] = []
        duration = gauge(
            "node_scrape_collector_duration_seconds",
            "Duration of a collector scrape.",
            labels=("collector",),
        )
        success = gauge(
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

    def _run(self, collector: Collector, families: List[MetricFamily]) -> bool:
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


class Registry:
    """What /metrics renders: the agent's families, plus prometheus-client's process, platform
    and GC collectors only with ``--collector.process`` (imported then, not at start-up)."""

    def __init__(self, agent: AgentCollector, process_metrics: bool) -> None:
        self.agent = agent
        self._extra: Any = None
        if process_metrics:
            from prometheus_client import (
                CollectorRegistry,
                GCCollector,
                PlatformCollector,
                ProcessCollector,
            )

            self._extra = CollectorRegistry(auto_describe=False)
            ProcessCollector(registry=self._extra)
            PlatformCollector(registry=self._extra)
            GCCollector(registry=self._extra)

    def collect(self) -> List[MetricFamily]:
        families = self.agent.collect()
        if self._extra is not None:
            for metric in self._extra.collect():
                families.extend(from_client_metric(metric))
        return families


def build_registry(agent: AgentCollector, process_metrics: bool) -> Registry:
    """The agent's own registry: no default process/platform/gc collectors unless asked."""
    return Registry(agent, process_metrics)


_META_PREFIXES = ("node_scrape_collector_", "govcloud_agent_info")


def iter_samples(families: Iterable[MetricFamily]) -> Iterator[Tuple[str, Dict[str, str], float]]:
    """(name, labels, raw value) of every sample, without scrape meta series (for the spool)."""
    for family in families:
        if family.name.startswith(_META_PREFIXES):
            continue
        names, name = family.label_names, family.sample_name
        for label_values, value in family.series:
            yield name, dict(zip(names, label_values)), value
