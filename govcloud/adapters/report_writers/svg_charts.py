"""Inline SVG charts drawn by hand (no library, no script, no external font or URL):
grouped bars, stacked bars and lines, with a legend and a labelled value axis.

Category labels are laid out from their display width (a CJK character is two columns, about
one em; a Latin one is one column), so neighbouring labels never run into each other: flat
when every label fits its band, else turned 45° (or 90° when the bands are narrow) so each
bar keeps its own label; a line chart's time axis labels every k-th point instead. `x_axis`
is that layout, shared with the tests that check it.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from govcloud.adapters.report_writers import visible_controls
from govcloud.core.report_model import Chart, unit_text

WIDTH = 760
LEFT, RIGHT, TOP = 64, 16, 40
PLOT_H = 196
AXIS_Y = TOP + PLOT_H  # the value axis' zero line; labels hang below it
BOTTOM = 64  # room below the axis for flat labels: such a chart is 300 px high
MAX_CATEGORIES = 40
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1")

# svg.chart's font is 11 px (html.py): one display column is at most about 0.6 em there
COLUMN_PX = 6.6
LINE_PX = 14.0  # the room a label needs across its baseline (glyph height and some air)
GAP_PX = 6.0  # between two flat labels
MAX_LABEL_PX = 22 * COLUMN_PX  # a longer label is cut with "…" (its full text in a tooltip)


def _t(text: str) -> str:
    return escape(text, quote=True)


def columns(text: str) -> int:
    """Display columns of TEXT: wide, fullwidth and ambiguous characters (CJK, "…") take two,
    combining marks none, everything else one."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1
    return n


_BROAD = frozenset("mwMW@%")  # Latin glyphs near a full em wide


def label_width(text: str) -> float:
    """The width in px the layout reserves for TEXT: its display columns, with capitals and
    the broadest Latin letters counted a little wider (an upper bound of what a browser draws
    in svg.chart's font; tests/integration/test_report_browser.py measures it there)."""
    extra = sum(0.6 if ch in _BROAD else 0.2 if ch.isupper() else 0.0 for ch in text)
    return (columns(text) + extra) * COLUMN_PX


def fit(text: str, room: float) -> str:
    """TEXT, or its start and "…" when it is wider than ROOM px (at least one character)."""
    if label_width(text) <= room:
        return text
    out, budget = "", room - label_width("…")
    for ch in text:
        if label_width(out + ch) > budget:
            break
        out += ch
    return (out or text[:1]) + "…"


@dataclass(frozen=True)
class XLabel:
    x: float  # the anchor: the label's centre (flat) or its end, at the category (turned)
    text: str  # as drawn (control characters visible, maybe cut)
    full: str  # as drawn when not cut


@dataclass(frozen=True)
class XAxis:
    labels: tuple[XLabel, ...]
    angle: int  # 0: flat and centred; 45 or 90: turned counter-clockwise, ending at the tick
    depth: float  # px the labels need below the axis

    def box(self, label: XLabel) -> tuple[float, float]:
        """The horizontal extent of a flat label."""
        half = label_width(label.text) / 2
        return label.x - half, label.x + half


def _flat(texts: Sequence[str], centers: Sequence[float], picks: Sequence[int]) -> list[XLabel]:
    """Flat labels at PICKS, each kept inside the chart and dropped when it would touch the
    label before it."""
    out: list[XLabel] = []
    right = -math.inf
    for i in picks:
        w = label_width(texts[i])
        x = min(max(centers[i], w / 2 + 2), WIDTH - w / 2 - 2)
        if x - w / 2 >= right + GAP_PX:
            out.append(XLabel(x, texts[i], texts[i]))
            right = x + w / 2
    return out


def x_axis(labels: Sequence[str], centers: Sequence[float], every_label: bool) -> XAxis:
    """Where the category LABELS go under CENTERS (evenly spaced). EVERY_LABEL (bars): each
    category keeps its label, turned when flat labels would collide; else (a time axis) every
    k-th label lies flat."""
    if not labels:
        return XAxis((), 0, BOTTOM)
    shown = [visible_controls(s) for s in labels]
    band = centers[1] - centers[0] if len(centers) > 1 else float(WIDTH - LEFT - RIGHT)
    texts = [fit(s, MAX_LABEL_PX) for s in shown]
    if every_label:
        # a few wide bands may show more of a long label than MAX_LABEL_PX
        flat = _flat(
            [fit(s, max(MAX_LABEL_PX, band - GAP_PX)) for s in shown], centers, range(len(shown))
        )
        if len(flat) == len(texts):
            return XAxis(tuple(flat), 0, BOTTOM)
        return _turned(shown, centers, band)
    stride = max(1, math.ceil((max(map(label_width, texts)) + GAP_PX) / band))
    return XAxis(tuple(_flat(texts, centers, range(0, len(texts), stride))), 0, BOTTOM)


