"""Report documents as data: what every writer (HTML, XLSX, Markdown, JSON, CSV) renders.

A `Report` is sections of tables and charts plus headline figures; labels are bilingual
(`Text`, `ReportColumn.zh/en`), values are plain numbers, strings or `Text`. Writers pick the
language; nothing here formats or escapes (that is each writer's job, for its own syntax).

The builders for each kind live in `govcloud.core.report_kinds`; `build_reports` picks one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from govcloud.core.audit_data import AuditData
from govcloud.core.findings import Finding, Text
from govcloud.core.recommendation import Recommendation
from govcloud.core.vocabulary import word

KINDS = ("capacity", "utilization", "rightsizing", "audit", "department")
CHART_KINDS = ("bar", "stacked_bar", "line")
COLUMN_KINDS = ("text", "int", "float", "pct", "money", "bool", "time")

NO_PRICE = Text("no price declared", "未声明单价")

Cell = str | int | float | bool | Text | None
Row = dict[str, Cell]


@dataclass(frozen=True)
class ReportColumn:
    key: str  # snake_case machine key (JSON, CSV header)
    zh: str
    en: str
    unit: str | None = None
    kind: str = "text"  # one of COLUMN_KINDS; money: None reads "no price declared"
    none: Text | None = None  # what an empty cell means for people (e.g. "unknown"); default –

    def label(self, lang: str) -> str:
        text = self.zh if lang == "zh" else self.en
        return f"{text} ({unit_text(self.unit, lang)})" if self.unit else text


@dataclass(frozen=True)
class Table:
    key: str  # snake_case; names the CSV file and the XLSX sheet
    title: Text
    columns: tuple[ReportColumn, ...]
    rows: tuple[Mapping[str, Cell], ...]
    note: Text | None = None
    flag: str | None = None  # a bool column: rows where it is true are highlighted (e.g. runs out)


@dataclass(frozen=True)
class Series:
    name: Text
    values: tuple[float | None, ...]  # one per chart category; None: no value


@dataclass(frozen=True)
class Chart:
    kind: str  # bar | stacked_bar | line
    title: Text
    categories: tuple[str, ...]  # x axis: pools, departments, or ISO dates for lines
    series: tuple[Series, ...]
    unit: str = ""
    labels: tuple[Text, ...] = ()  # bilingual names of the categories, when they are words

    def category_labels(self, lang: str) -> tuple[str, ...]:
        if len(self.labels) == len(self.categories):
            return tuple(t.get(lang) for t in self.labels)
        return self.categories


@dataclass(frozen=True)
class Section:
    key: str
    title: Text
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Figure:
    """One headline number, e.g. reclaimable vCPU; value None: not known."""

    key: str
    label: Text
    value: float | int | str | None
    unit: str = ""


@dataclass(frozen=True)
class Report:
    kind: str
    title: Text
    generated_at: datetime
    window_days: float
    sections: tuple[Section, ...]
    figures: tuple[Figure, ...] = ()
    department: str | None = None  # set on `department` reports
    notes: tuple[Text, ...] = field(default=())

    @property
    def headline(self) -> dict[str, float | int | str | None]:
        return {f.key: f.value for f in self.figures}

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


class FindingsDiff(Protocol):
    """What `audit diff` gives: findings new since, resolved since and persisting from the
    previous run (govcloud.core.audit_diff satisfies it)."""

    @property
    def new(self) -> Sequence[Finding]: ...

    @property
    def resolved(self) -> Sequence[Finding]: ...

    @property
    def persisting(self) -> Sequence[Finding]: ...


UNKNOWN = Text("unknown", "未知")


def unit_text(unit: str, lang: str) -> str:
    """A unit as people read it (`¥/year` is 元/年 in Chinese); JSON keeps the raw unit."""
    return word("unit", unit, lang)


def col(
    key: str,
    zh: str,
    en: str,
    unit: str | None = None,
    kind: str = "text",
    none: Text | None = None,
) -> ReportColumn:
    return ReportColumn(key, zh, en, unit, kind, none)


def num(value: Any, digits: int = 1) -> float | None:
    """A finite float rounded for a report; None for NaN, None or non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return round(f, digits) if math.isfinite(f) else None


def mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 1) if known else None


def cell_text(value: Cell, lang: str) -> str:
    """The plain text of a cell (no escaping, no number formatting)."""
    if isinstance(value, Text):
        return value.get(lang)
    if value is None:
        return ""
    return str(value)


def build_reports(
    kind: str,
    data: AuditData,
    findings: Sequence[Finding],
    recommendations: Sequence[Recommendation],
    *,
    diff: FindingsDiff | None = None,
    department: str | None = None,
) -> list[Report]:
    """The reports of KIND (one per department for `department`, or just DEPARTMENT's)."""
    from govcloud.core import report_kinds

    return report_kinds.build(
        kind, data, findings, recommendations, diff=diff, department=department
    )
