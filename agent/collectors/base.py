"""Collector base class and the name -> class registry each collector module adds itself to."""

import abc
from typing import ClassVar, Dict, List, Type

from agent.metrics import MetricFamily
from agent.options import CollectorOptions
from agent.system import System

COLLECTORS: Dict[str, Type["Collector"]] = {}


class Collector(abc.ABC):
    """One source of metrics; ``collect`` may raise, the scrape reports success 0 for it."""

    name: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    help: ClassVar[str] = ""

    def __init__(self, options: CollectorOptions) -> None:
        self.options = options

    @abc.abstractmethod
    def collect(self, system: System) -> List[MetricFamily]:
        """Read the system and return metric families."""

    def close(self) -> None:  # noqa: B027  (optional hook, deliberately not abstract)
        """Release background resources; most collectors have none."""


def register(cls: Type[Collector]) -> Type[Collector]:
    """Class decorator: make a collector selectable by ``--collector.<name>``."""
    if cls.name in COLLECTORS:
        raise ValueError(f"collector {cls.name!r} registered twice")
    COLLECTORS[cls.name] = cls
    return cls
