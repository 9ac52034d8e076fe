"""XLSX (openpyxl): a summary sheet, then one sheet per table.

Numbers stay numbers (so staff can sum and sort), header rows are frozen, columns are sized to
their content. Text is always a string cell: tenant text that would start a formula
(= + - @ tab CR LF) is prefixed with `'`, and control characters — which openpyxl refuses and
which could disguise a name — are shown as visible escapes. Sheet names are unique, at most
31 characters and free of the characters Excel forbids.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from govcloud.adapters.report_writers import (
    Rendered,
    file_stem,
    neutralise_formula,
    plain,
    visible_controls,
)
from govcloud.core.report_model import NO_PRICE, Cell, Report, ReportColumn, unit_text

MAX_SHEET_NAME = 31
MAX_WIDTH = 60
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
_BOLD = Font(bold=True)
_FLAG = PatternFill("solid", fgColor="FDE8E7")  # rows a table flags (a pool that runs out)
_NUMBER_FORMATS = {"int": "#,##0", "float": "#,##0.0", "pct": "0.0", "money": "#,##0.00"}


def sheet_name(wanted: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("_", visible_controls(wanted)).strip() or "Sheet"
    base = base[:MAX_SHEET_NAME]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def text_value(text: str) -> str:
    return neutralise_formula(visible_controls(text))


def _set(cell: XlCell | MergedCell, value: Cell, column: ReportColumn | None, lang: str) -> None:
    v = plain(value, lang)
    if v is None and column is not None and column.none is not None:
        cell.value = column.none.get(lang)  # e.g. "unknown": an empty cell would read as 0
    elif v is None and column is not None and column.kind == "money":
        cell.value = NO_PRICE.get(lang)
    elif isinstance(v, bool):
        cell.value = v
    elif isinstance(v, int | float):
        cell.value = v
        if column is not None and column.kind in _NUMBER_FORMATS:
            cell.number_format = _NUMBER_FORMATS[column.kind]
    elif v is not None:
        cell.value = text_value(v)
        cell.data_type = "s"  # never a formula, whatever the text looks like


def header_row(ws: Worksheet, labels: list[str]) -> None:
    """One bold, frozen header row (also used by `-o xlsx` listings: adapters.listing_xlsx)."""
    for i, label in enumerate(labels, start=1):
        c = ws.cell(row=1, column=i)
        c.value = text_value(label)
        c.font = _BOLD
    ws.freeze_panes = "A2"


def fit_widths(ws: Worksheet) -> None:
    """Columns as wide as their longest cell, CJK counted double, capped at MAX_WIDTH."""
    for i, column in enumerate(ws.iter_cols(), start=1):
        longest = max((_width(c.value) for c in column), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), MAX_WIDTH)


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    # CJK characters take about two columns
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _summary(ws: Worksheet, report: Report, lang: str) -> None:
    header_row(
        ws,
        [
            "指标" if lang == "zh" else "Figure",
            "值" if lang == "zh" else "Value",
            "单位" if lang == "zh" else "Unit",
        ],
    )
    for r, f in enumerate(report.figures, start=2):
        ws.cell(row=r, column=1).value = text_value(f.label.get(lang))
        value_col = ReportColumn(
            "value", "", "", kind="money" if f.unit.startswith("¥") else "float"
        )
        _set(ws.cell(row=r, column=2), f.value, value_col, lang)
        ws.cell(row=r, column=3).value = text_value(unit_text(f.unit, lang)) if f.unit else None
    row = len(report.figures) + 3
    for note in (n for s in report.sections for n in s.notes):
        ws.cell(row=row, column=1).value = text_value(note.get(lang))
        row += 1
    fit_widths(ws)


def render(report: Report, lang: str) -> list[Rendered]:
    wb = Workbook()
    taken: set[str] = set()
    summary = wb.active
    assert summary is not None
    summary.title = sheet_name(report.title.get(lang), taken)
    _summary(summary, report, lang)
    for table in report.tables():
        ws = wb.create_sheet(sheet_name(table.title.get(lang), taken))
        header_row(ws, [c.label(lang) for c in table.columns])
        for r, row in enumerate(table.rows, start=2):
            flagged = table.flag is not None and row.get(table.flag) is True
            for i, column in enumerate(table.columns, start=1):
                cell = ws.cell(row=r, column=i)
                _set(cell, row.get(column.key), column, lang)
                if flagged:
                    cell.fill = _FLAG
        fit_widths(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return [Rendered(f"{file_stem(report)}.xlsx", buf.getvalue())]
