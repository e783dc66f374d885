"""TTP or B12? Which way a thrombocytopenic, haemolytic picture points, and what would settle it.

No validated published score separates B12 pseudo-TMA from TTP (``cobalt_tma_leaning``). This
module is Cobalt's reading of the evidence, for a clinician to weigh; it never orders or
withholds a treatment. Values are the diagnosis baseline (``Diagnosis.values``); ADAMTS13 is read
from every result: any result below 10 % counts, otherwise the earliest one (plasma raises it).

Evidence used:

- ISTH 2020 (Zheng, J Thromb Haemost): ADAMTS13 activity <10 % is positive for TTP, >20 %
  negative, 10-20 % neither. Bendapudi 2017 defines severe deficiency as <=10 %.
- Case Rep Hematol 2017 (1923607): TTP with ADAMTS13 <10 % and pernicious anaemia together.
- Noel 2013 (QJM; 7 pseudo-TMA vs 6 TTP, medians): LDH 7310 vs 1460 U/L; platelets 73 vs 12.5;
  reticulocytes 13.1 vs 265.5; neutrophils 1.3 vs 5.1 x10^9/L. A value is said to be *nearer*
  a group when it lies on that group's side of the geometric mean of the two medians (the
  midpoint on the logarithmic scale the chart uses): LDH 3267 U/L, platelets 30.21,
  reticulocytes 58.97, neutrophils 2.575 x10^9/L.
- Tran 2018 (41 published cases): reticulocyte production index below 3 in every case; median
  LDH 3981 U/L; plasma therapy given in 14 (34 %). Hillman & Finch: RPI below 2 is an
  inadequate marrow response. Andres 2006: pseudo-TMA in 2.5 % of 201 deficient patients.

Leaning, in order (unknown is never read as no):

1. ADAMTS13 <10 % -> ``ttp``, whatever else (TTP can coexist with pernicious anaemia).
2. Platelets known not low -> ``not_tma``; no platelet count -> ``indeterminate``.
3. Thrombocytopenia with haemolysis known absent and no schistocytes seen -> ``not_tma``;
   haemolysis and film both unknown -> ``indeterminate`` (LDH, haptoglobin, film decide).
4. Thrombocytopenia with haemolysis or schistocytes (the TMA picture):
   - ADAMTS13 >20 % (TTP unlikely): B12 deficient -> ``b12_pseudo_tma`` unless the marrow
     responds briskly (RPI >=3 or reticulocytes nearer the TTP median: seen in no published
     pseudo-TMA case) -> ``indeterminate``. B12 unlikely -> ``other_tma``. B12 unknown or
     indeterminate -> ``indeterminate`` if a B12-specific feature is present (macrocytosis,
     RPI <2, reticulocytes or neutrophils nearer the pseudo-TMA median, hypersegmented
     neutrophils), else ``other_tma`` with B12 listed as still to check. LDH and platelets do
     not count here: Noel compared pseudo-TMA with TTP, not with other TMAs.
   - ADAMTS13 not known (not sent, pending, censored across 10 %) or 10-20 %: the case format
     has no "pending" state, so a missing result is read as pending. B12 deficient ->
     ``b12_pseudo_tma`` only when the picture is strongly B12-like: a low marrow response
     (RPI <2 or reticulocytes nearer the pseudo-TMA median) AND LDH nearer the pseudo-TMA
     median AND no value nearer the TTP median AND PLASMIC not high; the reasons say ADAMTS13
     settles it. Otherwise ``indeterminate``. B12 not deficient (unlikely or unknown), nothing
     pointing to B12 and something pointing to TTP (a value nearer the TTP median, RPI >=3 or
     PLASMIC high) -> ``ttp``. Otherwise ``indeterminate``.

Every ``indeterminate`` lists the tests that would decide it (``deciding_tests``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logic import bands
from logic.case import Case, Observation
from logic.diagnosis import DEFICIENT, INDETERMINATE, UNLIKELY, Diagnosis
from logic.plasmic import PlasmicResult
from logic.reference import ThresholdSet, load_json, threshold_set
from logic.results import Alert, NextTest, Note

B12_SIDE, TTP_SIDE = "b12_pseudo_tma", "ttp"
LEANINGS = ("b12_pseudo_tma", "ttp", "other_tma", "not_tma", "indeterminate")
ADAMTS13_STATES = ("severe", "borderline", "not_deficient", "unknown")

TEST_LABELS = {
    "adamts13": "ADAMTS13 activity (sample before any plasma)",
    "b12": "Serum B12 (or active B12), before the first injection",
    "mma": "Methylmalonic acid (MMA)",
    "reticulocytes": "Reticulocyte count (for the production index)",
    "ldh": "LDH",
    "haptoglobin": "Haptoglobin",
    "bilirubin": "Bilirubin (indirect)",
    "blood_film": "Blood film (schistocytes, hypersegmented neutrophils)",
    "cbc": "Full blood count with differential",
}


@lru_cache(maxsize=1)
def groups() -> dict[str, Any]:
    """``data/tma_groups.json``: group medians, pooled figures and ADAMTS13 cut-offs."""
    return load_json("tma_groups.json")


def _note(key: str) -> Note:
    entry = groups()[key]
    return Note(entry["text"], tuple(entry["refs"]))


@dataclass(frozen=True)
class Comparison:
    """One value of the patient beside the published groups; ``points_to`` names the nearer group."""

    analyte: str
    label: str
    unit: str
    patient: float | None
    patient_display: str | None
    date: str | None
    pseudo_tma_median: float | None
    ttp_median: float | None
    pseudo_tma_text: str
    ttp_text: str
    divide_at: float | None
    points_to: str | None
    note: str
    refs: tuple[str, ...]
    log_scale: bool = False


@dataclass(frozen=True)
class Adamts13:
    """ADAMTS13 state: 'severe' (<10 %), 'borderline' (10-20 %), 'not_deficient' (>20 %), 'unknown'."""

    status: str
    observation: Observation | None
    text: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Marker:
    """A B12 marker as entered, for display beside the comparison."""

    analyte: str
    label: str
    value: str
    date: str


@dataclass(frozen=True)
class TmaResult:
    leaning: str
    hemolysis: bool | None
    thrombocytopenia: bool | None
    schistocytes: bool | None
    reasons: tuple[Note, ...]
    deciding_tests: tuple[NextTest, ...]
    comparison: tuple[Comparison, ...]
    alerts: tuple[Alert, ...]
    adamts13: Adamts13
    b12_status: str
    b12_markers: tuple[Marker, ...]
    context: tuple[Note, ...]
    no_validated_rule: Note
    thresholds_id: str

    def row(self, analyte: str) -> Comparison:
        return next(c for c in self.comparison if c.analyte == analyte)


# -- pieces -------------------------------------------------------------------------


def _shown(obs: Observation) -> str:
    return f"{obs.display()} ({obs.date.isoformat()})"


def adamts13_state(case: Case) -> Adamts13:
    """Read ADAMTS13 from every result: any <10 % is severe; otherwise the earliest decides."""
    g = groups()["adamts13"]
    severe, normal = g["severe_below"], g["not_deficient_above"]
    refs = tuple(g["refs"])
    series = case.series("adamts13_activity")
    for obs in series:
        if bands.below(obs, severe):
            return Adamts13(
                "severe",
                obs,
                f"ADAMTS13 activity {_shown(obs)} is below {severe:g} %: severe deficiency, which means TTP.",
                refs,
            )
    if not series:
        return Adamts13(
            "unknown",
            None,
            "ADAMTS13 activity: no result (not sent, or pending). It settles the "
            f"question of TTP: below {severe:g} % means TTP, above {normal:g} % makes it unlikely.",
            refs,
        )
    first = series[0]
    if bands.above(first, normal):
        return Adamts13(
            "not_deficient", first, f"ADAMTS13 activity {_shown(first)} is above {normal:g} %: TTP is unlikely.", refs
        )
    if bands.below(first, severe) is False and bands.above(first, normal) is False:
        return Adamts13(
            "borderline",
            first,
            f"ADAMTS13 activity {_shown(first)} is between {severe:g} and "
            f"{normal:g} %: neither confirms nor excludes TTP; discuss with haematology.",
            refs,
        )
    return Adamts13(
        "unknown",
        first,
        f"ADAMTS13 activity {_shown(first)} is a censored value that spans the "
        f"{severe:g} / {normal:g} % cut-offs: not decisive.",
        refs,
    )


def _side(obs: Observation | None, divide: float, high_side: str, low_side: str) -> str | None:
    if bands.above(obs, divide):
        return high_side
    if bands.below(obs, divide):
        return low_side
    return None


def _median_rows(values: dict[str, Observation]) -> list[Comparison]:
    g = groups()
    out = []
    for row in g["medians"]:
        b12_med, ttp_med = float(row["b12_pseudo_tma"]), float(row["ttp"])
        divide = float(f"{math.sqrt(b12_med * ttp_med):.4g}")
        obs = values.get(row["analyte"])
        hi, lo = (B12_SIDE, TTP_SIDE) if b12_med > ttp_med else (TTP_SIDE, B12_SIDE)
        points = _side(obs, divide, hi, lo)
        n_b12, n_ttp = g["groups"][B12_SIDE]["n"], g["groups"][TTP_SIDE]["n"]
        if obs is None:
            note = "No result."
        elif points is None:
            note = f"{obs.display()} cannot be placed: censored across {divide:g}."
        else:
            group = "B12 pseudo-TMA" if points == B12_SIDE else "TTP"
            note = f"{obs.display()} is nearer the {group} median (divide at {divide:g} {row['unit']})."
        out.append(
            Comparison(
                row["analyte"],
                row["label"],
                row["unit"],
                None if obs is None else float(obs.canonical),
                None if obs is None else obs.display(),
                None if obs is None else obs.date.isoformat(),
                b12_med,
                ttp_med,
                f"median {b12_med:g} (n={n_b12})",
                f"median {ttp_med:g} (n={n_ttp})",
                divide,
                points,
                note,
                tuple(row["refs"]) + ("cobalt_tma_leaning",),
                bool(row.get("log_scale")),
            )
        )
    return out


def _ldh_uln_row(values: dict[str, Observation], t: ThresholdSet) -> Comparison:
    ldh, uln = values.get("ldh"), t["ldh_uln"]
    ratio = None if ldh is None else round(float(ldh.canonical) / uln, 1)
    pooled = groups()["pooled"]
    note = (
        f"Upper limit {uln:g} U/L from the threshold set '{t.id}'; laboratories differ."
        if ldh is not None
        else "No LDH result."
    )
    return Comparison(
        "ldh_x_uln",
        "LDH as a multiple of the upper limit",
        "x ULN",
        ratio,
        None if ratio is None else f"{ldh.comparator or ''}{ratio:g} x ULN",
        None if ldh is None else ldh.date.isoformat(),
        None,
        None,
        f"pooled median LDH {pooled['ldh_median']:g} U/L (Tran 2018)",
        "median LDH 1460 U/L (Noel 2013)",
        None,
        None,
        note,
        t.get("ldh_uln").refs + ("park_alm_2023", "tran_2018"),
        False,
    )


def _rpi_row(diagnosis: Diagnosis, values: dict[str, Observation], t: ThresholdSet) -> Comparison:
    rpi = diagnosis.reticulocyte_production_index
    low_cut, b12_max = t["rpi_inadequate_below"], groups()["rpi"]["b12_below"]
    if rpi is None:
        points, note = None, "Not computed: needs a reticulocyte percentage and a haematocrit or haemoglobin."
    elif rpi < low_cut:
        points, note = B12_SIDE, f"Below {low_cut:g}: the marrow is not keeping up, as in B12 deficiency."
    elif rpi >= b12_max:
        points, note = (
            TTP_SIDE,
            (
                f"{b12_max:g} or above: a brisk marrow response, seen in no published pseudo-TMA "
                "case; it fits peripheral haemolysis such as TTP."
            ),
        )
    else:
        points, note = None, f"Between {low_cut:g} and {b12_max:g}: not decisive."
    retic = values.get("reticulocytes_pct")
    return Comparison(
        "rpi",
        "Reticulocyte production index",
        "index",
        None if rpi is None else round(rpi, 2),
        None if rpi is None else f"{rpi:.1f}",
        None if retic is None else retic.date.isoformat(),
        None,
        None,
        f"below {b12_max:g} in all {groups()['pooled']['cases']} published cases",
        "raised (brisk marrow response)",
        None,
        points,
        note,
        tuple(groups()["rpi"]["refs"]) + t.get("rpi_inadequate_below").refs,
        False,
    )


def _mcv_row(values: dict[str, Observation], t: ThresholdSet) -> Comparison:
    mcv, ferritin = values.get("mcv"), values.get("ferritin")
    macro_cut = t["mcv_macrocytic_above"]
    macro = bands.above(mcv, macro_cut)
    note = groups()["mcv"]["text"]
    if bands.below(ferritin, t["ferritin_iron_deficient_below"]):
        note = f"Ferritin {ferritin.display()} is low: iron deficiency may be hiding macrocytosis. " + note
    return Comparison(
        "mcv",
        "MCV",
        "fL",
        None if mcv is None else float(mcv.canonical),
        None if mcv is None else mcv.display(),
        None if mcv is None else mcv.date.isoformat(),
        None,
        None,
        f"usually above {macro_cut:g} fL",
        "usually normal",
        None,
        B12_SIDE if macro else None,
        note,
        tuple(groups()["mcv"]["refs"]) + t.get("mcv_macrocytic_above").refs,
        False,
    )


def comparisons(diagnosis: Diagnosis, values: dict[str, Observation], t: ThresholdSet) -> tuple[Comparison, ...]:
    """LDH, platelets, reticulocytes, neutrophils against the group medians; LDH x ULN, RPI, MCV."""
    rows = _median_rows(values)
    rows.insert(1, _ldh_uln_row(values, t))
    rows += [_rpi_row(diagnosis, values, t), _mcv_row(values, t)]
    return tuple(rows)


def _finding(diagnosis: Diagnosis, fid: str) -> bool | None:
    return next((f.present for f in diagnosis.findings if f.id == fid), None)


def _b12_markers(values: dict[str, Observation]) -> tuple[Marker, ...]:
    out = []
    for analyte in ("b12", "holotc", "mma", "homocysteine", "folate"):
        obs = values.get(analyte)
        if obs is not None:
            out.append(Marker(analyte, obs.label, obs.display(), obs.date.isoformat()))
    return tuple(out)


def _lower(label: str) -> str:
    """'Platelets' -> 'platelets', but 'LDH' and 'MCV' stay as they are."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _listing(rows: list[Comparison]) -> str:
    return ", ".join(f"{_lower(r.label)} {r.patient_display}" for r in rows)


