"""Fast text and OpenMetrics encoding of metric families, plus negotiation and gzip.

prometheus-client's own encoders re-escape and re-sort every label of every sample on every scrape;
that costs more than all our collectors together. This encoder renders each distinct series prefix
(``name{labels} ``) once and caches it by the family's label values. Content negotiation follows
prometheus-client 0.2x's ``choose_encoder`` (tests compare both), without importing it: that
import was half of the start-up time.
"""

import math
import zlib
from typing import Dict, Iterable, List, Optional, Tuple, Union

from agent.metrics import MetricFamily

_CACHE_LIMIT = 20000  # distinct series; cleared when exceeded so churn cannot grow memory
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
TEXT_0_0_4 = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS_1_0_0 = "application/openmetrics-text; version=1.0.0; charset=utf-8"
_ESCAPINGS = ("allow-utf-8", "underscores", "dots", "values")


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
    """Renders families; keeps caches of series prefixes and family headers between scrapes."""

    def __init__(self) -> None:
        self._prefixes: Dict[Tuple[str, Tuple[str, ...]], Dict[Tuple[str, ...], str]] = {}
        self._size = 0
        self._headers: Dict[Tuple[str, str, str, bool], str] = {}

    def encode(self, families: Iterable[MetricFamily], openmetrics: bool) -> bytes:
        if self._size > _CACHE_LIMIT:
            self._prefixes.clear()
            self._size = 0
        out: List[str] = []
        append = out.append
        for family in families:
            append(self._header(family, openmetrics))
            key = (family.sample_name, family.label_names)
            prefixes = self._prefixes.get(key)
            if prefixes is None:
                prefixes = self._prefixes[key] = {}
            for label_values, value in family.series:
                prefix = prefixes.get(label_values)
                if prefix is None:
                    prefix = prefixes[label_values] = _prefix(family, label_values)
                    self._size += 1
                # repr() is exact for floats; ints (counts) print without ".0" as before
                append(f"{prefix}{value!r}\n" if math.isfinite(value) else _special(prefix, value))
        if openmetrics:
            append("# EOF\n")
        return "".join(out).encode()

    def _header(self, family: MetricFamily, openmetrics: bool) -> str:
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


def _prefix(family: MetricFamily, label_values: Tuple[str, ...]) -> str:
    if not label_values:
        return family.sample_name + " "
    pairs = sorted(zip(family.label_names, label_values))
    labels = ",".join(f'{k}="{_escape_label_value(v)}"' for k, v in pairs)
    return f"{family.sample_name}{{{labels}}} "


def _special(prefix: str, value: float) -> str:
    return f"{prefix}{format_value(value)}\n"


def _param(tokens: List[str], name: str) -> str:
    for token in tokens:
        key, sep, value = token.strip().partition("=")
        if sep and key == name:
            return value
    return ""


def _version_at_least_1(version: str) -> bool:
    parsed: List[Union[int, str]] = []
    for part in version.split("."):
        try:
            parsed.append(int(part))
        except ValueError:
            parsed.append(part)
    try:
        return tuple(parsed) >= (1, 0, 0)
    except TypeError:  # "1.x": prometheus-client fails the scrape; we fall back to text 0.0.4
        return False


def _choose(accept: str) -> Tuple[bool, str]:
    for accepted in accept.split(","):
        tokens = accepted.split(";")
        media = tokens[0].strip()
        if media not in ("application/openmetrics-text", "text/plain"):
            continue
        version = _param(tokens, "version")
        escaping = _param(tokens, "escaping")
        escaping = escaping if escaping in _ESCAPINGS else "underscores"
        if media == "application/openmetrics-text" and not version:
            return True, OPENMETRICS_1_0_0
        if version and _version_at_least_1(version):
            if media == "text/plain":  # always announced as 1.0.0, whatever was asked
                return False, f"text/plain; version=1.0.0; charset=utf-8; escaping={escaping}"
            return True, f"{media}; version={version}; charset=utf-8; escaping={escaping}"
    return False, TEXT_0_0_4


_negotiated: Dict[str, Tuple[bool, str]] = {}


def negotiate(accept: Optional[str]) -> Tuple[bool, str]:
    """(use OpenMetrics?, Content-Type) for an Accept header, as prometheus-client decides."""
    accept = accept or ""
    found = _negotiated.get(accept)
    if found is None:
        found = _choose(accept)
        if len(_negotiated) < 64:  # scrapers send one fixed header; do not let clients grow it
            _negotiated[accept] = found
    return found


def gzip_accepted(accept_encoding: Optional[str]) -> bool:
    for token in (accept_encoding or "").split(","):
        if token.split(";")[0].strip().lower() == "gzip":
            return True
    return False


def gzip_body(body: bytes) -> bytes:
    # Level 1: a 10-20 KiB exposition shrinks ~6x already; higher levels cost CPU on every scrape.
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()
