"""The leaning: safety rules first, then the weighed picture (``balance.py``), then the course.

Order (unknown is never read as no; safety is asymmetric: calling a TTP "B12" can kill):

1. ADAMTS13 below 10 % -> ``ttp``, whatever else.
2. Platelets known not low -> ``not_tma``; no platelet count -> ``indeterminate``.
3. Thrombocytopenia with haemolysis known absent and no schistocytes -> ``not_tma``; haemolysis
   and film both unknown -> ``indeterminate`` (the markers and a film decide).
4. A microangiopathic picture (thrombocytopenia with haemolysis or schistocytes):
   - PLASMIC wholly in 6-7 (in scope: schistocytes not known absent) -> ``ttp``, unless ADAMTS13
     is known and above 20 %.
   - A positive DAT or a DIC screen -> ``other_tma``.
   - ADAMTS13 above 20 % (decisive when settled): B12 deficient -> ``b12_pseudo_tma`` whatever
     the blood picture, unless a named feature points to another TMA (creatinine above 200
     umol/L, active cancer, a transplant: then ``indeterminate``); B12 unlikely -> ``other_tma``;
     B12 not settled -> ``indeterminate`` when some feature would point to B12, else
     ``other_tma`` with B12 to check.
   - ADAMTS13 awaited (not sent, pending, 10-20 %, or not decisive). Until B12 deficiency is
     shown, every pull towards B12 is held back (``balance.hold``: they say "measure B12 now").
     B12 deficient with the blood picture alone at or below the TTP cut-off -> ``ttp`` (the
     overlap); the counted balance at or below it -> ``ttp``; platelets below 30 with B12
     deficiency not shown and the counted balance towards TTP -> ``ttp`` (high risk not excluded);
     B12 deficient and the balance at or above the B12 cut-off -> ``b12_pseudo_tma`` (unless a
     named feature points to another TMA, as above: then ``indeterminate``); else ``indeterminate``.
5. The course (:func:`course_decision`): after B12 starts, platelets collapsing under it (below
   30 and lower than at the start) turn the leaning to ``ttp`` unless ADAMTS13 is above 20 %; a
   fall to half alone makes a B12 leaning ``indeterminate``.

The cut-offs are in ``data/tma_weights.json``: TTP needs a smaller pull than B12 pseudo-TMA, and
B12 pseudo-TMA needs B12 deficiency itself. Adding a value that fits TTP never moves the leaning
away from TTP; adding one that fits B12 never moves it towards TTP (property-tested).
"""

from __future__ import annotations

from dataclasses import dataclass

from logic.case import Observation, bands
from logic.diagnosis.banding import place
from logic.recovery.course import Collapse
from logic.reference import ThresholdSet
from logic.reference.statements import say, text
from logic.results import B12Status, Leaning, Note
from logic.tma.adamts13 import Adamts13, Adamts13Status
from logic.tma.balance import Pull, total
from logic.tma.data import groups, weights
from logic.tma.plasmic import PlasmicResult


@dataclass(frozen=True)
class Decision:
    """The leaning, the rule that decided it, its strength in words and the reasons."""

    leaning: Leaning
    rule: str
    strength: str | None
    reasons: tuple[Note, ...]


def _features(pulls: tuple[Pull, ...], side: Leaning, picture_only: bool = True, raw: bool = False) -> str:
    def weight(p: Pull) -> float:
        return p.raw if raw else p.weight

    chosen = [p for p in pulls if not (picture_only and p.b12_marker)]
    chosen = [p for p in chosen if (weight(p) > 0 if side == Leaning.B12_PSEUDO_TMA else weight(p) < 0)]
    chosen.sort(key=lambda p: -abs(weight(p)))
    return ", ".join(f"{p.label.lower() if p.label[:2] != p.label[:2].upper() else p.label} {p.value}" for p in chosen)


