"""Causes of deficiency in the history, whether treatment is lifelong, malabsorption and route.

Unknown is never read as no: a cause not recorded leaves lifelong treatment "not enough data".
Every typed fact is used once, here, for every page and export:

- :func:`pernicious_anaemia`: recorded, or shown by intrinsic-factor antibodies (specificity 100 %,
  Lahner); parietal-cell antibodies only suggest it (81 % sensitive, 90 % specific; "very poor
  diagnostic value due to low specificity", Frontier Pathology);
- :func:`neurological_involvement`: neurological symptoms or signs on examination.

The cause catalogue is ``data/causes.json``; sentences ``data/statements/causes.json``.
Sources: US cyanocobalamin label (lifelong in pernicious anaemia, never IV), Battat 2014
(ileal resection), BNF (hydroxocobalamin), NICE NG239 / Sands BMJ 2024 (oral), Cochrane 2018,
Lahner, Khan 2009 and Frontier Pathology (the antibodies).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from logic.case import Case
from logic.diagnosis.types import Cause
from logic.reference import ThresholdSet, load_json
from logic.reference.statements import say, text
from logic.results import Note


@lru_cache(maxsize=1)
def cause_catalogue() -> dict[str, Any]:
    """``data/causes.json``."""
    return load_json("causes.json")


def pernicious_anaemia(case: Case) -> tuple[bool | None, str]:
    """(present, basis). Intrinsic-factor antibodies positive mean pernicious anaemia (``ifa``; a
    recorded 'no' is then ``ifa_conflict``); otherwise the checklist's answer (``recorded``). Not
    known stays not known: with parietal-cell antibodies positive it is ``pca`` (suggested, not
    proven); with intrinsic-factor antibodies negative ``ifa_negative`` (that does not exclude it)."""
    h = case.history
    if h.intrinsic_factor_antibodies:
        return True, "ifa_conflict" if h.pernicious_anemia is False else "ifa"
    if h.pernicious_anemia is not None:
        return h.pernicious_anemia, "recorded"
    if h.parietal_cell_antibodies:
        return None, "pca"
    if h.intrinsic_factor_antibodies is False:
        return None, "ifa_negative"
    return None, "unknown"


def neurological_involvement(case: Case) -> bool | None:
    """Neurological involvement for the regimen and route: symptoms the patient reports or signs on
    examination; False only when both are recorded absent (unknown is not no)."""
    h = case.history
    if h.neurological_symptoms or h.neurological_signs:
        return True
    if h.neurological_symptoms is False and h.neurological_signs is False:
        return False
    return None


def _pernicious_anaemia(case: Case) -> Cause:
    spec = cause_catalogue()["pernicious_anemia"]
    pa, basis = pernicious_anaemia(case)
    plain = "present" if pa else "unknown" if pa is None else "absent"
    which = {"ifa": "present_ifa", "ifa_conflict": "present_ifa_conflict", "pca": "unknown_pca",
             "ifa_negative": "unknown_ifa_negative"}.get(basis, plain)  # fmt: skip
    extra = tuple(spec["antibody_refs"]) if basis != "recorded" or pa is None else ()
    refs = tuple(dict.fromkeys(tuple(spec["refs"]) + extra))
    return Cause("pernicious_anemia", spec["label"], pa, True if pa else None, spec[which], refs, basis == "pca")


def _ileal_resection(case: Case, t: ThresholdSet) -> Cause:
    spec, cm = cause_catalogue()["ileal_resection"], case.history.ileal_resection_cm
    cut, refs = t["ileal_resection_lifelong_above_cm"], tuple(spec["refs"])
    if cm is None:
        return Cause("ileal_resection", spec["label"], None, None, spec["unknown"], refs)
    if cm > cut:
        lo, hi = spec["inconsistent_range_cm"]
        detail = spec["lifelong"].format(t=t, cm=cm) + (spec["inconsistent"].format(lo=lo, hi=hi) if cm <= hi else "")
        return Cause("ileal_resection", spec["label"], True, True, detail, tuple(spec["lifelong_refs"]))
    if cm > 0:
        return Cause("ileal_resection", spec["label"], True, False, spec["short"].format(t=t, cm=cm), refs)
    return Cause("ileal_resection", spec["label"], False, False, spec["none"], refs)


def causes(case: Case, t: ThresholdSet) -> tuple[list[Cause], bool | None, list[Note]]:
    """The causes the history records (present or not known), whether treatment is lifelong, and why."""
    h = case.history
    out = [_pernicious_anaemia(case), _ileal_resection(case, t)]
    for spec in cause_catalogue()["history_causes"]:
        val, refs = h.flag(spec["id"]), tuple(spec["refs"])
        if val:
            out.append(Cause(spec["id"], spec["label"], True, spec["lifelong"], spec["text"].format(t=t), refs))
        elif val is None:
            out.append(Cause(spec["id"], spec["label"], None, None, cause_catalogue()["unknown_text"], refs))
    permanent = [c for c in out if c.lifelong is True]
    if permanent:
        return out, True, [Note(text("causes.lifelong_cause", label=c.label, text=c.text), c.refs) for c in permanent]
    unknown = [
        text(f"causes.unknown_{name}")
        for name, value in (
            ("pernicious_anaemia", pernicious_anaemia(case)[0]),
            ("ileal_resection", h.ileal_resection_cm),
            ("gastric_surgery", h.gastric_surgery),
        )
        if value is None
    ]
    if unknown:
        return out, None, [say("causes.lifelong_unknown", t, unknown=", ".join(unknown))]
    return out, False, [say("causes.lifelong_no", t)]


def malabsorption_causes(case: Case, t: ThresholdSet) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(causes of malabsorption present, those not known) from the history checklist: pernicious
    anaemia, ileal resection longer than the set's cut-off (Battat 2014), ileal Crohn's disease,
    gastric surgery. Unknown is never treated as no. The one place this rule lives."""
    h = case.history
    resected = None if h.ileal_resection_cm is None else h.ileal_resection_cm > t["ileal_resection_lifelong_above_cm"]
    items = (
        ("pernicious_anaemia", pernicious_anaemia(case)[0]),
        ("ileal_resection", resected),
        ("crohns", h.crohns_ileal),
        ("gastric_surgery", h.gastric_surgery),
    )
    present = tuple(text(f"causes.malabsorption_{name}", t) for name, v in items if v is True)
    unknown = tuple(
        text("causes.unknown_ileal_resection") if name == "ileal_resection" else text(f"causes.malabsorption_{name}", t)
        for name, v in items
        if v is None
    )
    return present, unknown


def route_advice(case: Case, t: ThresholdSet) -> list[Note]:
    """Injections first, never IV; oral maintenance only with normal absorption; BNF for neurology."""
    out = [say("causes.route_injections_first", t), say("causes.route_never_iv", t)]
    malabsorption, not_known = malabsorption_causes(case, t)
    if malabsorption:
        out.append(say("causes.route_oral_unreliable", t, causes=", ".join(malabsorption)))
    elif not_known:
        out.append(say("causes.route_oral_absorption_unknown", t))
    else:
        out.append(say("causes.route_oral_possible", t))
    if neurological_involvement(case):
        out.append(say("causes.route_neurological", t))
    return out
