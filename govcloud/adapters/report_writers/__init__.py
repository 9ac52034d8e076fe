"""Report writers, one module per format: html, xlsx, markdown (md), json, csv.

Each writer's `render(report, lang) -> list[Rendered]` builds file contents in memory; `write`
renders every requested format first and only then writes, each file atomically and 0600 from
creation (`adapters.files.write_private`: reports name departments, systems and costs; share
one by copying it, not by leaving it readable to every local user), so an error leaves no
half-written report. File names are built here, never taken from tenants:
a department code is reduced to letters, digits, `-` and `_`, and every path is checked to
stay inside the output folder.

Tenant-chosen text (VM, department names) is data: each writer escapes it for its own syntax,
terminal/bidi control characters are shown as visible escapes, and spreadsheet cells that
would start a formula are prefixed with `'`.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from govcloud.adapters.files import write_private
from govcloud.core.errors import UsageError
from govcloud.core.findings import Text
from govcloud.core.report_model import NO_PRICE, Cell, Report, ReportColumn, unit_text
from govcloud.core.spreadsheet import neutralise_formula as neutralise_formula

FORMATS = ("html", "xlsx", "md", "json", "csv")

# C0/C1 controls, DEL, and bidi overrides/isolates that can disguise text.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAME_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)


@dataclass(frozen=True)
class Rendered:
    name: str  # a file name (no folder part), built by `file_stem`
    data: bytes


def visible_controls(text: str) -> str:
    """Control and bidi-override characters as visible escapes (\\x1b, \\u202e)."""
    return _UNSAFE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def safe_name_part(text: str, limit: int = 60) -> str:
    """A file-name component from untrusted text: no separators, dots, NUL or controls."""
    cleaned = _NAME_UNSAFE.sub("_", text).strip("_")[:limit]
    return cleaned or "unnamed"


def file_stem(report: Report) -> str:
    stem = f"{report.kind}-{report.generated_at:%Y%m%d}"
    if report.department:
        stem += "-" + safe_name_part(report.department)
    return stem


def plain(value: Cell, lang: str) -> str | int | float | bool | None:
    """A cell as a JSON-able value in LANG; NaN/inf become None."""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def display(value: Cell, column: ReportColumn, lang: str) -> str:
    """A cell as people read it (numbers grouped, percentages, money, "no price declared",
    the column's own word for an empty cell such as "unknown")."""
    v = plain(value, lang)
    if v is None and column.none is not None:
        return column.none.get(lang)
    if v is None or v == "":
        return NO_PRICE.get(lang) if column.kind == "money" and v is None else "–"
    if isinstance(v, bool):
        return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    if isinstance(v, int | float) and column.kind == "pct":
        return f"{v:.1f}%"
    if isinstance(v, int | float) and column.kind == "money":
        return f"¥{v:,.2f}"
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return visible_controls(str(v))


def figure_text(value: float | int | str | None, unit: str, lang: str) -> str:
    if value is None:
        return NO_PRICE.get(lang) if unit.startswith("¥") else "–"
    if isinstance(value, float):
        text = f"{value:,.2f}" if unit.startswith("¥") else f"{value:,.1f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = visible_controls(value)
    return f"{text} {unit_text(unit, lang)}".strip()


def _writers() -> dict[str, Callable[[Report, str], list[Rendered]]]:
    from govcloud.adapters.report_writers import csv_writer, html, json_writer, markdown, xlsx

    return {
        "html": html.render,
        "xlsx": xlsx.render,
        "md": markdown.render,
        "json": json_writer.render,
        "csv": csv_writer.render,
    }


def parse_formats(formats: Sequence[str]) -> list[str]:
    chosen: list[str] = []
    for item in formats:
        for f in item.split(","):
            key = {"markdown": "md"}.get(f.strip().lower(), f.strip().lower())
            if not key:
                continue
            if key not in FORMATS:
                raise UsageError(
                    f"unknown report format {f!r}", hint="formats: " + ", ".join(FORMATS)
                )
            if key not in chosen:
                chosen.append(key)
    if not chosen:
        raise UsageError("no report format given", hint="formats: " + ", ".join(FORMATS))
    return chosen


def render_all(reports: Sequence[Report], formats: Sequence[str], lang: str) -> list[Rendered]:
    writers = _writers()
    out: list[Rendered] = []
    for report in reports:
        for fmt in parse_formats(formats):
            out.extend(writers[fmt](report, lang))
    names = [r.name for r in out]
    if len(set(names)) != len(names):  # two departments whose codes sanitise alike
        raise UsageError("two reports would share a file name", hint="department codes must differ")
    return out


def output_dir(path: Path) -> Path:
    """The output folder, created if needed; refuses NUL and non-folders."""
    if "\x00" in str(path):
        raise UsageError("output folder name contains a NUL character")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(f"cannot create output folder {path}: {exc.strerror}") from None
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder")
    return path.resolve()


def confined(folder: Path, name: str) -> Path:
    """FOLDER/NAME, refused unless it is a plain file name that stays inside FOLDER."""
    if not name or "\x00" in name or "/" in name or "\\" in name or name in (".", ".."):
        raise UsageError(f"refusing report file name {visible_controls(name)!r}")
    target = (folder / name).resolve()
    if target.parent != folder:
        raise UsageError(f"refusing report path outside {folder}: {visible_controls(name)!r}")
    return target


def write(
    reports: Sequence[Report], formats: Sequence[str], out_dir: Path, lang: str
) -> list[Path]:
    """Render everything, then write each file atomically; on error remove what this call wrote."""
    rendered = render_all(reports, formats, lang)
    folder = output_dir(out_dir)
    targets = [confined(folder, r.name) for r in rendered]
    written: list[Path] = []
    try:
        for target, item in zip(targets, rendered, strict=True):
            write_private(target, item.data)
            written.append(target)
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return written