def dat_positive(values: dict[str, Observation]) -> bool:
    obs = values.get("dat_positive")
    return bool(obs is not None and obs.value)


def dic_picture(values: dict[str, Observation], t: ThresholdSet) -> str | None:
    """What in the clotting screen points to DIC (low fibrinogen; or a prolonged INR with a strongly
    raised D-dimer), in words; None when nothing does or the screen is missing."""
    fib = values.get("fibrinogen")
    if bands.below(fib, t["fibrinogen_dic_below"]):
        return text("tma.dic_fibrinogen", t, value=fib.display())
    inr, dd = values.get("inr"), values.get("d_dimer")
    strong = t["d_dimer_uln"] * t["d_dimer_strong_multiple"]
    if bands.above(inr, t["inr_prolonged_at_or_above"] - 1e-9) and bands.above(dd, strong):
        return text("tma.dic_inr_d_dimer", t, inr=inr.display(), d_dimer=dd.display())
    return None


def other_tma_features(values: dict[str, Observation], history, t: ThresholdSet) -> list[str]:
    """Named features that point to another thrombotic microangiopathy, in words: creatinine above
    200 umol/L (kidney injury, as in HUS; the band marked ``other_tma`` in ``tma_weights.json``),
    active cancer, a transplant (PLASMIC's exclusions). DAT and DIC are rules of their own."""
    out = []
    creat = values.get("creatinine")
    if creat is not None:
        band = place(creat, weights()["features"]["creatinine"]["bands"], t)
        if band is not None and band.get("other_tma"):
            out.append(text("tma.other_feature_creatinine", value=creat.display()))
    if history.active_cancer:
        out.append(text("tma.other_feature_cancer"))
    if history.transplant:
        out.append(text("tma.other_feature_transplant"))
    return out


def _strength(value: float) -> str:
    return text("tma.strength_strong" if abs(value) >= weights()["leaning"]["strong_at"] else "tma.strength_moderate")


