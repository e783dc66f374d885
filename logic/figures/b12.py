"""The serum B12 scale with the threshold set's bands and the patient's value."""

from __future__ import annotations

import plotly.graph_objects as go

from logic.figures.common import BAND_COLOURS, OKABE_ITO, _base_layout
from logic.reference import ThresholdSet


def b12_band_figure(value_ng_l: float | None, t: ThresholdSet, comparator: str | None = None) -> go.Figure:
    """The serum B12 scale with the set's bands and the patient's value marked."""
    lo, hi = t["b12_deficient_below"], t["b12_unlikely_above"]
    top = max(hi * 2, (value_ng_l or 0) * 1.15, 600)
    fig = go.Figure()
    for name, start, end in (("deficient", 0, lo), ("indeterminate", lo, hi), ("unlikely", hi, top)):
        fig.add_trace(
            go.Bar(
                x=[end - start],
                y=["B12"],
                base=[start],
                orientation="h",
                name=name,
                marker=dict(color=BAND_COLOURS[name], opacity=0.35),
                hoverinfo="text",
                hovertext=f"{name}: {start:g}-{end:g} ng/L" if name != "unlikely" else f"{name}: >{start:g} ng/L",
            )
        )
        # the band's name as an annotation: it takes the theme's text colour (light on dark, dark on light);
        # text inside a bar is coloured against the bar's own colour and vanished in dark mode
        fig.add_annotation(x=(start + end) / 2, y="B12", text=name, showarrow=False, font=dict(size=12))
    if value_ng_l is not None:
        label = f"Patient {comparator or ''}{value_ng_l:.0f} ng/L"
        fig.add_vline(
            x=value_ng_l,
            line=dict(color=OKABE_ITO["blue"], width=4),
            # from the line towards the middle: a label centred on a low value was cut at the left edge
            annotation=dict(text=label, font=dict(color=OKABE_ITO["blue"], size=13),
                            xanchor="left" if value_ng_l < top / 2 else "right"),
            annotation_position="top",
        )
    fig.update_xaxes(range=[0, top], title_text="serum B12 (ng/L = pg/mL)", fixedrange=True)
    fig.update_yaxes(visible=False, fixedrange=True)
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig = _base_layout(fig, 160)
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=30))
    return fig
