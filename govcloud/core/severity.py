"""Severities shared by quota checks and audit findings, with `--fail-on` parsing."""

from __future__ import annotations

from enum import StrEnum

from govcloud.core.errors import UsageError
from govcloud.core.vocabulary import SEVERITY


class Severity(StrEnum):
    OK = "ok"
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def zh(self) -> str:
        return SEVERITY[self.value].zh


_RANKS = {s: i for i, s in enumerate(Severity)}


def parse_severity(text: str) -> Severity:
    """`--fail-on high` (or the Chinese word) -> Severity; anything else is a usage error."""
    key = text.strip().lower()
    for s in Severity:
        if key in (s.value, s.zh):
            return s
    raise UsageError(
        f"unknown severity {text!r}",
        hint="use one of: " + ", ".join(s.value for s in Severity if s is not Severity.OK),
    )


def at_or_above_rank(severity: Severity, threshold: Severity) -> bool:
    return severity is not Severity.OK and severity.rank >= threshold.rank