def decide(
    *,
    thr: bool | None,
    hem: bool | None,
    sch: bool | None,
    platelets: Observation | None,
    b12: B12Status,
    adamts: Adamts13,
    plasmic_result: PlasmicResult,
    pulls: tuple[Pull, ...],
    values: dict[str, Observation],
    t: ThresholdSet,
    history=None,
) -> Decision:
    """The leaning by the rules in the module docstring (the course is :func:`course_decision`)."""
    cut = weights()["leaning"]
    ttp_cut, b12_cut = cut["ttp_at_or_below"], cut["b12_at_or_above"]
    cuts = {"severe": groups()["adamts13"]["severe_below"], "normal": groups()["adamts13"]["not_deficient_above"]}
    whole, picture = total(pulls), total(pulls, picture_only=True)
    ttp_words = _features(pulls, Leaning.TTP)
    b12_words = _features(pulls, Leaning.B12_PSEUDO_TMA, picture_only=False)
    held_words = _features(pulls, Leaning.B12_PSEUDO_TMA, picture_only=False, raw=True)

    def out(leaning: Leaning, rule: str, strength: str | None, *notes: Note) -> Decision:
        return Decision(leaning, rule, strength, notes)

    if adamts.status == Adamts13Status.SEVERE:
        extra = (say("tma.b12_also_deficient", t),) if b12 == B12Status.DEFICIENT else ()
        return out(Leaning.TTP, "adamts13_severe", text("tma.strength_adamts13", **cuts), *extra)
    if thr is False:
        return out(
            Leaning.NOT_TMA, "platelets_normal", None, say("tma.not_tma_platelets", t, value=platelets.display())
        )
    if thr is None:
        return out(Leaning.INDETERMINATE, "no_platelets", None, say("tma.no_platelets", t))
    if hem is False and sch is not True:
        key = "tma.not_tma_no_haemolysis" if sch is False else "tma.not_tma_no_haemolysis_no_film"
        return out(Leaning.NOT_TMA, "no_haemolysis", None, say(key, t))
    if not (hem is True or sch is True):
        return out(Leaning.INDETERMINATE, "picture_undecided", None, say("tma.picture_undecided", t))

    plasmic_high = plasmic_result.risk == "high" and plasmic_result.in_scope is not False
    if plasmic_high and adamts.status != Adamts13Status.NOT_DEFICIENT:
        return out(
            Leaning.TTP,
            "plasmic_high",
            text("tma.strength_plasmic"),
            say("tma.ttp_plasmic_high", t, score=plasmic_result.score or plasmic_result.min_score, **cuts),
        )
    if dat_positive(values):
        evans = text("tma.other_dat_evans") if thr else ""
        return out(Leaning.OTHER_TMA, "dat_positive", None, say("tma.other_dat", t, evans=evans))
    dic = dic_picture(values, t)
    if dic:
        return out(Leaning.OTHER_TMA, "dic", None, say("tma.other_dic", t, features=dic))

    if adamts.status == Adamts13Status.NOT_DEFICIENT:
        return _adamts13_normal(b12, pulls, picture, ttp_cut, ttp_words, values, history, t, cuts)

    if picture <= ttp_cut and b12 == B12Status.DEFICIENT:
        return out(Leaning.TTP, "overlap", _strength(picture), say("tma.ttp_overlap", t, features=ttp_words))
    held = text("tma.held_note", features=held_words) if held_words and b12 != B12Status.DEFICIENT else ""
    if picture <= ttp_cut or whole <= ttp_cut:
        note = {B12Status.UNKNOWN: "tma.ttp_balance_b12_unknown", B12Status.UNLIKELY: "tma.ttp_balance_b12_unlikely"}
        b12_note = text(note[b12]) if b12 in note else ""
        return out(
            Leaning.TTP,
            "balance",
            _strength(whole),
            say("tma.ttp_balance", t, features=ttp_words or b12_words, b12_note=b12_note, held=held),
        )
    low_platelets = bands.below(platelets, weights()["not_excluded"]["platelets_below"]) is True
    if low_platelets and b12 != B12Status.DEFICIENT and whole < 0:
        return out(
            Leaning.TTP,
            "ttp_not_excluded",
            _strength(whole),
            say("tma.ttp_not_excluded", t, value=platelets.display(), b12_state=_b12_state(b12), held=held,
                below=weights()["not_excluded"]["platelets_below"]),  # fmt: skip
        )
    if whole >= b12_cut and b12 == B12Status.DEFICIENT:
        named = other_tma_features(values, history, t) if history is not None else []
        if named:
            note = say("tma.b12_balance_other_feature", t, b12_features=b12_words, features="; ".join(named), **cuts)
            return out(Leaning.INDETERMINATE, "b12_balance_other_feature", None, note)
        lead = max((p for p in pulls if p.weight > 0 and not p.b12_marker), key=lambda p: p.weight, default=None)
        strongest = text("tma.b12_balance_strongest", label=lead.label, text=lead.text) if lead else ""
        return out(
            Leaning.B12_PSEUDO_TMA,
            "balance",
            _strength(whole),
            say("tma.b12_balance", t, features=b12_words, strongest=strongest, **cuts),
        )
    if total(pulls, raw=True) >= b12_cut and b12 != B12Status.DEFICIENT:
        key = "tma.b12_like_measure_b12_now" if b12 == B12Status.UNKNOWN else "tma.b12_like_without_deficiency"
        return out(
            Leaning.INDETERMINATE,
            "b12_like_without_deficiency",
            None,
            say(key, t, features=held_words, b12_state=_b12_state(b12)),
        )
    and_b12 = text("tma.and_b12") if b12 not in (B12Status.DEFICIENT, B12Status.UNLIKELY) else ""
    return out(
        Leaning.INDETERMINATE,
        "balance",
        None,
        say("tma.indeterminate_balance", t, total=whole, ttp_cut=ttp_cut, b12_cut=b12_cut, and_b12=and_b12, held=held),
    )


