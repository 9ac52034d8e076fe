"""The one renderer: records + column specs -> table | json | csv | yaml on stdout.

Machine formats use snake_case field names as keys; the table uses translated labels with units.
Text from the cloud (tenant-chosen names) is shown literally: control characters are escaped and
rich markup is never interpreted.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TextIO

from govcloud.core.errors import UsageError

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
    kind: str = "text"  # text | int | float | pct | money | bool | time
    long: bool = False  # shown in tables only with --long
    lang: str | None = None  # shown in tables by default only in this language

    def label(self, lang: str) -> str:
        text = self.zh if lang == "zh" else self.en
        return f"{text} ({self.unit})" if self.unit else text


@dataclass(frozen=True)
class RenderOptions:
    output: str = "table"
    lang: str = "en"
    columns: tuple[str, ...] = ()  # -c/--column, in the order given
    long: bool = False


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


def render(
    records: Sequence[Any],
    columns: Sequence[Column],
    opts: RenderOptions,
    out: TextIO | None = None,
) -> None:
    out = out or sys.stdout
    machine = opts.output != "table"
    chosen = choose_columns(columns, opts, machine)
    keys = [c.key for c in chosen]
    rows = [_pick(as_dict(r), keys) for r in records]
    if opts.output == "json":
        _write_json_rows([_plain_row(r) for r in rows], out)
    elif opts.output == "yaml":
        _write_yaml([_plain_row(r) for r in rows], out)
    elif opts.output == "csv":
        _write_csv(rows, chosen, out)
    else:
        _write_table(rows, chosen, opts.lang, out)


def render_one(
    record: Any, columns: Sequence[Column], opts: RenderOptions, out: TextIO | None = None
) -> None:
    """A single object: a field/value table for people, one object (not a list) for machines."""
    out = out or sys.stdout
    chosen = choose_columns(columns, opts, machine=opts.output != "table")
    data = as_dict(record)
    row = {c.key: data.get(c.key) for c in chosen}
    if opts.output == "json":
        out.write(json.dumps(_plain_row(row), ensure_ascii=False, indent=2) + "\n")
    elif opts.output == "yaml":
        _write_yaml(_plain_row(row), out)
    elif opts.output == "csv":
        _write_csv([row], chosen, out)
    else:
        _write_fields(row, chosen, opts.lang, out)


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


def _write_csv(rows: list[dict[str, Any]], chosen: list[Column], out: TextIO) -> None:
    """RFC 4180 with `\n` line ends. The csv module quotes only characters of the line
    terminator, so a name holding a bare `\r` would split its row for every reader: such
    rows are written fully quoted. Nested values are JSON, not Python reprs."""
    escape = out.isatty()
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
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
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
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return escape_controls(str(_plain(value)))


def pct_style(value: Any) -> str | None:
    """Skyline's thresholds: >= 90% full (爆满), >= 80% danger (危险)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if value >= 90:
        return "bold red"
    if value >= 80:
        return "yellow"
    return None


def _console(out: TextIO) -> Any:
    from rich.console import Console

    # Pipes and files get the whole table; a terminal gets its own width.
    width = None if out.isatty() else 10_000
    return Console(file=out, width=width, highlight=False, markup=False, emoji=False)


def _write_table(rows: list[dict[str, Any]], chosen: list[Column], lang: str, out: TextIO) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, pad_edge=False, header_style="bold", box=None)
    for c in chosen:
        numeric = c.kind in ("int", "float", "pct", "money")
        table.add_column(Text(c.label(lang)), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(
            *[
                Text(
                    cell_text(row[c.key], c.kind, lang),
                    style=(pct_style(row[c.key]) or "") if c.kind == "pct" else "",
                )
                for c in chosen
            ]
        )
    console = _console(out)
    console.print(table)
    if not rows:
        console.print(Text("(no rows)" if lang == "en" else "(无记录)", style="dim"))


def _write_fields(row: dict[str, Any], chosen: list[Column], lang: str, out: TextIO) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for c in chosen:
        value = row[c.key]
        style = pct_style(value) if c.kind == "pct" else ""
        table.add_row(Text(c.label(lang)), Text(cell_text(value, c.kind, lang), style=style or ""))
    _console(out).print(table)
