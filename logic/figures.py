"""Plotly figure builders. The only logic module that imports plotly; pages call st.plotly_chart.

Palette: Okabe-Ito (colour-blind safe). Figures are small and static (no animation).
"""

from __future__ import annotations

import plotly.graph_objects as go

from logic.reference import ThresholdSet

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
BAND_COLOURS = {
    "deficient": OKABE_ITO["vermillion"],
    "indeterminate": OKABE_ITO["orange"],
    "unlikely": OKABE_ITO["green"],
}


def _base_layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=30),
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


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
                text=name,
                textposition="inside",
                insidetextanchor="middle",
            )
        )
    if value_ng_l is not None:
        label = f"{comparator or ''}{value_ng_l:.0f} ng/L"
        fig.add_trace(
            go.Scatter(
                x=[value_ng_l],
                y=["B12"],
                mode="markers+text",
                text=[label],
                textposition="top center",
                marker=dict(symbol="diamond", size=16, color="#222222", line=dict(color="white", width=1.5)),
                hoverinfo="text",
                hovertext=[f"Patient: {label}"],
                cliponaxis=False,
            )
        )
    fig.update_xaxes(range=[0, top], title_text="serum B12 (ng/L = pg/mL)", fixedrange=True)
    fig.update_yaxes(visible=False, fixedrange=True)
    fig.update_layout(barmode="overlay", bargap=0.25)
    return _base_layout(fig, 150)