def _b12_state(b12: B12Status) -> str:
    return {B12Status.UNKNOWN: "not measured"}.get(b12, str(b12))


def _adamts13_normal(b12, pulls, picture, ttp_cut, ttp_words, values, history, t, cuts) -> Decision:
    """ADAMTS13 above 20 %: decisive with B12 deficiency (module docstring, rule 4)."""
    normal = text("tma.strength_adamts13_normal", **cuts)
    if b12 == B12Status.DEFICIENT:
        named = other_tma_features(values, history, t) if history is not None else []
        if named:
            note = say("tma.adamts13_normal_other_feature", t, features="; ".join(named), **cuts)
            return Decision(Leaning.INDETERMINATE, "adamts13_normal_other_feature", None, (note,))
        ttp_like = text("tma.b12_adamts13_normal_ttp_like", features=ttp_words) if picture <= ttp_cut else ""
        note = say("tma.b12_adamts13_normal", t, ttp_like=ttp_like, **cuts)
        return Decision(Leaning.B12_PSEUDO_TMA, "adamts13_normal", normal, (note,))
    if b12 == B12Status.UNLIKELY:
        note = say("tma.other_adamts13_normal_b12_unlikely", t)
        return Decision(Leaning.OTHER_TMA, "adamts13_normal_b12_unlikely", None, (note,))
    specific = [p for p in pulls if p.raw > 0 and p.id not in ("ldh", "platelets")]
    if specific:
        words = ", ".join(f"{p.label} {p.value}" for p in specific)
        note = say("tma.adamts13_normal_b12_open", t, features=words)
        return Decision(Leaning.INDETERMINATE, "adamts13_normal_b12_open", None, (note,))
    state = "indeterminate" if b12 == B12Status.INDETERMINATE else "not measured"
    note = say("tma.other_adamts13_normal_b12_not_measured", t, b12_state=state)
    return Decision(Leaning.OTHER_TMA, "adamts13_normal_b12_not_measured", None, (note,))


def course_decision(decision: Decision, collapse: Collapse | None, adamts: Adamts13, picture: bool,
                    t: ThresholdSet) -> Decision:
    """The leaning read with the course (module docstring, rule 5): a collapse under B12 is not
    B12's course. ADAMTS13 below 10 % already leans TTP; above 20 % a B12 leaning becomes
    ``indeterminate`` (another TMA); otherwise a collapse below 30 leans ``ttp`` and a fall to half
    alone makes a B12 leaning ``indeterminate``. Only a microangiopathic picture or a B12 leaning
    is re-read; the collapse alert itself is raised whatever the leaning."""
    if collapse is None or decision.leaning == Leaning.TTP:
        return decision
    if not (picture or decision.leaning == Leaning.B12_PSEUDO_TMA):
        return decision
    shown = {"value": collapse.latest.display(), "on_day": collapse.day,
             "start": collapse.start.display() if collapse.start else text("tma.course_no_start")}  # fmt: skip
    refs = collapse.refs
    if adamts.status == Adamts13Status.NOT_DEFICIENT:
        if decision.leaning != Leaning.B12_PSEUDO_TMA:
            return decision
        note = say("tma.course_collapse_adamts13_normal", t, extra_refs=refs, **shown)
        return Decision(Leaning.INDETERMINATE, "course_collapse_adamts13_normal", None, (note, *decision.reasons))
    if collapse.severe:
        note = say("tma.course_collapse", t, extra_refs=refs, **shown)
        return Decision(Leaning.TTP, "course_collapse", text("tma.strength_course"), (note, *decision.reasons))
    if decision.leaning == Leaning.B12_PSEUDO_TMA:
        note = say("tma.course_fall", t, extra_refs=refs, **shown)
        return Decision(Leaning.INDETERMINATE, "course_fall", None, (note, *decision.reasons))
    return decision
