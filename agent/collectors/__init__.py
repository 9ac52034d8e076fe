"""Collectors, one per module; importing this package registers them all (node_exporter style)."""

from agent.collectors import (  # noqa: F401  (imported for their registration side effect)
    cpu,
    disk,
    filesystem,
    identity,
    load,
    memory,
    network,
    uptime,
)
from agent.collectors.base import COLLECTORS, Collector, register

__all__ = ["COLLECTORS", "Collector", "register"]
