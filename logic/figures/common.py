"""Shared pieces of the figure builders: the Okabe-Ito palette (colour-blind safe) and layout."""

from __future__ import annotations

import plotly.graph_objects as go

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


def stacked_rows(row_heights: list[float], spacing: float, titles: list[str]) -> tuple[dict, list[list[float]]]:
    """The layout of plotly's ``make_subplots(rows=len(row_heights), cols=1, shared_xaxes=True,
    vertical_spacing=spacing, row_heights=row_heights, subplot_titles=titles)``, written out: axes
    ``x``/``y`` for row 1, ``x2``/``y2``... below, every x axis matching the bottom one, and a title
    annotation over each row with a title. Building a figure once from this is several times faster
    than make_subplots and its updates. Returns the layout and each row's y domain, top row first."""
    n = len(row_heights)
    cum = float(sum(row_heights))
    bottom_first = [(1.0 - spacing * (n - 1)) * (h / cum) for h in reversed(row_heights)]
    domains = []
    for row in range(n):
        b = n - 1 - row  # rows counted from the bottom, as plotly lays them out
        y0 = sum(bottom_first[:b]) + b * spacing
        domains.append([max(0.0, y0), min(1.0, y0 + bottom_first[b])])
    layout: dict = {}
    for row, domain in enumerate(domains, start=1):
        suffix = "" if row == 1 else str(row)
        x = dict(anchor=f"y{suffix}", domain=[0.0, 1.0])
        if row < n:
            x.update(matches=f"x{n}", showticklabels=False)
        layout[f"xaxis{suffix}"] = x
        layout[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}", domain=domain)
    layout["annotations"] = [
        dict(text=t, x=0.5, xanchor="center", xref="paper", y=d[1], yanchor="bottom", yref="paper", showarrow=False,
             font=dict(size=16))
        for t, d in zip(titles, domains, strict=True)
        if t
    ]
    return layout, domains
