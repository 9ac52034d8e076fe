"""CSV: one file per table, header = machine keys, UTF-8 with a BOM (Excel needs it to read
Chinese) unless asked otherwise. Cells that would start a formula are prefixed with `'`, and
control characters are shown as visible escapes, since CSV files are opened in spreadsheets."""

from __future__ import annotations

import csv
import io

from govcloud.adapters.report_writers import (
    Rendered,
    file_stem,
    neutralise_formula,
    plain,
    safe_name_part,
    visible_controls,
)
from govcloud.core.report_model import Cell, Report


def cell(value: Cell, lang: str) -> str:
    v = plain(value, lang)
    if v is None:
        return ""
    if isinstance(v, bool | int | float):
        return str(v)
    return neutralise_formula(visible_controls(v))


def render(report: Report, lang: str, *, bom: bool = True) -> list[Rendered]:
    out = []
    stem = file_stem(report)
    for table in report.tables():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([c.key for c in table.columns])
        for row in table.rows:
            writer.writerow([cell(row.get(c.key), lang) for c in table.columns])
        data = buf.getvalue().encode("utf-8-sig" if bom else "utf-8")
        out.append(Rendered(f"{stem}-{safe_name_part(table.key)}.csv", data))
    return out
