"""Markdown: headline, notes and tables, for wikis and tickets (charts are HTML-only).

Tenant text is escaped so it cannot open links, HTML or table cells: Markdown and HTML
punctuation is backslash-escaped or entity-encoded, and line breaks become spaces."""

from __future__ import annotations

import html
import re

from govcloud.adapters.report_writers import (
    Rendered,
    display,
    figure_text,
    file_stem,
    visible_controls,
)
from govcloud.core.report_model import Report, Table

MAX_MD_ROWS = 500
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def md_escape(text: str) -> str:
    flat = " ".join(visible_controls(text).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _table(t: Table, lang: str) -> list[str]:
    lines = [f"### {md_escape(t.title.get(lang))}", ""]
    if not t.rows:
        return [*lines, "(no rows)" if lang == "en" else "（无记录）", ""]
    lines.append("| " + " | ".join(md_escape(c.label(lang)) for c in t.columns) + " |")
    lines.append("|" + "|".join("---:" if c.kind != "text" else "---" for c in t.columns) + "|")
    for row in t.rows[:MAX_MD_ROWS]:
        cells = (md_escape(display(row.get(c.key), c, lang)) for c in t.columns)
        lines.append("| " + " | ".join(cells) + " |")
    if len(t.rows) > MAX_MD_ROWS:
        lines.append("")
        lines.append(
            f"Showing {MAX_MD_ROWS} of {len(t.rows):,} rows; the full list is in the XLSX/CSV/JSON."
            if lang == "en"
            else f"仅列出前 {MAX_MD_ROWS} 行，共 {len(t.rows):,} 行；完整列表见 XLSX/CSV/JSON。"
        )
    return [*lines, ""]


def render(report: Report, lang: str) -> list[Rendered]:
    when = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    window = f"{report.window_days:g}"
    lines = [f"# {md_escape(report.title.get(lang))}", ""]
    lines.append(
        f"Generated {when}, window {window} days."
        if lang == "en"
        else f"生成于 {when}，统计窗口 {window} 天。"
    )
    lines.append("")
    for f in report.figures:
        lines.append(
            f"- **{md_escape(f.label.get(lang))}**: {md_escape(figure_text(f.value, f.unit, lang))}"
        )
    lines.append("")
    for s in report.sections:
        lines += [f"## {md_escape(s.title.get(lang))}", ""]
        lines += [f"> {md_escape(n.get(lang))}" for n in s.notes]
        if s.notes:
            lines.append("")
        for t in s.tables:
            lines += _table(t, lang)
    return [Rendered(f"{file_stem(report)}.md", "\n".join(lines).encode())]
