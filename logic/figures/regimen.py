"""The regimen planner's figure: injections by phase over time, with the estimated body store."""

from __future__ import annotations

import plotly.graph_objects as go

from logic.figures.common import OKABE_ITO, _base_layout

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
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.38, 0.62],
        subplot_titles=("Doses by phase", "Cumulative dose and estimated body stores (mg)"),
    )
    traces, rows = [], []  # added in one call: plotly checks the figure's data once, not once per trace
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
    fig.add_traces(traces, rows=rows, cols=[1] * len(rows))
    fig.update_yaxes(title_text="mg", row=2, col=1, rangemode="tozero")
    fig.update_yaxes(fixedrange=True, row=1, col=1)
    fig = _base_layout(fig, 460)
    fig.update_layout(
        showlegend=True, legend=dict(orientation="h", y=-0.12), margin=dict(l=10, r=10, t=40, b=10), hovermode="closest"
    )
    fig.update_annotations(font_size=12, xanchor="left", x=0)
    return fig
