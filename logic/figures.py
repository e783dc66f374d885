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
            xref = "x" if i == 1 else f"x{i}"
            fig.add_shape(
                type="line",
                xref=xref,
                x0=r["divide_at"],
                x1=r["divide_at"],
                yref=f"y{'' if i == 1 else i}",
                y0=-1,
                y1=1.4,
                line=dict(color=OKABE_ITO["grey"], dash="dot", width=1),
            )
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
    for k, (name, sched, est) in enumerate(plans):
        muted = k > 0
        injections = list(sched.injections)
        phases = list(dict.fromkeys(i.phase for i in injections))
        for phase in phases:
            xs = [i.date for i in injections if i.phase == phase]
            doses = [i.dose_mcg for i in injections if i.phase == phase]
            colour = OKABE_ITO["grey"] if muted else PHASE_COLOURS.get(phase, OKABE_ITO["sky"])
            fig.add_trace(
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
                ),
                row=1,
                col=1,
            )
        total, cum_x, cum_y = 0, [], []
        for inj in injections:
            total += inj.dose_mcg
            cum_x.append(inj.date)
            cum_y.append(total / 1000)
        dash = "dot" if muted else "solid"
        fig.add_trace(
            go.Scatter(
                x=cum_x,
                y=cum_y,
                mode="lines",
                line=dict(shape="hv", dash=dash, color=OKABE_ITO["grey"] if muted else OKABE_ITO["blue"]),
                name=f"cumulative dose ({name})",
                hovertemplate="%{y:.1f} mg given<extra></extra>",
            ),
            row=2,
            col=1,
        )
        if est is not None:
            fig.add_trace(
                go.Scatter(
                    x=list(est.dates),
                    y=[v / 1000 for v in est.store_mcg],
                    mode="lines",
                    line=dict(dash=dash, color=OKABE_ITO["grey"] if muted else OKABE_ITO["green"]),
                    name=f"estimated stores ({name})",
                    hovertemplate="estimate %{y:.2f} mg<extra></extra>",
                ),
                row=2,
                col=1,
            )
    fig.update_yaxes(title_text="mg", row=2, col=1, rangemode="tozero")
    fig.update_yaxes(fixedrange=True, row=1, col=1)
    fig = _base_layout(fig, 460)
    fig.update_layout(
        showlegend=True, legend=dict(orientation="h", y=-0.12), margin=dict(l=10, r=10, t=40, b=10), hovermode="closest"
    )
    fig.update_annotations(font_size=12, xanchor="left", x=0)
    return fig


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

    from plotly.subplots import make_subplots

    retic_key = "reticulocytes_pct" if series.get("reticulocytes_pct") else "reticulocytes_abs"
    rows = ["doses", "platelets", retic_key, *extra]
    titles = {
        "doses": "B12 doses",
        "platelets": "Platelets (10^9/L)",
        "reticulocytes_pct": "Reticulocytes (%)",
        "reticulocytes_abs": "Reticulocytes (10^9/L)",
        "hemoglobin": "Haemoglobin (g/dL)",
        "ldh": "LDH (U/L)",
    }
    heights = {"doses": 0.12}
    weights = [heights.get(r, 0.3) for r in rows]
    fig = make_subplots(
        rows=len(rows),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.05,
        row_heights=[w / sum(weights) for w in weights],
        subplot_titles=[titles[r] for r in rows],
    )

    def day_text(d):
        return f"day {(d - start).days}"

    for status, symbol in (("given", "circle"), ("planned", "circle-open")):
        pts = [x for x in doses if x.status == status]
        if pts:
            fig.add_trace(
                go.Scatter(
                    x=[p.date for p in pts],
                    y=[status] * len(pts),
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
                row=1,
                col=1,
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
            fig.add_trace(
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
                row=i,
                col=1,
            )
        if key == "platelets":
            for y, label in (
                (lln_platelets, "lower limit"),
                (75, "G2 below 75"),
                (50, "G3 below 50"),
                (25, "G4 below 25"),
            ):
                hline(i, y, label, OKABE_ITO["grey"], "dash" if y == lln_platelets else "dot")
        if key.startswith("reticulocytes"):
            lo, hi = fig.layout[f"yaxis{i}"].domain  # paper coordinates of this row
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
        fig.update_yaxes(rangemode="tozero", fixedrange=True, row=i, col=1)
    fig.update_yaxes(fixedrange=True, row=1, col=1)

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
        vline(today, "today", OKABE_ITO["green"], 2, 11, xanchor="left")
    fig.update_layout(shapes=shapes, annotations=list(fig.layout.annotations) + notes)
    # open on the treatment so far (plus three weeks ahead); later planned doses are a pan away
    seen = [o.date for key in rows[1:] for o in series.get(key, ())] + [today or start]
    fig.update_xaxes(range=[start - timedelta(days=3), max(seen) + timedelta(days=21)])
    fig = _base_layout(fig, 150 + 230 * (len(rows) - 1))
    fig.update_layout(showlegend=False, margin=dict(l=10, r=10, t=50, b=10), hovermode="closest")
    return fig
