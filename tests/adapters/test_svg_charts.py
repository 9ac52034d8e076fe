"""Chart category labels: the audit chart names checks in the reader's words, and the x-axis
layout never lets two neighbouring labels touch (flat, turned 45° or 90°), read back from the
SVG itself with the widths the layout reserves."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from html import unescape

import pytest

from govcloud.adapters.report_writers import svg_charts as sc
from govcloud.core.findings import Text
from govcloud.core.report_model import Chart, Series, build_reports
from govcloud.core.vocabulary import CHECK
from tests.core.report_fixtures import estate, findings

_LABEL = re.compile(
    r'<text class="x-label" x="([\d.]+)" y="([\d.]+)" text-anchor="(?:middle|end)"'
    r'(?: transform="rotate\(-(\d+) [\d.]+ [\d.]+\)")?>(?:<title>[^<]*</title>)?([^<]*)</text>'
)
_HEIGHT = re.compile(r'<svg class="chart" width="\d+" height="(\d+)"')

# long English department names, as the migration report's adoption chart shows them
NAMES = (
    "Communist Youth League Committee", "Finance Bureau", "Housing Provident Fund Centre",
    "Customs", "Development and Reform Commission", "Public Security Bureau",
    "Emergency Medical Centre", "Postal Administration", "Water Group", "Municipal Museum",
    "Healthcare Security Administration", "Urban Management Bureau", "Local Chronicles Office",
    "Metro Group", "Earthquake Administration",
)  # fmt: skip
FAMILIES = {
    "check codes": tuple(CHECK),
    "check words": tuple(w.zh for w in CHECK.values()),
    "department names": NAMES,
    "mixed": ("zw-prod", "电子政务外网核心资源池", "hlw", "Disaster recovery zone (test)") * 4,
}


@dataclass(frozen=True)
class Drawn:
    x: float
    y: float
    angle: int
    text: str

    @property
    def width(self) -> float:
        return sc.label_width(self.text)


def _labels(svg: str) -> list[Drawn]:
    return [
        Drawn(float(x), float(y), int(angle or 0), unescape(text))
        for x, y, angle, text in _LABEL.findall(svg)
    ]


def _shows(d: Drawn, full: str) -> bool:
    """D is FULL, or its start cut with "…"."""
    return d.text == full or (d.text.endswith("…") and full.startswith(d.text[:-1]))


def _chart(kind: str, labels: tuple[str, ...]) -> Chart:
    values = tuple(float(i + 1) for i in range(len(labels)))
    return Chart(
        kind,
        Text("t", "t"),
        tuple(f"c{i}" for i in range(len(labels))),
        (Series(Text("a", "甲"), values), Series(Text("b", "乙"), values)),
        labels=tuple(Text(s, s) for s in labels),
    )


def test_zh_audit_chart_names_checks_in_chinese_words_not_codes() -> None:
    (report,) = build_reports("audit", estate(), findings(), [])
    (chart,) = [c for s in report.sections for c in s.charts if c.kind == "stacked_bar"]
    codes = set(chart.categories)
    assert codes == {"idle", "zombie", "pool-headroom"}
    zh = [d.text for d in _labels(sc.svg(chart, "zh"))]
    assert sorted(zh) == sorted(CHECK[c].zh for c in codes)  # 云主机闲置, 长期停机, …
    assert not codes & set(zh)
    en = [d.text for d in _labels(sc.svg(chart, "en"))]
    assert sorted(en) == sorted(CHECK[c].en for c in codes)
    by_check = next(t for t in report.tables() if t.key == "by_check")
    assert {r["key"]: r["name"] for r in by_check.rows}["idle"] == Text("idle", "云主机闲置")


@pytest.mark.parametrize("kind", ["bar", "stacked_bar", "line"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("n", range(2, 16))
def test_neighbouring_labels_never_overlap(kind: str, family: str, n: int) -> None:
    labels = FAMILIES[family][:n]
    svg = sc.svg(_chart(kind, labels), "zh")
    drawn = _labels(svg)
    height = int(_HEIGHT.search(svg).group(1))  # type: ignore[union-attr]
    if kind != "line":
        assert len(drawn) == n  # every bar keeps its label
        assert all(_shows(d, full) for d, full in zip(drawn, labels, strict=True))
    else:  # a time axis labels every k-th point, from the first
        assert _shows(drawn[0], labels[0])
    assert len({d.angle for d in drawn}) == 1
    angle = drawn[0].angle
    for left, right in itertools.pairwise(drawn):
        assert left.x < right.x
        if angle == 0:  # flat and centred: the boxes are apart by at least the gap
            room = (right.x - right.width / 2) - (left.x + left.width / 2)
            assert room >= sc.GAP_PX - 0.2, (left.text, right.text)
        else:  # parallel turned labels: apart by a line across their baselines
            across = (right.x - left.x) * math.sin(math.radians(angle))
            assert across >= sc.LINE_PX - 0.2, (left.text, right.text)
    for d in drawn:  # and every label inside the picture
        if angle == 0:
            assert d.x - d.width / 2 >= 0
            assert d.x + d.width / 2 <= sc.WIDTH
        else:
            a = math.radians(angle)
            assert d.x - d.width * math.cos(a) >= 0
            assert d.y + d.width * math.sin(a) + sc.LINE_PX * math.cos(a) <= height


def test_fourteen_checks_all_labelled_turned_and_apart() -> None:
    """The demo's audit chart: 14 checks; quota-idle and undersized used to overlap."""
    codes = tuple(CHECK)[5:19]
    chart = Chart("stacked_bar", Text("t", "t"), codes, (Series(Text("a", "甲"), (1.0,) * 14),),
                  labels=tuple(Text(w.en, w.zh) for w in (CHECK[c] for c in codes)))  # fmt: skip
    for lang in ("zh", "en"):
        drawn = _labels(sc.svg(chart, lang))
        assert [d.text for d in drawn] == [CHECK[c].get(lang) for c in codes]
        assert {d.angle for d in drawn} == {45}
        idle, under = (next(d for d in drawn if d.text == CHECK[c].get(lang))
                       for c in ("quota-idle", "undersized"))  # fmt: skip
        assert (under.x - idle.x) * math.sin(math.radians(45)) >= sc.LINE_PX


def test_label_width_counts_cjk_as_two_columns() -> None:
    assert sc.columns("quota-idle") == 10
    assert sc.columns("配额闲置") == 8
    assert sc.label_width("配额闲置") == 2 * sc.label_width("ab") * 2
    assert sc.label_width("Wm") > sc.label_width("Ab") > sc.label_width("ab")
    # "…" is two columns wide in a CJK font
    assert sc.fit("quota-near-limit", 10 * sc.COLUMN_PX) == "quota-ne…"
    assert sc.fit("电子政务外网核心资源池", 10 * sc.COLUMN_PX) == "电子政务…"
