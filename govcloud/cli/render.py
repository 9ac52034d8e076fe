"""The one renderer: records + column specs -> table | json | csv | yaml on stdout, or any of
them and xlsx into an --output-file (cli/output_file.py; the workbook: adapters/listing_xlsx.py).

Machine formats use snake_case field names as keys; the table uses translated labels with units.
Text from the cloud (tenant-chosen names) is shown literally: control characters are escaped, so
no name can move the cursor or colour the terminal.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

from govcloud.core.errors import UsageError
from govcloud.core.spreadsheet import neutralise_formula
from govcloud.core.vocabulary import word, yes_no

if TYPE_CHECKING:
    from govcloud.cli.output_file import OutputFile

# C0/C1 controls, DEL, and bidi overrides that can disguise text in a terminal.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    return _UNSAFE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    unit: str | None = None
    # text | sentence (translated like messages) | int | float (<= 2 decimals) | dec (1 decimal)
    # | pct | money | bool | time
    kind: str = "text"
    long: bool = False  # shown in tables only with --long
    lang: str | None = None  # shown in tables by default only in this language
    words: str | None = None  # vocabulary table for the raw values (core/vocabulary.py)

    def label(self, lang: str) -> str:
        """The heading, with the unit in the reader's words (窗口 (天), not 窗口 (d))."""
        text = self.zh if lang == "zh" else self.en
        return f"{text} ({word('unit', self.unit, lang)})" if self.unit else text

    def text(self, value: Any, lang: str) -> str:
        """What a table shows: the vocabulary's word for a raw value (machine formats keep
        the value), else the value formatted for its kind."""
        if self.words is not None and isinstance(value, str):
            return escape_controls(word(self.words, value, lang))
        if self.kind == "sentence" and lang == "zh" and isinstance(value, str) and value:
            from govcloud.cli.messages import translate  # a finding, a reason: as errors are

            return escape_controls(translate(value, lang))
        return cell_text(value, self.kind, lang)


@dataclass(frozen=True)
class RenderOptions:
    output: str = "table"
    lang: str = "en"
    columns: tuple[str, ...] = ()  # -c/--column, in the order given
    long: bool = False
    bom: bool = False  # csv: a UTF-8 byte-order mark first, so that Excel reads Chinese
    sink: OutputFile | None = None  # --output-file: written there instead of stdout
    title: str = ""  # the command ("vm list"): the sheet's name under -o xlsx


