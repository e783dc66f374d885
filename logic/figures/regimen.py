"""The regimen planner's figure: injections by phase over time, with the estimated body store."""

from __future__ import annotations

import plotly.graph_objects as go

from logic.figures.common import OKABE_ITO

PHASE_COLOURS = {
    "daily": OKABE_ITO["vermillion"],
    "alternate": OKABE_ITO["orange"],
    "interval": OKABE_ITO["purple"],
    "maintenance": OKABE_ITO["blue"],
    "three_weekly": OKABE_ITO["vermillion"],
    "loading": OKABE_ITO["vermillion"],
    "oral": OKABE_ITO["green"],
}


def regimen_figure(plans: list[tuple[str, object, object | None]]) -> go.Figure:
    """Injection timeline by phase (top) and cumulative dose with the store estimate (bottom).

    ``plans`` is a list of (name, Schedule, StoreEstimate or None); the first is the plan being
    edited, a second one (if any) the pinned plan, drawn muted for comparison.
    """
    traces, rows = [], []
    for k, (name, sched, est) in enumerate(plans):
        muted = k > 0
        injections = list(sched.injections)
        phases = list(dict.fromkeys(i.phase for i in injections))
        for phase in phases:
            xs = [i.date for i in injections if i.phase == phase]
            doses = [i.dose_mcg for i in injections if i.phase == phase]
            colour = OKABE_ITO["grey"] if muted else PHASE_COLOURS.get(phase, OKABE_ITO["sky"])
            traces.append(
                go.Scatter(
                    x=xs,
                    y=[name] * len(xs),
                    mode="markers",
                    name=f"{phase}" + (f" ({name})" if muted else ""),
                    legendgroup=f"{k}-{phase}",
                    showlegend=not muted,
                    marker=dict(
                        symbol="line-ns-open" if muted else "circle", size=9 if not muted else 12, color=colour
                    ),
                    customdata=doses,
                    hovertemplate=f"{name}<br>%{{x|%a %d %b %Y}}<br>{phase}: %{{customdata}} mcg<extra></extra>",
                )
            )
            rows.append(1)
        total, cum_x, cum_y = 0, [], []
        for inj in injections:
            total += inj.dose_mcg
            cum_x.append(inj.date)
            cum_y.append(total / 1000)
        dash = "dot" if muted else "solid"
        traces.append(
            go.Scatter(
                x=cum_x,
                y=cum_y,
                mode="lines",
                line=dict(shape="hv", dash=dash, color=OKABE_ITO["grey"] if muted else OKABE_ITO["blue"]),
                name=f"cumulative dose ({name})",
                hovertemplate="%{y:.1f} mg given<extra></extra>",
            )
        )
        rows.append(2)
        if est is not None:
            traces.append(
                go.Scatter(
                    x=list(est.dates),
                    y=[v / 1000 for v in est.store_mcg],
                    mode="lines",
                    line=dict(dash=dash, color=OKABE_ITO["grey"] if muted else OKABE_ITO["green"]),
                    name=f"estimated stores ({name})",
                    hovertemplate="estimate %{y:.2f} mg<extra></extra>",
                )
            )
            rows.append(2)
    # the two stacked rows of make_subplots(rows=2, shared_xaxes=True, vertical_spacing=0.08,
    # row_heights=[0.38, 0.62]) written out: one figure built once, not make_subplots and its updates (~4x faster)
    for trace, row in zip(traces, rows, strict=True):
        trace.update(xaxis="x" if row == 1 else "x2", yaxis="y" if row == 1 else "y2")
    top, bottom = 1 - 0.38 * 0.92, 0.62 * 0.92

    def title(text: str, y: float) -> dict:
        return dict(text=text, x=0, xanchor="left", xref="paper", y=y, yanchor="bottom", yref="paper",
                    showarrow=False, font=dict(size=12))

    layout = dict(
        xaxis=dict(anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),
        yaxis=dict(anchor="x", domain=[round(top, 4), 1.0], fixedrange=True),
        xaxis2=dict(anchor="y2", domain=[0.0, 1.0]),
        yaxis2=dict(anchor="x2", domain=[0.0, round(bottom, 4)], title=dict(text="mg"), rangemode="tozero"),
        annotations=[title("Doses by phase", 1.0),
                     title("Cumulative dose and estimated body stores (mg)", round(bottom, 4))],
        height=460,
        margin=dict(l=10, r=10, t=40, b=10),
        showlegend=True,
        legend=dict(orientation="h", y=-0.12),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
    )
    return go.Figure(data=traces, layout=layout)
