"""Self-contained HTML: inline CSS and inline SVG charts, no script, no external URL, so the
page opens offline and from a mail attachment. Every text is HTML-escaped and control/bidi
characters are shown as visible escapes. Long tables show their first MAX_HTML_ROWS rows (the
builders sort the rows that matter first) and say where the full list is, so a report over
10,000 VMs still opens at once. Headline values carry `data-key` for tests and scrapers."""

from __future__ import annotations

from html import escape

from govcloud.adapters.report_writers import (
    Rendered,
    display,
    figure_text,
    file_stem,
    visible_controls,
)
from govcloud.adapters.report_writers.svg_charts import svg
from govcloud.core.report_model import Report, Section, Table

MAX_HTML_ROWS = 200

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",
sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:16px 0 6px} .meta{color:#666;font-size:13px}
.figures{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.figure{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:150px}
.figure .label{font-size:12px;color:#666} .figure .value{font-size:20px;font-weight:600}
table{border-collapse:collapse;font-size:12px;margin:4px 0 8px}
th,td{border:1px solid #ddd;padding:3px 6px;vertical-align:top}
th{background:#f3f5f8;text-align:left} td.num{text-align:right;white-space:nowrap}
td.none{color:#999} .note{color:#555;font-size:12px;margin:4px 0}
.truncated{color:#a15c00;font-size:12px} .wrap{overflow-x:auto}
svg.chart{display:block;margin:8px 0;font-size:11px}
figcaption{font-size:13px;font-weight:600;color:#333}
svg.chart text{fill:#333} svg.chart .grid{stroke:#e5e5e5}
tr.flag td{background:#fde8e7;color:#8a1c12;font-weight:600}
"""


def _t(text: str) -> str:
    return escape(visible_controls(text), quote=True)


def _table(t: Table, lang: str) -> str:
    head = "".join(f"<th>{_t(c.label(lang))}</th>" for c in t.columns)
    body = []
    for row in t.rows[:MAX_HTML_ROWS]:
        cells = []
        for c in t.columns:
            value = row.get(c.key)
            cls = "num" if c.kind != "text" else ""
            if value is None or value == "":
                cls += " none"
            cells.append(f'<td class="{cls.strip()}">{_t(display(value, c, lang))}</td>')
        flagged = t.flag is not None and row.get(t.flag) is True
        body.append(('<tr class="flag">' if flagged else "<tr>") + "".join(cells) + "</tr>")
    out = f'<h3>{_t(t.title.get(lang))}</h3><div class="wrap"><table data-table="{_t(t.key)}">'
    out += f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    if not t.rows:
        out += f'<p class="note">{"无记录" if lang == "zh" else "No rows."}</p>'
    if len(t.rows) > MAX_HTML_ROWS:
        shown, total = MAX_HTML_ROWS, len(t.rows)
        msg = (
            f"仅显示前 {shown} 行，共 {total:,} 行；完整列表见同名 XLSX、CSV 或 JSON 文件。"
            if lang == "zh"
            else f"Showing the first {shown} of {total:,} rows; the full list is in the XLSX, "
            "CSV or JSON file of this report."
        )
        out += f'<p class="truncated" data-truncated="{total}">{_t(msg)}</p>'
    return out


def _section(s: Section, lang: str) -> str:
    parts = [f'<section id="{_t(s.key)}"><h2>{_t(s.title.get(lang))}</h2>']
    parts += [f'<p class="note">{_t(n.get(lang))}</p>' for n in s.notes]
    for chart in s.charts:
        caption = f"<figcaption>{_t(chart.title.get(lang))}</figcaption>"
        parts.append(f"<figure>{caption}{svg(chart, lang)}</figure>")
    parts += [_table(t, lang) for t in s.tables]
    parts.append("</section>")
    return "".join(parts)


def _figures(report: Report, lang: str) -> str:
    items = [
        f'<div class="figure"><div class="label">{_t(f.label.get(lang))}</div>'
        f'<div class="value" data-key="{_t(f.key)}">{_t(figure_text(f.value, f.unit, lang))}'
        "</div></div>"
        for f in report.figures
    ]
    return '<div class="figures">' + "".join(items) + "</div>"


def page(report: Report, lang: str) -> str:
    title = _t(report.title.get(lang))
    when = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    window = f"{report.window_days:g}"
    meta = (
        f"生成于 {when} · 统计窗口 {window} 天"
        if lang == "zh"
        else f"Generated {when} · window {window} days"
    )
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}</style></head><body>"
        f'<h1>{title}</h1><p class="meta">{_t(meta)}</p>'
        + _figures(report, lang)
        + "".join(_section(s, lang) for s in report.sections)
        + "</body></html>\n"
    )


def render(report: Report, lang: str) -> list[Rendered]:
    return [Rendered(f"{file_stem(report)}.html", page(report, lang).encode())]
