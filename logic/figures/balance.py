"""The TTP-or-B12 balance: each feature's pull towards TTP (left) or B12 pseudo-TMA (right).

Bars are the weights of ``logic.tma.balance`` (Cobalt's own reading, no validated score); an
estimated quantity is hatched and says so; a feature that fits both is a grey dot at zero; a pull
towards B12 held back until B12 deficiency is shown is an open bar marked "held" (it does not count).
The sum and the leaning cut-offs are written under the title: they apply to the sum, not to a bar.
"""

from __future__ import annotations

import plotly.graph_objects as go

from logic.figures.common import OKABE_ITO, _base_layout

TTP_COLOUR = OKABE_ITO["vermillion"]
B12_COLOUR = OKABE_ITO["green"]


def balance_figure(
    rows: list[tuple], total: float, ttp_cut: float, b12_cut: float, decided_by: str | None
) -> go.Figure:
    """``rows`` are (label with value, weight, estimated[, held]), top to bottom; ``held`` is a pull
    towards B12 held back (drawn open, not counted). ``decided_by`` names what decided the leaning
    when the sum did not (a safety rule, ADAMTS13...), or None."""
    rows = [(*r, 0.0) if len(r) == 3 else tuple(r) for r in rows]
    labels = [label + (" (estimated)" if est else "") + (" (held)" if held else "") for label, _, est, held in rows]
    weights = [w for _, w, _, _ in rows]
    shown = [held if held else w for _, w, _, held in rows]
    colours = [TTP_COLOUR if w < 0 else B12_COLOUR if w > 0 else OKABE_ITO["grey"] for w in shown]
    fills = ["rgba(0,0,0,0)" if held else c for (_, _, _, held), c in zip(rows, colours, strict=True)]
    patterns = ["/" if est else "" for _, _, est, _ in rows]
    span = max([abs(w) for w in shown] + [2.0]) + 0.8
    words = [f"held {held:+g}" if held else f"{w:+g}" if w else "fits both" for _, w, _, held in rows]
    fig = go.Figure(
        go.Bar(
            x=shown,
            y=labels,
            orientation="h",
            marker=dict(color=fills, line=dict(color=colours, width=1.5),
                        pattern=dict(shape=patterns, solidity=0.45)),  # fmt: skip
            text=words,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:+g}<extra></extra>",
        )
    )
    zero_rows = [label for label, w, (_, _, _, held) in zip(labels, weights, rows, strict=True) if w == 0 and not held]
    if zero_rows:
        fig.add_trace(
            go.Scatter(
                x=[0] * len(zero_rows),
                y=zero_rows,
                mode="markers",
                marker=dict(color=OKABE_ITO["grey"], size=9),
                hoverinfo="skip",
            )
        )
    fig.add_shape(
        type="line", x0=0, x1=0, y0=-0.5, y1=len(labels) - 0.5, line=dict(color=OKABE_ITO["grey"], width=1)
    )
    fig.update_yaxes(autorange="reversed", fixedrange=True, automargin=True)
    fig.update_xaxes(range=[-span, span], fixedrange=True, zeroline=False, title=None, showticklabels=False)
    sub = f"Sum {total:+g}: Cobalt leans TTP at {ttp_cut:g} or below, B12 at +{b12_cut:g} or above"
    if decided_by:
        sub = f"Sum {total:+g}, but decided by {decided_by}"
    title = f"← towards TTP · towards B12 pseudo-TMA →<br><sup>{sub}</sup>"
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center", font=dict(size=13)), bargap=0.35)
    fig = _base_layout(fig, 80 + 34 * max(len(labels), 1))
    fig.update_layout(margin=dict(l=10, r=36, t=56, b=10))
    return fig
