"""Fast text and OpenMetrics encoding of metric families, plus negotiation and gzip.

prometheus-client's own encoders re-escape and re-sort every label of every sample on every scrape;
that costs more than all our collectors together. This encoder renders each distinct label set
once and caches it. Negotiation is delegated to prometheus-client so it answers exactly the same
``Content-Type`` for a given ``Accept`` header.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable

from prometheus_client.core import Metric

_CACHE_LIMIT = 20000  # distinct label sets; cleared when exceeded so churn cannot grow memory
_TEXT_TYPES = {
    "counter": "counter",
    "gauge": "gauge",
    "info": "gauge",
    "stateset": "gauge",
    "histogram": "histogram",
    "gaugehistogram": "histogram",
    "summary": "summary",
    "unknown": "untyped",
}


def _escape_label_value(value: str) -> str:
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", r"\\").replace('"', r"\"").replace("\n", r"\n")
    return value


def format_value(value: float) -> str:
    """A sample value as both exposition formats accept it."""
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    return "+Inf" if value > 0 else "-Inf"


class Encoder:
    """Renders families; keeps caches of label strings and family headers between scrapes."""

    def __init__(self) -> None:
        self._labels: dict[tuple[tuple[str, str], ...], str] = {}
        self._headers: dict[tuple[str, str, str, bool], str] = {}

    def encode(self, families: Iterable[Metric], openmetrics: bool) -> bytes:
        if len(self._labels) > _CACHE_LIMIT:
            self._labels.clear()
        out: list[str] = []
        append = out.append
        labels_cache = self._labels
        for family in families:
            append(self._header(family, openmetrics))
            skip_created = family.name + "_created"
            for sample in family.samples:
                if sample.name == skip_created and not openmetrics:
                    continue
                if sample.labels:
                    key = tuple(sample.labels.items())
                    rendered = labels_cache.get(key)
                    if rendered is None:
                        rendered = (
                            "{"
                            + ",".join(f'{k}="{_escape_label_value(v)}"' for k, v in sorted(key))
                            + "}"
                        )
                        labels_cache[key] = rendered
                    append(f"{sample.name}{rendered} {format_value(sample.value)}\n")
                else:
                    append(f"{sample.name} {format_value(sample.value)}\n")
        if openmetrics:
            append("# EOF\n")
        return "".join(out).encode()

    def _header(self, family: Metric, openmetrics: bool) -> str:
        key = (family.name, family.type, family.documentation, openmetrics)
        header = self._headers.get(key)
        if header is None:
            doc = family.documentation.replace("\\", r"\\").replace("\n", r"\n")
            if openmetrics:
                name, kind = family.name, family.type
                unit = f"# UNIT {name} {family.unit}\n" if family.unit else ""
            else:
                name = family.name + ("_total" if family.type == "counter" else "")
                name += "_info" if family.type == "info" else ""
                kind, unit = _TEXT_TYPES.get(family.type, "untyped"), ""
            header = f"# HELP {name} {doc}\n# TYPE {name} {kind}\n{unit}"
            self._headers[key] = header
        return header


_negotiated: dict[str, tuple[bool, str]] = {}


def negotiate(accept: str | None) -> tuple[bool, str]:
    """(use OpenMetrics?, Content-Type) for an Accept header, as prometheus-client decides."""
    accept = accept or ""
    found = _negotiated.get(accept)
    if found is None:
        from prometheus_client.exposition import choose_encoder

        content_type = choose_encoder(accept)[1]
        found = (content_type.startswith("application/openmetrics-text"), content_type)
        if len(_negotiated) < 64:  # scrapers send one fixed header; do not let clients grow it
            _negotiated[accept] = found
    return found


def gzip_accepted(accept_encoding: str | None) -> bool:
    for token in (accept_encoding or "").split(","):
        if token.split(";")[0].strip().lower() == "gzip":
            return True
    return False


def gzip_body(body: bytes) -> bytes:
    # Level 1: a 10-20 KiB exposition shrinks ~6x already; higher levels cost CPU on every scrape.
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()