def _turned(shown: Sequence[str], centers: Sequence[float], band: float) -> XAxis:
    """Labels turned 45° (90° when the bands are narrower than a line at 45°): parallel labels
    then stand LINE_PX apart whatever their length; only more than ~48 bars drop labels."""
    angle = 45 if band * math.sin(math.radians(45)) >= LINE_PX else 90
    a = math.radians(angle)
    stride = max(1, math.ceil(LINE_PX / (band * math.sin(a))))
    out = []
    for i in range(0, len(shown), stride):
        # a 45° label reaches left by its width · cos 45°: it must stay inside the chart
        room = MAX_LABEL_PX if angle == 90 else min(MAX_LABEL_PX, (centers[i] - 2) / math.cos(a))
        out.append(XLabel(centers[i], fit(shown[i], room), shown[i]))
    longest = max(label_width(lb.text) for lb in out)
    depth = 12 + longest * math.sin(a) + LINE_PX * math.cos(a) + 6
    return XAxis(tuple(out), angle, max(float(BOTTOM), depth))


def _x_label_svg(axis: XAxis) -> list[str]:
    parts = []
    for lb in axis.labels:
        tip = f"<title>{_t(lb.full)}</title>" if lb.text != lb.full else ""
        if axis.angle == 0:
            y = AXIS_Y + 16
            place = f'x="{lb.x:.1f}" y="{y}" text-anchor="middle"'
        else:
            y = AXIS_Y + 10
            place = (
                f'x="{lb.x:.1f}" y="{y}" text-anchor="end" '
                f'transform="rotate(-{axis.angle} {lb.x:.1f} {y})"'
            )
        parts.append(f'<text class="x-label" {place}>{tip}{_t(lb.text)}</text>')
    return parts


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * exp:
            return step * exp
    return 10.0 * exp


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.1f}"


def _axis(top: float, unit: str, lang: str) -> list[str]:
    parts = []
    for i in range(5):
        v = top * i / 4
        y = AXIS_Y - PLOT_H * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    if unit:
        shown = _t(visible_controls(unit_text(unit, lang)))
        parts.append(f'<text x="{LEFT - 6}" y="{TOP - 8}" text-anchor="end">{shown}</text>')
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    parts, x = [], float(LEFT)
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        text = fit(visible_controls(name), 24 * COLUMN_PX)
        parts.append(f'<rect x="{x:.0f}" y="8" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 16:.0f}" y="18">{_t(text)}</text>')
        x += 16 + label_width(text) + 12
    return parts


def _bars(chart: Chart, lang: str, stacked: bool) -> tuple[list[str], XAxis]:
    cats = chart.category_labels(lang)[:MAX_CATEGORIES]
    series = [[v or 0.0 for v in s.values[: len(cats)]] for s in chart.series]
    totals = [sum(col) for col in zip(*series, strict=True)] if series else []
    peak = max(totals if stacked else [v for s in series for v in s], default=0.0)
    top = _nice_max(peak)
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(cats), 1)
    bar_w = slot * 0.8 / (1 if stacked else max(len(series), 1))
    parts = _axis(top, chart.unit, lang)
    for ci in range(len(cats)):
        base = float(AXIS_Y)
        for si, values in enumerate(series):
            h = PLOT_H * values[ci] / top
            x = LEFT + ci * slot + slot * 0.1 + (0 if stacked else si * bar_w)
            y = base - h
            title = f"{chart.series[si].name.get(lang)}: {_fmt(values[ci])}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[si % len(PALETTE)]}"><title>{_t(visible_controls(title))}</title>'
                "</rect>"
            )
            if stacked:
                base = y
    centers = [LEFT + slot * (i + 0.5) for i in range(len(cats))]
    return parts, x_axis(cats, centers, every_label=True)


def _lines(chart: Chart, lang: str) -> tuple[list[str], XAxis]:
    cats = chart.category_labels(lang)
    values = [v for s in chart.series for v in s.values if v is not None]
    top = _nice_max(max(values, default=0.0))
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(len(cats) - 1, 1)
    parts = _axis(top, chart.unit, lang)
    for si, s in enumerate(chart.series):
        pts = [
            f"{LEFT + i * step:.1f},{AXIS_Y - PLOT_H * v / top:.1f}"
            for i, v in enumerate(s.values)
            if v is not None
        ]
        color = PALETTE[si % len(PALETTE)]
        parts.append(
            f'<polyline points="{" ".join(pts)}" fill="none" stroke="{color}" stroke-width="2"/>'
        )
    return parts, x_axis(cats, [LEFT + i * step for i in range(len(cats))], every_label=False)


def svg(chart: Chart, lang: str) -> str:
    if chart.kind == "line":
        body, axis = _lines(chart, lang)
    else:
        body, axis = _bars(chart, lang, stacked=chart.kind == "stacked_bar")
    legend = _legend([s.name.get(lang) for s in chart.series])
    label = _t(visible_controls(chart.title.get(lang)))
    height = math.ceil(AXIS_Y + axis.depth)
    return (
        f'<svg class="chart" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}">'
        + "".join(legend + body + _x_label_svg(axis))
        + "</svg>"
    )
