"""The recovery figure for print as hand-made SVG: doses over platelets and reticulocytes on one
date axis (no browser, no plotting library: WeasyPrint draws inline SVG itself).

Each panel plots an analyte's results in its canonical unit against the date, with its reference
lines (given by the caller, e.g. the platelet lower limit); B12 doses are ticks above the panels,
filled when given and open when planned. Pure: the same input gives the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

WIDTH, LEFT, RIGHT = 640, 58, 16
PANEL_H, GAP, TOP = 150, 34, 40
#: Okabe-Ito colours, as on screen
COLOURS = {"platelets": "#D55E00", "reticulocytes_pct": "#0072B2", "reticulocytes_abs": "#0072B2"}


@dataclass(frozen=True)
class Panel:
    """One analyte: its title, its (date, value) points and reference lines (value, label)."""

    key: str
    title: str
    points: tuple[tuple[date, float], ...]
    lines: tuple[tuple[float, str], ...] = ()


def _nice_max(v: float) -> float:
    for step in (1, 2, 2.5, 5, 10):
        for mag in (0.1, 1, 10, 100, 1000, 10000):
            if step * mag * 5 >= v:
                return step * mag * 5
    return v


def course_svg(
    panels: Sequence[Panel], given: Sequence[date] = (), planned: Sequence[date] = (), start: date | None = None
) -> str:
    """An SVG (text) of the panels stacked on one date axis with the doses above; ``start`` marks day 0."""
    panels = [p for p in panels if p.points]
    days = [d for p in panels for d, _ in p.points] + list(given) + list(planned) + ([start] if start else [])
    if not panels or not days:
        return ""
    lo, hi = min(days) - timedelta(days=2), max(days) + timedelta(days=2)
    span = max((hi - lo).days, 1)
    plot_w = WIDTH - LEFT - RIGHT
    height = TOP + len(panels) * (PANEL_H + GAP) + 10

    def x(d: date) -> float:
        return LEFT + plot_w * (d - lo).days / span

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, sans-serif" font-size="10">']  # fmt: skip
    out.append(f'<text x="{LEFT}" y="12" fill="#333">B12 doses (filled: given; open: planned)</text>')
    for d in given:
        out.append(f'<circle cx="{x(d):.1f}" cy="24" r="4" fill="#009E73"/>')
    for d in planned:
        out.append(f'<circle cx="{x(d):.1f}" cy="24" r="4" fill="white" stroke="#009E73" stroke-width="1.5"/>')
    for n, p in enumerate(panels):
        top = TOP + n * (PANEL_H + GAP) + 14
        bottom = top + PANEL_H - 14
        ymax = _nice_max(max([v for _, v in p.points] + [v for v, _ in p.lines]) * 1.1)

        def y(v: float, top: float = top, bottom: float = bottom, ymax: float = ymax) -> float:
            return bottom - (bottom - top) * v / ymax

        colour = COLOURS.get(p.key, "#333")
        out.append(f'<text x="{LEFT}" y="{top - 4}" font-weight="bold" fill="{colour}">{escape(p.title)}</text>')
        out.append(f'<rect x="{LEFT}" y="{top}" width="{plot_w}" height="{bottom - top}" fill="none" stroke="#bbb"/>')
        for k in range(5):
            v = ymax * k / 4
            out.append(f'<text x="{LEFT - 4}" y="{y(v) + 3:.1f}" text-anchor="end" fill="#555">{v:g}</text>')
        for v, label in p.lines:
            out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#777" '
                       f'stroke-dasharray="4 3"/>')  # fmt: skip
            out.append(f'<text x="{LEFT + plot_w - 2}" y="{y(v) - 2:.1f}" text-anchor="end" fill="#555">'
                       f"{escape(label)}</text>")  # fmt: skip
        pts = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in p.points)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        for d, v in p.points:
            out.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        if start is not None:
            out.append(f'<line x1="{x(start):.1f}" x2="{x(start):.1f}" y1="{top}" y2="{bottom}" stroke="#009E73"/>')
    axis_y = TOP + len(panels) * (PANEL_H + GAP) - GAP + 14
    step = max(1, span // 6)
    d = lo
    while d <= hi:
        out.append(f'<text x="{x(d):.1f}" y="{axis_y}" text-anchor="middle" fill="#555">{d.day} {d:%b}</text>')
        d += timedelta(days=step)
    if start is not None:
        out.append(f'<text x="{x(start) + 3:.1f}" y="{TOP + 10}" fill="#009E73">day 0</text>')
    out.append("</svg>")
    return "\n".join(out)
