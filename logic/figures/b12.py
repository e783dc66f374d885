"""The serum B12 scale with the threshold set's bands and the patient's value.

Drawn as a small inline SVG, not a plotly figure: a static picture of three bands and one line needs
no chart library, and leaving plotly.js out of the Diagnosis page saves a browser a second or more
of loading it (issue 13). Shown as an image: its text is Streamlit's dark text colour, or its light one
when the device asks for dark mode (the app follows the device's setting).
"""

from __future__ import annotations

from html import escape

from logic.figures.common import BAND_COLOURS, OKABE_ITO
from logic.reference import ThresholdSet

WIDTH, HEIGHT = 330, 118  # the viewBox, about the verdict column's width at 1280 px; it scales to the column
LEFT, RIGHT, BAR_TOP, BAR_BOTTOM = 6, 324, 34, 72


def _step(top: float) -> float:
    """A round tick step giving at most eight ticks up to ``top``."""
    for step in (50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 8:
            return step
    return top / 4


def b12_band_svg(value_ng_l: float | None, t: ThresholdSet, comparator: str | None = None) -> str:
    """The serum B12 scale (ng/L) with the set's bands (deficient, indeterminate, unlikely) and the
    patient's value marked, as an SVG document fragment."""
    lo, hi = t["b12_deficient_below"], t["b12_unlikely_above"]
    top = max(hi * 2, (value_ng_l or 0) * 1.15, 600)

    def x(v: float) -> float:
        return round(LEFT + (RIGHT - LEFT) * v / top, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-family="sans-serif" '
        f'fill="currentColor" aria-label="Serum B12 scale: deficient below {lo:g}, indeterminate {lo:g}-{hi:g}, '
        f'unlikely above {hi:g} ng/L">'
        "<style>svg{color:#31333f}@media (prefers-color-scheme: dark){svg{color:#fafafa}}</style>"
    ]
    for name, start, end in (("deficient", 0, lo), ("indeterminate", lo, hi), ("unlikely", hi, top)):
        tip = f"{name}: {start:g}-{end:g} ng/L" if name != "unlikely" else f"{name}: >{start:g} ng/L"
        parts.append(
            f'<rect x="{x(start)}" y="{BAR_TOP}" width="{x(end) - x(start)}" height="{BAR_BOTTOM - BAR_TOP}" '
            f'fill="{BAND_COLOURS[name]}" fill-opacity="0.35"><title>{escape(tip)}</title></rect>'
            f'<text x="{x((start + end) / 2)}" y="{(BAR_TOP + BAR_BOTTOM) / 2 + 4}" font-size="11" '
            f'text-anchor="middle">{name}</text>'
        )
    step = _step(top)
    tick = 0.0
    while tick <= top:
        parts.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{BAR_BOTTOM}" y2="{BAR_BOTTOM + 4}" stroke="currentColor" '
            f'stroke-opacity="0.5"/><text x="{x(tick)}" y="{BAR_BOTTOM + 15}" font-size="10" '
            f'text-anchor="{"start" if tick == 0 else "end" if x(tick) > RIGHT - 10 else "middle"}" '
            f'fill-opacity="0.7">{tick:g}</text>'
        )
        tick += step
    parts.append(
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 4}" font-size="11" text-anchor="middle">serum B12 (ng/L = pg/mL)</text>'
    )
    if value_ng_l is not None:
        vx = x(min(value_ng_l, top))
        label = escape(f"Patient {comparator or ''}{value_ng_l:.0f} ng/L")
        # from the line towards the middle: a label centred on a low value was cut at the left edge
        anchor = "start" if value_ng_l < top / 2 else "end"
        shift = 4 if anchor == "start" else -4
        parts.append(
            f'<line x1="{vx}" x2="{vx}" y1="{BAR_TOP - 8}" y2="{BAR_BOTTOM + 2}" stroke="{OKABE_ITO["blue"]}" '
            f'stroke-width="4"/><text x="{vx + shift}" y="{BAR_TOP - 12}" font-size="13" text-anchor="{anchor}" '
            f'fill="{OKABE_ITO["blue"]}">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
