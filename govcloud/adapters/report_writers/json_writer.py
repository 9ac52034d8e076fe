"""JSON: the same headline and tables as the HTML page, with snake_case machine keys.

Values are raw (numbers as numbers, None as null, tenant text exactly as stored: JSON's own
escaping keeps it inert); bilingual labels are resolved to the report language.
"""

from __future__ import annotations

import json
from typing import Any

from govcloud.adapters.report_writers import Rendered, file_stem, plain
from govcloud.core.report_model import Chart, Report, Table


def document(report: Report, lang: str) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "title": report.title.get(lang),
        "lang": lang,
        "generated_at": report.generated_at.isoformat(),
        "window_days": report.window_days,
        "department": report.department,
        "headline": report.headline,
        "figures": [
            {"key": f.key, "label": f.label.get(lang), "value": f.value, "unit": f.unit}
            for f in report.figures
        ],
        "sections": [
            {
                "key": s.key,
                "title": s.title.get(lang),
                "notes": [n.get(lang) for n in s.notes],
                "tables": [_table(t, lang) for t in s.tables],
                "charts": [_chart(c, lang) for c in s.charts],
            }
            for s in report.sections
        ],
    }


def _table(t: Table, lang: str) -> dict[str, Any]:
    return {
        "key": t.key,
        "title": t.title.get(lang),
        "columns": [
            {"key": c.key, "label": c.label(lang), "unit": c.unit, "kind": c.kind}
            for c in t.columns
        ],
        "rows": [{c.key: plain(row.get(c.key), lang) for c in t.columns} for row in t.rows],
    }


def _chart(c: Chart, lang: str) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "title": c.title.get(lang),
        "unit": c.unit,
        "categories": list(c.categories),
        "labels": list(c.category_labels(lang)),
        "series": [{"name": s.name.get(lang), "values": list(s.values)} for s in c.series],
    }


def render(report: Report, lang: str) -> list[Rendered]:
    text = json.dumps(document(report, lang), ensure_ascii=False, indent=2, allow_nan=False)
    return [Rendered(f"{file_stem(report)}.json", (text + "\n").encode())]
