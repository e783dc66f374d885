"""Plotly figure builders. The only logic module that imports plotly; pages call st.plotly_chart.

Palette: Okabe-Ito (colour-blind safe). Figures are small and static (no animation).
"""

from __future__ import annotations

import math

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
        label = f"Patient {comparator or ''}{value_ng_l:.0f} ng/L"
        fig.add_vline(
            x=value_ng_l,
            line=dict(color=OKABE_ITO["blue"], width=4),
            annotation=dict(text=label, font=dict(color=OKABE_ITO["blue"], size=13)),
            annotation_position="top",
        )
    fig.update_xaxes(range=[0, top], title_text="serum B12 (ng/L = pg/mL)", fixedrange=True)
    fig.update_yaxes(visible=False, fixedrange=True)
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig = _base_layout(fig, 160)
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=30))
    return fig


def _ticks_125(lo: float, hi: float) -> list[float]:
    """Tick values 1-2-5 per decade inside [lo, hi] (readable log axes)."""
    out = []
    for exp in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10**exp
            if lo <= v <= hi:
                out.append(float(f"{v:.6g}"))
    return out


def tma_comparison_figure(rows: list[dict]) -> go.Figure:
    """Patient's values against the B12 pseudo-TMA and TTP group medians (Noel 2013), one small axis each.

    ``rows`` are ``tma.comparison`` entries that have both medians. Log axes: the groups differ
    by up to twenty-fold.
    """
    from plotly.subplots import make_subplots

    rows = [r for r in rows if r.get("pseudo_tma_median") is not None and r.get("ttp_median") is not None]
    if not rows:
        return _base_layout(go.Figure(), 60)
    fig = make_subplots(
        rows=len(rows), cols=1, vertical_spacing=0.16, subplot_titles=[f"{r['label']} ({r['unit']})" for r in rows]
    )
    for i, r in enumerate(rows, start=1):
        values = [r["pseudo_tma_median"], r["ttp_median"]] + ([r["patient"]] if r.get("patient") else [])
        lo, hi = min(values) / 2, max(values) * 2
        for name, x, symbol, colour, legend in (
            ("B12 pseudo-TMA median", r["pseudo_tma_median"], "circle", OKABE_ITO["green"], i == 1),
            ("TTP median", r["ttp_median"], "square", OKABE_ITO["vermillion"], i == 1),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[x],
                    y=[0],
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    showlegend=legend,
                    marker=dict(symbol=symbol, size=13, color=colour),
                    hovertemplate=f"{name}: %{{x:g}} {r['unit']}<extra></extra>",
                ),
                row=i,
                col=1,
            )
        if r.get("patient") is not None:
            fig.add_trace(
                go.Scatter(
                    x=[r["patient"]],
                    y=[0],
                    mode="markers+text",
                    name="This patient",
                    legendgroup="patient",
                    showlegend=i == 1,
                    text=[f"{r['patient']:g}"],
                    textposition="top center",
                    cliponaxis=False,
                    marker=dict(
                        symbol="diamond", size=15, color=OKABE_ITO["blue"], line=dict(color="white", width=1.5)
                    ),
                    hovertemplate=f"This patient: %{{x:g}} {r['unit']}<extra></extra>",
                ),
                row=i,
                col=1,
            )
        if r.get("divide_at"):
            fig.add_vline(x=r["divide_at"], line=dict(color=OKABE_ITO["grey"], dash="dot", width=1), row=i, col=1)
        ticks = _ticks_125(lo, hi)
        fig.update_xaxes(
            type="log",
            range=[math.log10(lo), math.log10(hi)],
            fixedrange=True,
            row=i,
            col=1,
            tickvals=ticks,
            ticktext=[f"{v:g}" for v in ticks],
            minor=dict(showgrid=False),
        )
        fig.update_yaxes(visible=False, range=[-1, 1.4], fixedrange=True, row=i, col=1)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0), hovermode="closest")
    fig = _base_layout(fig, 95 * len(rows) + 70)
    fig.update_layout(showlegend=True, margin=dict(l=10, r=10, t=60, b=10))
    fig.update_annotations(font_size=12, xanchor="left", x=0)
    return fig
