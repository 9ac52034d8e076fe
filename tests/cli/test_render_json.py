"""The hand-written JSON list writer of `render` against `json.dumps(indent=2)`, byte for byte."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from govcloud.cli.render import Column, RenderOptions, render

ROWS: list[list[dict[str, Any]]] = [
    [],
    [{}],
    [{"a": 1}, {"b": 2}],
    [
        {
            "text": 'x\n"é\u2028\x1b[31m告警',
            "none": None,
            "yes": True,
            "no": False,
            "int": -(10**30),
            "float": 1.5,
            "neg_zero": -0.0,
            "nan": float("nan"),
            "inf": float("-inf"),
            "empty_list": [],
            "empty_dict": {},
            "nested": {"x": [1, {"y": ["z", None]}]},
        }
    ],
]


@pytest.mark.parametrize("rows", ROWS)
def test_json_rows_are_what_json_dumps_writes(rows: list[dict[str, Any]]) -> None:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    columns = [Column(k, k, k) for k in keys]
    out = io.StringIO()
    render(rows, columns, RenderOptions(output="json"), out)
    expected = [{k: r.get(k) for k in keys} for r in rows]
    assert out.getvalue() == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def test_records_render_their_plain_values() -> None:
    when = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    out = io.StringIO()
    columns = [Column("at", "", ""), Column("ips", "", "")]
    render([{"at": when, "ips": ("10.0.0.1", "fd00::1")}], columns, RenderOptions("json"), out)
    expected = [{"at": when.isoformat(), "ips": ["10.0.0.1", "fd00::1"]}]
    assert out.getvalue() == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
