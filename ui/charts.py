"""Built figures cached, keyed on plain inputs (case document, dates, knobs).

Building a plotly figure costs 10-40 ms; handing a built figure to st.plotly_chart costs ~4 ms.
Figures are never changed after they are built, so one shared object per key is safe. The figures made
from a case are cached per browser session (``scope="session"``, a few each): Streamlit drops them when the
session ends, so a closed session leaves no figure (nor its case's values) in the process.
"""

from __future__ import annotations

import json
from datetime import date

import streamlit as st

from logic import figures
from logic.case import parse_case
from logic.recovery import dose_course, expected, response
from logic.reference import threshold_set
from logic.regimen import (
    StoreParams,
    build_regimen,
    build_schedule,
    estimate_stores,
)


@st.cache_resource(max_entries=8, show_spinner=False, scope="session")
def recovery_chart(doc_json: str, as_of: date, tid: str, extra: tuple[str, ...], plan_json: str):
    case = parse_case(json.loads(doc_json))
    plan = json.loads(plan_json)
    start = date.fromisoformat(plan["start"]) if plan.get("start") else case.treatment_start
    planned = build_schedule(build_regimen(plan["preset"], **plan["knobs"]), start).injections
    resp = response(case, as_of, tid)
    r = expected()["reticulocytes"]
    return figures.recovery_figure(
        case.treatment_start,
        dose_course(planned, case.doses),
        resp.series,
        as_of,
        threshold_set(tid)["platelets_lln"],
        (int(r["rise_from_day"]["value"]), int(r["window_end_day"]["value"])),
        r["sustain_multiple"]["value"] * r["reference_upper_pct"]["value"],
        extra,
    )


@st.cache_resource(max_entries=8, show_spinner=False, scope="session")
def balance_chart(rows: tuple[tuple[str, float, bool], ...], total: float, ttp_cut: float, b12_cut: float,
                  decided_by: str | None):
    return figures.balance_figure(list(rows), total, ttp_cut, b12_cut, decided_by)


@st.cache_resource(max_entries=8, show_spinner=False, scope="session")
def regimen_chart(plans_json: str, start: date, initial_mcg: float, loss: str):
    params = StoreParams(initial_store_mcg=initial_mcg, daily_loss=loss)
    plans = []
    for name, preset_id, knobs in json.loads(plans_json):
        sched = build_schedule(build_regimen(preset_id, **knobs), start)
        plans.append((name, sched, estimate_stores(sched, params, step_days=7)))
    return figures.regimen_figure(plans)


@st.cache_resource(max_entries=4, show_spinner=False, scope="session")
def b12_chart(value_ng_l: float | None, tid: str, comparator: str | None) -> str:
    """The B12 scale as SVG markup, for st.image."""
    return figures.b12_band_svg(value_ng_l, threshold_set(tid), comparator)
