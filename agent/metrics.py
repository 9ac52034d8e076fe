"""Metric families as the collectors build them, without prometheus-client.

prometheus-client's families cost ~85 ms of imports at start-up and a labels dict plus a
``Sample`` tuple per series per scrape. These keep each series as ``(label values, value)``; the
encoder renders label sets from a cache keyed by those values. ``samples`` still gives the
prometheus-client view (name, labels dict, value) for tests and the spool.
"""

from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple


class Sample(NamedTuple):
    name: str
    labels: Dict[str, str]
    value: float


class MetricFamily:
    """One family; every series has the name ``sample_name`` and the labels ``label_names``."""

    __slots__ = ("documentation", "label_names", "name", "sample_name", "series", "type", "unit")

    def __init__(
        self,
        name: str,
        documentation: str,
        kind: str,
        label_names: Sequence[str] = (),
        unit: str = "",
    ) -> None:
        if kind == "counter" and name.endswith("_total"):
            name = name[:-6]  # as prometheus-client: the family is "x", its series "x_total"
        self.name = name
        self.documentation = documentation
        self.type = kind
        self.unit = unit
        self.sample_name = name + "_total" if kind == "counter" else name
        self.label_names = tuple(label_names)
        self.series: List[Tuple[Tuple[str, ...], float]] = []

    def add_metric(self, label_values: Sequence[str], value: float) -> None:
        self.series.append((tuple(label_values), value))

    def set_value(self, value: float) -> None:
        """Replace the series of an unlabelled family (families reused between scrapes)."""
        self.series = [((), value)]

    @property
    def samples(self) -> List[Sample]:
        names, name = self.label_names, self.sample_name
        return [Sample(name, dict(zip(names, lv)), v) for lv, v in self.series]


def gauge(
    name: str, documentation: str, labels: Sequence[str] = (), value: Optional[float] = None
) -> MetricFamily:
    family = MetricFamily(name, documentation, "gauge", labels)
    if value is not None:
        family.series.append(((), value))
    return family


def counter(
    name: str, documentation: str, labels: Sequence[str] = (), value: Optional[float] = None
) -> MetricFamily:
    family = MetricFamily(name, documentation, "counter", labels)
    if value is not None:
        family.series.append(((), value))
    return family


def from_client_metric(metric: object) -> List[MetricFamily]:
    """prometheus-client families (``--collector.process``) as ours, one per sample name and
    label-name set; exemplars and timestamps are dropped (those collectors have none)."""
    out: Dict[Tuple[str, Tuple[str, ...]], MetricFamily] = {}
    for sample in getattr(metric, "samples", ()):
        if sample.name.endswith("_created"):
            continue  # text format has no _created; OpenMetrics clients do not need it
        names = tuple(sample.labels)
        family = out.get((sample.name, names))
        if family is None:
            family = MetricFamily(
                getattr(metric, "name", sample.name),
                getattr(metric, "documentation", ""),
                getattr(metric, "type", "unknown"),
                names,
                getattr(metric, "unit", ""),
            )
            family.sample_name = sample.name
            out[(sample.name, names)] = family
        family.series.append((tuple(sample.labels.values()), float(sample.value)))
    return list(out.values())
