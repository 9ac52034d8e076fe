"""`-o xlsx`: the rows a command lists, as a workbook staff can sort, filter and sum in Excel.

One sheet per table the command renders, named after the command. The header is one bold,
frozen row of labels in the chosen language with their units, under an autofilter; columns are
sized to their content. Numbers stay numbers with a number format by kind: percentages keep
the value every other format gives (14.08 shows as 14.1%), money has two decimals, times are
Excel date-times. Text is always a string cell, never a formula: the cell rules and sheet
names are those of the report workbooks (adapters.report_writers.xlsx), shared rather than
repeated. openpyxl is imported with this module, which is imported only when xlsx is asked for.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

from govcloud.adapters.report_writers.xlsx import fit_widths, header_row, sheet_name, text_value

# A literal % after the value: the cell holds what json and csv say (14.08), not 0.1408.
NUMBER_FORMATS = {
    "int": "#,##0",
    "float": "#,##0.0#",
    "dec": "#,##0.0",
    "pct": '0.0"%"',
    "money": "#,##0.00",
}
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_CELL_CHARS = 32_767  # Excel's limit; a longer cell makes Excel "repair" the file


@dataclass(frozen=True)
class Sheet:
    title: str  # what the command is called ("vm list"): becomes the sheet's name
    labels: Sequence[str]  # the header: translated labels with their units
    kinds: Sequence[str]  # per column: text | int | float | dec | pct | money | bool | time
    rows: Sequence[Sequence[Any]]  # None, bool, int, float, str, date or datetime per cell


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file holding SHEETS, in order."""
    wb = Workbook()
    taken: set[str] = set()
    first = wb.active
    assert first is not None
    for n, sheet in enumerate(sheets):
        ws = first if n == 0 else wb.create_sheet()
        ws.title = sheet_name(sheet.title, taken)
        header_row(ws, list(sheet.labels))
        for r, row in enumerate(sheet.rows, start=2):
            for i, (value, kind) in enumerate(zip(row, sheet.kinds, strict=True), start=1):
                set_cell(ws.cell(row=r, column=i), value, kind)
        if sheet.labels:
            last = get_column_letter(len(sheet.labels))
            ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
        fit_widths(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def set_cell(cell: XlCell | MergedCell, value: Any, kind: str) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            cell.value = str(value)  # Excel has no NaN or infinity
            return
        cell.value = value
        if kind in NUMBER_FORMATS:
            cell.number_format = NUMBER_FORMATS[kind]
    elif isinstance(value, datetime):
        # Excel times have no zone: the wall-clock time the table shows, as the table shows it
        cell.value = value.replace(tzinfo=None)
        cell.number_format = TIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = text_value(str(value))[:MAX_CELL_CHARS]
        cell.data_type = "s"  # never a formula, whatever the text looks like