# -- the leaning ------------------------------------------------------------------------


def tma(case: Case, diagnosis: Diagnosis, plasmic_result: PlasmicResult, thresholds: str | None = None) -> TmaResult:
    """Which way the picture points (see the module docstring), with reasons, tests and alerts."""
    t = threshold_set(thresholds or diagnosis.thresholds_id)
    values = diagnosis.values or case.baseline()
    g = groups()
    plt = values.get("platelets")
    thr = bands.below(plt, t["platelets_lln"])
    hem = diagnosis.hemolysis
    sch = _finding(diagnosis, "schistocytes")
    b12 = diagnosis.b12.status
    adamts = adamts13_state(case)
    rows = comparisons(diagnosis, values, t)
    by = {r.analyte: r for r in rows}
    b12_points = [r for r in rows if r.points_to == B12_SIDE]
    ttp_points = [r for r in rows if r.points_to == TTP_SIDE]
    hyperseg = values.get("hypersegmented_neutrophils")
    specific = [r for r in b12_points if r.analyte in ("mcv", "rpi", "reticulocytes_abs", "neutrophils")]
    marrow_low = by["rpi"].points_to == B12_SIDE or by["reticulocytes_abs"].points_to == B12_SIDE
    marrow_brisk = by["rpi"].points_to == TTP_SIDE or by["reticulocytes_abs"].points_to == TTP_SIDE
    # say which evidence makes the marrow look brisk: Tran 2018's "RPI below 3 in every case" is about the
    # index; an absolute count nearer the TTP median is only a comparison with Noel's small groups
    brisk_text = (
        "the reticulocyte production index is 3 or more, which no published pseudo-TMA case showed"
        if by["rpi"].points_to == TTP_SIDE
        else "the absolute reticulocyte count is nearer the TTP median than the pseudo-TMA median (small groups)"
    )
    plasmic_high = plasmic_result.risk == "high"
    lean_refs = ("cobalt_tma_leaning",)

    reasons: list[Note] = []
    tests: list[NextTest] = []

    def need(tid: str, reason: str, refs: tuple[str, ...]) -> None:
        if all(n.id != tid for n in tests):
            tests.append(NextTest(tid, TEST_LABELS[tid], reason, refs))

    # the picture
    plt_text = "no platelet count" if plt is None else f"platelets {_shown(plt)}"
    hem_text = {True: "haemolysis present", False: "no haemolysis", None: "haemolysis not shown either way"}[hem]
    sch_text = {True: "schistocytes seen", False: "no schistocytes", None: "no blood film result"}[sch]
    reasons.append(
        Note(
            f"Picture: {plt_text}{' (low)' if thr else ''}; {hem_text}; {sch_text}.",
            ("icsh_2021_schistocytes", "bendapudi_2017") + t.get("platelets_lln").refs,
        )
    )
    reasons.append(Note(adamts.text, adamts.refs))
    if b12 != DEFICIENT or adamts.status != "severe":
        reasons.append(Note(diagnosis.b12.headline.rstrip(".") + ".", ("nice_ng239",)))
    if b12_points and thr is not False:
        reasons.append(
            Note("Nearer B12 pseudo-TMA: " + _listing(b12_points) + ".", ("noel_qjm_2013", "tran_2018") + lean_refs)
        )
    if ttp_points and thr is not False:
        reasons.append(Note("Nearer TTP: " + _listing(ttp_points) + ".", ("noel_qjm_2013", "tran_2018") + lean_refs))
    if hyperseg is not None and hyperseg.value:
        reasons.append(
            Note(
                "Hypersegmented neutrophils seen: they point to megaloblastic (B12 or folate) anaemia.",
                ("stabler_nejm_2013",),
            )
        )

    # the rule
    picture = thr is True and (hem is True or sch is True)
    if adamts.status == "severe":
        leaning = "ttp"
        if b12 == DEFICIENT:
            reasons.append(
                Note("B12 is deficient as well: " + g["coexistence"]["text"], tuple(g["coexistence"]["refs"]))
            )
    elif thr is False:
        leaning = "not_tma"
        reasons.append(
            Note(
                f"Platelets {plt.display()} are not low: without thrombocytopenia this is not a "
                "thrombotic microangiopathy picture (B12 deficiency can cause haemolysis without one).",
                t.get("platelets_lln").refs + ("andres_2006",),
            )
        )
    elif thr is None:
        leaning = "indeterminate"
        reasons.append(
            Note(
                "No platelet count (or a censored one that spans the lower limit): a TMA needs thrombocytopenia.",
                t.get("platelets_lln").refs,
            )
        )
        need("cbc", "A platelet count decides whether this could be a TMA at all.", ("ctcae_v5",))
    elif hem is False and sch is not True:
        leaning = "not_tma"
        reasons.append(
            Note(
                "Thrombocytopenia without haemolysis"
                + (" or schistocytes" if sch is False else " (no film reported)")
                + ": not a microangiopathic picture.",
                ("bendapudi_2017",),
            )
        )
    elif not picture:
        leaning = "indeterminate"
        reasons.append(
            Note(
                "Thrombocytopenia, but haemolysis is not shown either way and no schistocytes are "
                "reported: the haemolysis markers and a blood film decide whether this is a TMA.",
                ("icsh_2021_schistocytes", "bendapudi_2017"),
            )
        )
    elif adamts.status == "not_deficient":
        if b12 == DEFICIENT and marrow_brisk:
            leaning = "indeterminate"
            reasons.append(
                Note(
                    f"B12 is deficient, but {brisk_text}: consider another TMA with coexisting B12 deficiency.",
                    ("tran_2018",) + lean_refs,
                )
            )
        elif b12 == DEFICIENT:
            leaning = "b12_pseudo_tma"
            reasons.append(
                Note(
                    "TTP is unlikely at this ADAMTS13 level and B12 is deficient: the picture points to "
                    "B12 pseudo-TMA. If it does not respond to B12, look for another TMA.",
                    ("isth_ttp_2020", "tran_2018") + lean_refs,
                )
            )
        elif b12 == UNLIKELY:
            leaning = "other_tma"
            reasons.append(
                Note(
                    "TTP is unlikely at this ADAMTS13 level and B12 deficiency is unlikely: another "
                    "thrombotic microangiopathy (for example HUS, or haemolysis of another cause).",
                    ("isth_ttp_2020",) + lean_refs,
                )
            )
        elif specific or (hyperseg is not None and hyperseg.value):
            leaning = "indeterminate"
            reasons.append(
                Note(
                    "TTP is unlikely at this ADAMTS13 level; B12 status is not settled and some features "
                    "fit B12 deficiency: B12 (and MMA) would decide.",
                    ("isth_ttp_2020",) + lean_refs,
                )
            )
        else:
            leaning = "other_tma"
            reasons.append(
                Note(
                    "TTP is unlikely at this ADAMTS13 level and nothing specific to B12 deficiency is "
                    "recorded (macrocytosis, a low reticulocyte response, neutropenia, hypersegmented "
                    "neutrophils; LDH and platelets separate B12 from TTP, not from other TMAs). But B12 "
                    "is "
                    + ("not measured" if b12 != INDETERMINATE else "indeterminate")
                    + ", so B12 pseudo-TMA is not excluded: check it.",
                    ("isth_ttp_2020",) + lean_refs,
                )
            )
    elif b12 == DEFICIENT:
        strong = marrow_low and by["ldh"].points_to == B12_SIDE and not ttp_points and not plasmic_high
        if strong:
            leaning = "b12_pseudo_tma"
            reasons.append(
                Note(
                    "Strongly B12-like: B12 deficient, a low marrow response and LDH nearer the "
                    "pseudo-TMA median, with nothing nearer TTP. ADAMTS13 settles it: below 10 % would "
                    "mean TTP whatever else.",
                    ("tran_2018", "noel_qjm_2013", "isth_ttp_2020") + lean_refs,
                )
            )
        else:
            leaning = "indeterminate"
            gaps = []
            if marrow_brisk:
                gaps.append(brisk_text)
            elif not marrow_low:
                gaps.append("no reticulocyte result shows a low marrow response")
            ldh_row = by["ldh"]
            if ldh_row.patient is None:
                gaps.append("there is no LDH result")
            elif ldh_row.points_to != B12_SIDE and ldh_row not in ttp_points:
                gaps.append(f"LDH {ldh_row.patient_display} cannot be placed")
            if ttp_points:
                gaps.append("nearer TTP: " + _listing(ttp_points))
            if plasmic_high:
                gaps.append("PLASMIC is in the high band")
            reasons.append(
                Note(
                    "B12 is deficient, but without a decisive ADAMTS13 result the picture is not B12-like "
                    "enough to lean on (" + "; ".join(gaps) + "). ADAMTS13 would decide; the features "
                    "above show which way it tilts meanwhile.",
                    ("tran_2018", "noel_qjm_2013", "isth_ttp_2020") + lean_refs,
                )
            )
    elif b12 in (UNLIKELY, "unknown") and not b12_points and (ttp_points or plasmic_high):
        leaning = "ttp"
        why = _listing(ttp_points) if ttp_points else ""
        if plasmic_high:
            why = (why + "; " if why else "") + "PLASMIC in the high band"
        reasons.append(
            Note(
                f"A TTP-like picture ({why}) with nothing pointing to B12"
                + (" (B12 not measured)" if b12 == "unknown" else "")
                + ". ADAMTS13 confirms or refutes it.",
                ("noel_qjm_2013", "isth_ttp_2020") + lean_refs,
            )
        )
    else:
        leaning = "indeterminate"
        reasons.append(
            Note(
                "A microangiopathic picture that the data do not place: ADAMTS13"
                + (" and B12" if b12 not in (DEFICIENT, UNLIKELY) else "")
                + " would decide.",
                ("isth_ttp_2020",) + lean_refs,
            )
        )

    # what would decide it (nothing to add once ADAMTS13 has shown TTP)
    if leaning != "not_tma" and thr is not False and adamts.status != "severe":
        if hem is None:
            for tid, analyte, why in (
                ("ldh", "ldh", "Haemolysis markers show whether this is a TMA."),
                (
                    "haptoglobin",
                    "haptoglobin",
                    "Low or undetectable haptoglobin shows haemolysis (and counts in PLASMIC).",
                ),
                (
                    "bilirubin",
                    "bilirubin_indirect",
                    "Indirect bilirubin above 2 mg/dL counts as haemolysis in PLASMIC.",
                ),
            ):
                if analyte not in values:
                    need(tid, why, ("bendapudi_2017",))
        if sch is None:
            need(
                "blood_film",
                "Schistocytes define the TMA picture (more than 1 % is suspicious); hypersegmented "
                "neutrophils point to B12.",
                ("icsh_2021_schistocytes", "bendapudi_2017"),
            )
        if adamts.status in ("unknown", "borderline"):
            need(
                "adamts13",
                "Below 10 % means TTP whatever else; above 20 % makes TTP unlikely. Take it before any "
                "plasma, which raises the result.",
                ("isth_ttp_2020",),
            )
        if b12 == "unknown":
            need(
                "b12",
                "B12 pseudo-TMA can look like TTP; take the sample before the first injection.",
                ("nice_ng239", "bsh_2014", "tran_2018"),
            )
        if b12 == INDETERMINATE or (b12 == "unknown" and leaning in ("other_tma", "indeterminate", "ttp")):
            need("mma", "MMA settles a B12 result that is indeterminate or missing.", ("sands_bmj_2024",))
        if by["rpi"].patient is None and by["reticulocytes_abs"].patient is None:
            need(
                "reticulocytes",
                "A reticulocyte production index below 3 was found in every published pseudo-TMA "
                "case; a brisk response points away from B12.",
                ("tran_2018", "hillman_finch_rpi"),
            )
        if "ldh" not in values and hem is not None:
            need("ldh", "Very high LDH (pseudo-TMA median 7310 vs 1460 U/L in TTP) favours B12.", ("noel_qjm_2013",))
        if "neutrophils" not in values and picture:
            need("cbc", "Neutrophils: median 1.3 x10^9/L in pseudo-TMA against 5.1 in TTP.", ("noel_qjm_2013",))

    alerts = _alerts(leaning, picture, thr, hem, sch, b12, adamts, plasmic_result)
    context = (_note("frequency"), _note("plasma_therapy_text"), _note("unsourced_claim"), _note("coexistence"))
    return TmaResult(
        leaning,
        hem,
        thr,
        sch,
        tuple(reasons),
        tuple(tests),
        rows,
        tuple(alerts),
        adamts,
        b12,
        _b12_markers(values),
        context,
        _note("no_validated_rule"),
        t.id,
    )