def as_dict(record: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {name: getattr(record, name) for name in _field_names(type(record))}
    if isinstance(record, Mapping):
        return dict(record)
    raise TypeError(f"cannot render {type(record).__name__}")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    # dataclasses.fields() rebuilds its tuple on every call: too slow for 100,000 rows
    return tuple(f.name for f in dataclasses.fields(cls))


def choose_columns(columns: Sequence[Column], opts: RenderOptions, machine: bool) -> list[Column]:
    by_key = {c.key: c for c in columns}
    if opts.columns:
        unknown = [k for k in opts.columns if k not in by_key]
        if unknown:
            raise UsageError(f"unknown column {unknown[0]!r}", hint="columns: " + ", ".join(by_key))
        return [by_key[k] for k in opts.columns]
    if machine:
        return list(columns)
    return [
        c for c in columns if (opts.long or not c.long) and (c.lang is None or c.lang == opts.lang)
    ]


def _chosen(columns: Sequence[Column], opts: RenderOptions) -> list[Column]:
    if opts.output == "xlsx":  # read by people: every column, those of their language
        return choose_columns(columns, dataclasses.replace(opts, long=True), machine=False)
    return choose_columns(columns, opts, machine=opts.output != "table")


def render(
    records: Sequence[Any],
    columns: Sequence[Column],
    opts: RenderOptions,
    out: TextIO | None = None,
) -> None:
    chosen = _chosen(columns, opts)
    keys = [c.key for c in chosen]
    rows = [_pick(as_dict(r), keys) for r in records]
    if opts.output == "xlsx":
        _add_sheet(rows, chosen, opts)
        return
    with _target(opts, out) as out:
        _write_rows(rows, chosen, opts, out)


def _write_rows(
    rows: list[dict[str, Any]], chosen: list[Column], opts: RenderOptions, out: TextIO
) -> None:
    if opts.output == "json":
        _write_json_rows([_plain_row(r) for r in rows], out)
    elif opts.output == "yaml":
        _write_yaml([_plain_row(r) for r in rows], out)
    elif opts.output == "csv":
        _write_csv(rows, chosen, out, bom=opts.bom)
    else:
        _write_table(rows, chosen, opts.lang, out)


def render_one(
    record: Any, columns: Sequence[Column], opts: RenderOptions, out: TextIO | None = None
) -> None:
    """A single object: a field/value table for people, one object (not a list) for machines."""
    chosen = _chosen(columns, opts)
    data = as_dict(record)
    row = {c.key: data.get(c.key) for c in chosen}
    if opts.output == "xlsx":
        _add_sheet([row], chosen, opts)
        return
    with _target(opts, out) as out:
        _write_one(row, chosen, opts, out)


def _write_one(row: dict[str, Any], chosen: list[Column], opts: RenderOptions, out: TextIO) -> None:
    if opts.output == "json":
        out.write(json.dumps(_plain_row(row), ensure_ascii=False, indent=2) + "\n")
    elif opts.output == "yaml":
        _write_yaml(_plain_row(row), out)
    elif opts.output == "csv":
        _write_csv([row], chosen, out, bom=opts.bom)
    else:
        _write_fields(row, chosen, opts.lang, out)


@contextmanager
def _target(opts: RenderOptions, out: TextIO | None) -> Iterator[TextIO]:
    """OUT (stdout by default), or a buffer that becomes the --output-file."""
    if opts.sink is None:
        yield out or sys.stdout
        return
    buf = io.StringIO()
    yield buf
    opts.sink.add_text(buf.getvalue())


def _add_sheet(rows: list[dict[str, Any]], chosen: list[Column], opts: RenderOptions) -> None:
    if opts.sink is None:
        raise UsageError(
            "-o xlsx needs --output-file (a workbook on a terminal is unreadable)",
            hint="e.g. govcloud vm list -o xlsx --output-file vms.xlsx",
        )
    from govcloud.adapters.listing_xlsx import Sheet

    labels = [c.label(opts.lang) for c in chosen]
    cells = [[_sheet_value(row[c.key], c, opts.lang) for c in chosen] for row in rows]
    opts.sink.add_sheet(Sheet(opts.title or "govcloud", labels, [c.kind for c in chosen], cells))


def _sheet_value(value: Any, column: Column, lang: str) -> Any:
    """Scalars as they are (numbers stay numbers, times stay times), the vocabulary's word
    for a coded value, nested values as JSON text."""
    if column.words is not None and isinstance(value, str):
        return word(column.words, value, lang)
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float | date):
        return value  # bool is an int; datetime is a date
    return _csv_cell(value)


