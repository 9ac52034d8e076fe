"""Inline SVG charts drawn by hand (no library, no script, no external font or URL):
grouped bars, stacked bars and lines, with a legend and a labelled value axis."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from govcloud.adapters.report_writers import visible_controls
from govcloud.core.report_model import Chart, unit_text

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 64
MAX_CATEGORIES = 40
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1")


def _t(text: str) -> str:
    return escape(visible_controls(text), quote=True)


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
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        v = top * i / 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    if unit:
        shown = _t(unit_text(unit, lang))
        parts.append(f'<text x="{LEFT - 6}" y="{TOP - 8}" text-anchor="end">{shown}</text>')
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    parts, x = [], LEFT
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 16}" y="18">{_t(name)}</text>')
        x += 28 + 8 * min(len(name), 24) if name.isascii() else 28 + 14 * min(len(name), 16)
    return parts


def _fit(label: str, room: float) -> str:
    """LABEL cut to about ROOM pixels (CJK characters are about twice as wide as Latin ones),
    so neighbouring axis labels do not run into each other."""
    out, used = "", 0.0
    for ch in label[:14]:
        used += 11.0 if ord(ch) > 0x2E80 else 6.5
        if used > room:
            return out + "…" if out else ch
        out += ch
    return out


def _x_labels(labels: Sequence[str], centers: Sequence[float]) -> list[str]:
    every = max(1, math.ceil(len(labels) / 12))
    spacing = (centers[1] - centers[0]) * every if len(centers) > 1 else float(WIDTH)
    shown = [i for i in range(len(labels)) if i % every == 0 or i == len(labels) - 1]
    return [
        f'<text x="{centers[i]:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
        f"{_t(_fit(labels[i], spacing - 6))}</text>"
        for i in shown
    ]


def _bars(chart: Chart, lang: str, stacked: bool) -> list[str]:
    cats = chart.category_labels(lang)[:MAX_CATEGORIES]
    series = [[v or 0.0 for v in s.values[: len(cats)]] for s in chart.series]
    totals = [sum(col) for col in zip(*series, strict=True)] if series else []
    peak = max(totals if stacked else [v for s in series for v in s], default=0.0)
    top = _nice_max(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(cats), 1)
    bar_w = slot * 0.8 / (1 if stacked else max(len(series), 1))
    parts = _axis(top, chart.unit, lang)
    for ci in range(len(cats)):
        base = float(HEIGHT - BOTTOM)
        for si, values in enumerate(series):
            h = plot_h * values[ci] / top
            x = LEFT + ci * slot + slot * 0.1 + (0 if stacked else si * bar_w)
            y = base - h
            title = f"{chart.series[si].name.get(lang)}: {_fmt(values[ci])}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[si % len(PALETTE)]}"><title>{_t(title)}</title></rect>'
            )
            if stacked:
                base = y
    centers = [LEFT + slot * (i + 0.5) for i in range(len(cats))]
    return parts + _x_labels(cats, centers)


def _lines(chart: Chart, lang: str) -> list[str]:
    cats = chart.category_labels(lang)
    values = [v for s in chart.series for v in s.values if v is not None]
    top = _nice_max(max(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(cats) - 1, 1)
    parts = _axis(top, chart.unit, lang)
    for si, s in enumerate(chart.series):
        pts = [
            f"{LEFT + i * step:.1f},{HEIGHT - BOTTOM - plot_h * v / top:.1f}"
            for i, v in enumerate(s.values)
            if v is not None
        ]
        color = PALETTE[si % len(PALETTE)]
        parts.append(
            f'<polyline points="{" ".join(pts)}" fill="none" stroke="{color}" stroke-width="2"/>'
        )
    return parts + _x_labels(cats, [LEFT + i * step for i in range(len(cats))])


def svg(chart: Chart, lang: str) -> str:
    if chart.kind == "line":
        body = _lines(chart, lang)
    else:
        body = _bars(chart, lang, stacked=chart.kind == "stacked_bar")
    legend = _legend([s.name.get(lang) for s in chart.series])
    label = _t(chart.title.get(lang))
    return (
        f'<svg class="chart" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">'
        + "".join(legend + body)
        + "</svg>"
    )