def _alerts(
    leaning: str,
    picture: bool,
    thr: bool | None,
    hem: bool | None,
    sch: bool | None,
    b12: str,
    adamts: Adamts13,
    plasmic_result: PlasmicResult,
) -> list[Alert]:
    """Alerts for the TTP / B12 question. None of them advises withholding plasma exchange."""
    out: list[Alert] = []
    # a TMA question exists once haemolysis or schistocytes are shown; with both unknown the next tests
    # ask for them (warning about plasma exchange at every low platelet count would be noise)
    possible_picture = thr is True and (hem is True or sch is True) and leaning != "not_tma"
    if adamts.status == "severe":
        out.append(
            Alert(
                "ttp_emergency",
                "critical",
                "ADAMTS13 activity below 10 % with this picture means TTP, a haematological emergency. Involve "
                "haematology now: the ISTH guideline treats TTP with plasma exchange and immunosuppression without "
                "delay, and no B12 question should hold that back.",
                ("isth_ttp_2020", "bendapudi_2017"),
            )
        )
    if adamts.status == "severe" and b12 == DEFICIENT:
        out.append(
            Alert(
                "ttp_with_b12_deficiency",
                "critical",
                "ADAMTS13 is severely low and B12 is deficient: TTP and pernicious anaemia can occur together. The "
                "ADAMTS13 result points to TTP whatever the B12; the B12 deficiency needs treating as well.",
                ("isth_ttp_2020", "ttp_pernicious_anaemia_2017"),
            )
        )
    if adamts.status in ("unknown", "borderline") and possible_picture and b12 != UNLIKELY:
        out.append(
            Alert(
                "ttp_mimic",
                "critical" if (b12 == DEFICIENT and picture) else "warning",
                "B12 deficiency can look like TTP (haemolysis, schistocytes, low platelets) and is easily mistaken for "
                "it: uncommon (2.5 % of 201 deficient patients) yet 14 of 41 published cases (34 %) were given plasma "
                "therapy. Send ADAMTS13 (before any plasma), check B12 with MMA and the reticulocyte production "
                "index, and involve haematology. If TTP is judged likely, plasma exchange does not wait for these "
                "results.",
                ("andres_2006", "tran_2018", "noel_qjm_2013", "isth_ttp_2020"),
            )
        )
    if b12 == DEFICIENT and possible_picture:
        out.append(
            Alert(
                "b12_does_not_wait",
                "warning",
                "B12 replacement need not wait for the TTP / pseudo-TMA question to be settled: take any samples still "
                "needed (ADAMTS13 before plasma; B12 markers before the first injection), then treat. Giving B12 does "
                "not stand in the way of plasma exchange if haematology advises it.",
                ("bsh_2014", "fda_cyanocobalamin_label", "isth_ttp_2020"),
            )
        )
    if plasmic_result.risk == "high" and b12 == DEFICIENT and adamts.status != "severe":
        out.append(
            Alert(
                "plasmic_b12_conflict",
                "critical",
                "PLASMIC is in the high band (6-7) while B12 is deficient. This conflict is for haematology to "
                "resolve now, not for this app: a high score makes severe ADAMTS13 deficiency likely (positive "
                "predictive value 72 %, Li 2018), TTP can coexist with B12 deficiency, and pseudo-TMA usually "
                "scores lower because macrocytosis loses the MCV point. ADAMTS13 settles it.",
                ("li_jth_2018", "ttp_pernicious_anaemia_2017", "sabry_tas_2020", "isth_ttp_2020"),
            )
        )
    return out
