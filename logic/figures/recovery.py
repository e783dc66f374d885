"""The recovery figure: doses given and planned over platelets and reticulocytes on one time axis."""

from __future__ import annotations

import plotly.graph_objects as go

from logic.diagnosis import grade_cuts
from logic.figures.common import OKABE_ITO, stacked_rows
from logic.figures.regimen import PHASE_COLOURS


def recovery_figure(
    start,
    doses,
    series: dict,
    today,
    lln_platelets: float,
    retic_window: tuple[int, int],
    retic_target_pct: float,
    extra: tuple[str, ...] = (),
) -> go.Figure:
    """Doses (given vs planned) over platelets and reticulocytes on one date axis, with day-of-treatment
    marks, the platelet reference and CTCAE v5 grade lines, the expected reticulocyte window and a
    "today" line. ``series`` maps analyte -> observations; ``extra`` adds haemoglobin and/or LDH rows.
    No expected platelet band is drawn: none is published."""
    from datetime import timedelta

    retic_key = "reticulocytes_pct" if series.get("reticulocytes_pct") else "reticulocytes_abs"
    rows = ["doses", "platelets", retic_key, *extra]
    titles = {
        "doses": "",  # no title over the dose row: it took the top edge, where the day marks are; its rows say it
        "platelets": "Platelets (10^9/L)",
        "reticulocytes_pct": "Reticulocytes (%)",
        "reticulocytes_abs": "Reticulocytes (10^9/L)",
        "hemoglobin": "Haemoglobin (g/dL)",
        "ldh": "LDH (U/L)",
    }
    heights = {"doses": 0.12}
    weights = [heights.get(r, 0.3) for r in rows]
    layout, domains = stacked_rows([w / sum(weights) for w in weights], 0.05, [titles[r] for r in rows])
    traces: list = []  # each with its row's axes; the figure is built once at the end (no make_subplots)

    def add(trace, row: int) -> None:
        suffix = "" if row == 1 else str(row)
        trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        traces.append(trace)

    def day_text(d):
        return f"day {(d - start).days}"

    for status, symbol in (("given", "circle"), ("planned", "circle-open")):
        pts = [x for x in doses if x.status == status]
        if pts:
            add(
                go.Scatter(
                    x=[p.date for p in pts],
                    y=[f"B12 {status}"] * len(pts),
                    mode="markers",
                    name=f"dose {status}",
                    marker=dict(
                        symbol=symbol,
                        size=10,
                        color=[PHASE_COLOURS.get(p.phase, OKABE_ITO["sky"]) for p in pts],
                        line=dict(width=2, color=[PHASE_COLOURS.get(p.phase, OKABE_ITO["sky"]) for p in pts]),
                    ),
                    text=[
                        f"{p.date:%a %d %b} ({day_text(p.date)}): {p.dose_mcg:g} mcg, {p.phase}, {status}" for p in pts
                    ],
                    hovertemplate="%{text}<extra></extra>",
                ),
                1,
            )
    colours = {
        "platelets": OKABE_ITO["vermillion"],
        "reticulocytes_pct": OKABE_ITO["blue"],
        "reticulocytes_abs": OKABE_ITO["blue"],
        "hemoglobin": OKABE_ITO["purple"],
        "ldh": OKABE_ITO["orange"],
    }
    # reference lines as plain layout shapes: plotly's add_hline/add_vline on subplots cost ~50 ms each
    shapes: list[dict] = []
    notes: list[dict] = []

    def hline(row: int, y: float, text: str, colour: str, dash: str, right: bool = False) -> None:
        yref = "y" if row == 1 else f"y{row}"
        shapes.append(
            dict(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                yref=yref,
                y0=y,
                y1=y,
                line=dict(color=colour, width=1, dash=dash),
            )
        )
        notes.append(
            dict(
                xref="paper",
                x=1 if right else 0,
                xanchor="right" if right else "left",
                yref=yref,
                y=y,
                yanchor="bottom",
                text=text,
                showarrow=False,
                font=dict(size=10, color=colour),
            )
        )

    for i, key in enumerate(rows[1:], start=2):
        obs = [o for o in series.get(key, ()) if not isinstance(o.canonical, bool)]
        if obs:
            add(
                go.Scatter(
                    x=[o.date for o in obs],
                    y=[float(o.canonical) for o in obs],
                    mode="lines+markers",
                    name=titles[key],
                    line=dict(color=colours[key]),
                    marker=dict(size=8),
                    text=[f"{o.date:%a %d %b} ({day_text(o.date)}): {o.label.lower()} {o.display()}" for o in obs],
                    hovertemplate="%{text}<extra></extra>",
                ),
                i,
            )
        if key == "platelets":
            lines = [(lln_platelets, "lower limit")] + [
                (below, f"G{grade} below {below:g}")
                for grade, below in grade_cuts("platelets", lln_platelets)
                if grade > 1
            ]
            for y, label in sorted(lines, reverse=True):
                hline(i, y, label, OKABE_ITO["grey"], "dash" if y == lln_platelets else "dot")
        if key.startswith("reticulocytes"):
            lo, hi = domains[i - 1]  # paper coordinates of this row
            shapes.append(
                dict(
                    type="rect",
                    xref="x",
                    x0=start + timedelta(days=retic_window[0]),
                    x1=start + timedelta(days=retic_window[1]),
                    yref="paper",
                    y0=lo,
                    y1=hi,
                    fillcolor=OKABE_ITO["sky"],
                    opacity=0.15,
                    line_width=0,
                    layer="below",
                )
            )
            if key == "reticulocytes_pct":
                hline(i, retic_target_pct, "twice normal", OKABE_ITO["blue"], "dot", right=True)
        layout[f"yaxis{i}"].update(rangemode="tozero", fixedrange=True)
    layout["yaxis"].update(fixedrange=True)

    def vline(x, text: str, colour: str, width: float, size: int, **note) -> None:
        shapes.append(
            dict(type="line", xref="x", x0=x, x1=x, yref="paper", y0=0, y1=1, line=dict(color=colour, width=width))
        )
        notes.append(
            dict(
                x=x,
                xref="x",
                y=1.0,
                yref="paper",
                text=text,
                showarrow=False,
                yanchor="bottom",
                font=dict(size=size, color=colour),
                **note,
            )
        )

    for d in (0, 7, 14, 28, 56):
        vline(start + timedelta(days=d), f"d{d}", OKABE_ITO["grey"], 0.5, 10)
    if today is not None:
        vline(today, "today", OKABE_ITO["green"], 2, 11, xanchor="left", yshift=13)  # above the day marks
    layout["annotations"] += notes
    # open on the treatment so far (plus three weeks ahead); later planned doses are a pan away
    seen = [o.date for key in rows[1:] for o in series.get(key, ())] + [today or start]
    for row in range(1, len(rows) + 1):
        layout["xaxis" if row == 1 else f"xaxis{row}"]["range"] = [start - timedelta(days=3),
                                                                   max(seen) + timedelta(days=21)]
    layout.update(
        shapes=shapes,
        height=150 + 230 * (len(rows) - 1),
        margin=dict(l=10, r=10, t=50, b=10),
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
    )
    return go.Figure(data=traces, layout=layout)
