from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest

from govcloud.cli.argv import hoist_global_options
from govcloud.cli.render import Column, RenderOptions, escape_controls, render
from govcloud.core.errors import UsageError


@dataclass(frozen=True)
class Row:
    name: str
    vcpu_pct: float | None
    note: str


COLS = (Column("name", "名称", "Name"), Column("vcpu_pct", "使用率", "Use", kind="pct"),
        Column("note", "备注", "Note", long=True))  # fmt: skip
ROWS = [Row("a", 95.0, "x"), Row("b", None, "y")]


def _out(opts: RenderOptions) -> str:
    buf = io.StringIO()
    render(ROWS, COLS, opts, buf)
    return buf.getvalue()


def test_json_uses_field_names_and_all_columns() -> None:
    data = json.loads(_out(RenderOptions("json")))
    assert data == [{"name": "a", "vcpu_pct": 95.0, "note": "x"},
                    {"name": "b", "vcpu_pct": None, "note": "y"}]  # fmt: skip


def test_table_uses_translated_labels_and_hides_long_columns() -> None:
    zh = _out(RenderOptions("table", "zh"))
    assert zh.splitlines()[0].split() == ["名称", "使用率"]
    assert "95.0%" in zh
    assert "-" in zh.splitlines()[2]
    assert "备注" in _out(RenderOptions("table", "zh", long=True))


def test_column_selection_keeps_order_and_rejects_unknown() -> None:
    assert _out(RenderOptions("csv", columns=("note", "name"))).splitlines()[:2] == [
        "note,name",
        "x,a",
    ]
    with pytest.raises(UsageError):
        _out(RenderOptions("csv", columns=("nope",)))


def test_yaml() -> None:
    assert _out(RenderOptions("yaml")).startswith("- name: a\n  vcpu_pct: 95.0\n")


def test_escape_controls() -> None:
    assert escape_controls("a\x1b[2Jb\u202e\x07") == "a\\x1b[2Jb\\u202e\\x07"
    assert escape_controls("卫健委 [bold]") == "卫健委 [bold]"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["pool", "list", "-o", "json"], ["-o", "json", "pool", "list"]),
        (
            ["vm", "list", "--lang=zh", "--tenant", "x"],
            ["--lang=zh", "vm", "list", "--tenant", "x"],
        ),
        (["vm", "show", "-ojson", "-v", "n"], ["-ojson", "-v", "vm", "show", "n"]),
        (["vm", "show", "--", "-o"], ["vm", "show", "--", "-o"]),
    ],
)
def test_global_options_may_follow_the_command(argv: list[str], expected: list[str]) -> None:
    assert hoist_global_options(argv) == expected