def _pick(data: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {k: data.get(k) for k in keys}


def _write_json_rows(rows: list[dict[str, Any]], out: TextIO) -> None:
    """Byte for byte `json.dumps(rows, ensure_ascii=False, indent=2)`, several times faster.

    With `indent`, the json module falls back to its pure-Python encoder; rows are flat, so
    scalars are encoded here directly and only nested values go through json.dumps.
    """
    if not rows:
        out.write("[]\n")
        return
    heads: dict[str, str] = {}
    parts = []
    for row in rows:
        if not row:
            parts.append("  {}")
            continue
        fields = []
        for k, v in row.items():
            head = heads.get(k)
            if head is None:
                head = heads[k] = f"    {_encode_str(k)}: "
            fields.append(head + _encode_value(v))
        parts.append("  {\n" + ",\n".join(fields) + "\n  }")
    out.write("[\n" + ",\n".join(parts) + "\n]\n")


_encode_str = json.encoder.encode_basestring  # the C version when available, as json.dumps


def _encode_value(v: Any) -> str:
    if isinstance(v, str):
        return _encode_str(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return int.__repr__(v)
    if type(v) is float and math.isfinite(v):
        return float.__repr__(v)
    # NaN, Infinity, nested lists and dicts: exactly as json.dumps writes them at depth 2
    return json.dumps(v, ensure_ascii=False, indent=2).replace("\n", "\n    ")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.items()}


def _write_yaml(data: Any, out: TextIO) -> None:
    import yaml

    out.write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def _write_csv(
    rows: list[dict[str, Any]], chosen: list[Column], out: TextIO, *, bom: bool = False
) -> None:
    """RFC 4180 with `\n` line ends. The csv module quotes only characters of the line
    terminator, so a name holding a bare `\r` would split its row for every reader: such
    rows are written fully quoted. Nested values are JSON, not Python reprs. CSV files are
    opened in spreadsheets: text that would start a formula (= + - @ tab CR LF) gets a `'`
    in front, as in report CSVs. BOM: Excel reads a file without one in the ANSI code page
    (GBK on Chinese Windows), turning Chinese into mojibake."""
    escape = out.isatty()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow([c.key for c in chosen])
    for row in rows:
        cells = [_csv_cell(row[c.key]) for c in chosen]
        if escape:
            writer.writerow([escape_controls(x) for x in cells])
        elif any("\r" in x for x in cells):
            quoted.writerow(cells)
        else:
            writer.writerow(cells)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    plain = _plain(value)
    if isinstance(plain, dict | list):
        return json.dumps(plain, ensure_ascii=False, default=_json_default)
    if isinstance(plain, str):
        return neutralise_formula(plain)
    return str(plain)


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return as_dict(value)
    plain = _plain(value)
    return plain if plain is not value else str(value)


def cell_text(value: Any, kind: str, lang: str = "en") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return yes_no(value, lang)
    if kind == "pct" and isinstance(value, int | float):
        return f"{value:.1f}%"
    if kind == "money" and isinstance(value, int | float):
        return f"{value:,.0f}"
    if isinstance(value, float):
        if kind != "float":
            return f"{value:,.1f}"
        # at most two decimals, no trailing zeros, thousands separated (never 1.66e+06)
        return f"{value:,.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return f"{value:,}" if kind != "id" else str(value)  # id: a process or record number
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return escape_controls(str(_plain(value)))


# Tables are written here, not by rich: laying out 1,727 VMs took rich 0.5 s of a command that
# should answer in 0.4 (docs/benchmarks.md); this is one pass to measure and one to write.
_BOLD, _RED, _YELLOW, _DIM, _RESET = "\x1b[1m", "\x1b[1;31m", "\x1b[33m", "\x1b[2m", "\x1b[0m"


def pct_style(value: Any) -> str:
    """The terminal colour of a percentage, by Skyline's thresholds: >= 90% full (爆满) in red,
    >= 80% danger (危险) in yellow; "" below."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    if value >= 90:
        return _RED
    return _YELLOW if value >= 80 else ""


def display_width(text: str) -> int:
    """Terminal columns TEXT takes: CJK (wide and fullwidth) characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def _write_table(rows: list[dict[str, Any]], chosen: list[Column], lang: str, out: TextIO) -> None:
    color = out.isatty()
    header = [c.label(lang) for c in chosen]
    cells = [[c.text(row[c.key], lang) for c in chosen] for row in rows]
    widths = [display_width(h) for h in header]
    for line in cells:
        for i, text in enumerate(line):
            w = display_width(text)
            if w > widths[i]:
                widths[i] = w
    right = [c.kind in ("int", "float", "dec", "pct", "money") for c in chosen]
    last = len(chosen) - 1
    styled = [i for i, c in enumerate(chosen) if c.kind == "pct"] if color else []

    def padded(texts: list[str]) -> list[str]:
        return [
            _pad(t, widths[i], right[i]) if i < last or right[i] else t for i, t in enumerate(texts)
        ]

    head = "  ".join(padded(header))
    out.write(f"{_BOLD}{head}{_RESET}\n" if color else head + "\n")
    for row, line in zip(rows, cells, strict=True):
        texts = padded(line)
        for i in styled:  # on a terminal: 80 % and over in yellow, 90 % and over in red
            style = pct_style(row[chosen[i].key])
            if style:
                texts[i] = f"{style}{texts[i]}{_RESET}"
        out.write("  ".join(texts) + "\n")
    if not rows:
        empty = "(no rows)" if lang == "en" else "(无记录)"
        out.write(f"{_DIM}{empty}{_RESET}\n" if color else empty + "\n")


def _write_fields(row: dict[str, Any], chosen: list[Column], lang: str, out: TextIO) -> None:
    color = out.isatty()
    labels = [c.label(lang) for c in chosen]
    width = max((display_width(label) for label in labels), default=0)
    for c, label in zip(chosen, labels, strict=True):
        value = row[c.key]
        text = c.text(value, lang)
        style = pct_style(value) if c.kind == "pct" else ""
        if color:
            label = f"{_BOLD}{_pad(label, width, False)}{_RESET}"
            text = f"{style}{text}{_RESET}" if style else text
            out.write(f"{label}  {text}\n")
        else:
            out.write(f"{_pad(label, width, False)}  {text}".rstrip() + "\n")
