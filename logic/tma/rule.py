"""The leaning: safety rules first, then the weighed picture (``balance.py``).

Order (unknown is never read as no; safety is asymmetric: calling a TTP "B12" can kill):

1. ADAMTS13 below 10 % -> ``ttp``, whatever else.
2. Platelets known not low -> ``not_tma``; no platelet count -> ``indeterminate``.
3. Thrombocytopenia with haemolysis known absent and no schistocytes -> ``not_tma``; haemolysis
   and film both unknown -> ``indeterminate`` (the markers and a film decide).
4. A microangiopathic picture (thrombocytopenia with haemolysis or schistocytes):
   - PLASMIC wholly in 6-7 (in scope: schistocytes not known absent) -> ``ttp``, unless ADAMTS13
     is known and above 20 %.
   - ADAMTS13 above 20 %: a positive DAT or a DIC screen -> ``other_tma``; B12 deficient ->
     ``b12_pseudo_tma`` unless the blood picture itself is TTP-like (then ``indeterminate``);
     B12 unlikely -> ``other_tma``; B12 not settled -> ``indeterminate`` when some feature pulls
     towards B12, else ``other_tma`` with B12 to check.
   - ADAMTS13 awaited (not sent, pending, 10-20 %, or not decisive): a positive DAT or a DIC screen
     -> ``other_tma``; the blood picture alone at or below the TTP cut-off -> ``ttp`` (with B12
     deficiency this is the overlap that leans TTP until ADAMTS13 returns: B12 markers never
     rescue a TTP-like picture); the whole balance at or below it -> ``ttp``; B12 deficient and
     the balance at or above the B12 cut-off -> ``b12_pseudo_tma``; else ``indeterminate``.

The cut-offs are in ``data/tma_weights.json``: TTP needs a smaller pull than B12 pseudo-TMA, and
B12 pseudo-TMA needs B12 deficiency itself. Adding a value that fits TTP never moves the leaning
away from TTP; adding one that fits B12 never moves it towards TTP (property-tested).
"""

from __future__ import annotations

from dataclasses import dataclass

from logic.case import Observation, bands
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


def _features(pulls: tuple[Pull, ...], side: Leaning, picture_only: bool = True) -> str:
    chosen = [p for p in pulls if p.side == side and not (picture_only and p.b12_marker)]
    chosen.sort(key=lambda p: -abs(p.weight))
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
) -> Decision:
    """The leaning by the rules in the module docstring."""
    cut = weights()["leaning"]
    ttp_cut, b12_cut = cut["ttp_at_or_below"], cut["b12_at_or_above"]
    cuts = {"severe": groups()["adamts13"]["severe_below"], "normal": groups()["adamts13"]["not_deficient_above"]}
    whole, picture = total(pulls), total(pulls, picture_only=True)
    ttp_words = _features(pulls, Leaning.TTP)
    b12_words = _features(pulls, Leaning.B12_PSEUDO_TMA, picture_only=False)

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
        normal = text("tma.strength_adamts13_normal", **cuts)
        if b12 == B12Status.DEFICIENT and picture <= ttp_cut:
            return out(
                Leaning.INDETERMINATE,
                "adamts13_normal_ttp_like",
                None,
                say("tma.adamts13_normal_ttp_like", t, features=ttp_words),
            )
        if b12 == B12Status.DEFICIENT:
            return out(Leaning.B12_PSEUDO_TMA, "adamts13_normal", normal, say("tma.b12_adamts13_normal", t))
        if b12 == B12Status.UNLIKELY:
            return out(
                Leaning.OTHER_TMA,
                "adamts13_normal_b12_unlikely",
                None,
                say("tma.other_adamts13_normal_b12_unlikely", t),
            )
        specific = [p for p in pulls if p.side == Leaning.B12_PSEUDO_TMA and p.id != "ldh" and p.id != "platelets"]
        if specific:
            words = ", ".join(f"{p.label} {p.value}" for p in specific)
            return out(
                Leaning.INDETERMINATE,
                "adamts13_normal_b12_open",
                None,
                say("tma.adamts13_normal_b12_open", t, features=words),
            )
        state = "indeterminate" if b12 == B12Status.INDETERMINATE else "not measured"
        return out(
            Leaning.OTHER_TMA,
            "adamts13_normal_b12_not_measured",
            None,
            say("tma.other_adamts13_normal_b12_not_measured", t, b12_state=state),
        )

    if picture <= ttp_cut and b12 == B12Status.DEFICIENT:
        return out(Leaning.TTP, "overlap", _strength(picture), say("tma.ttp_overlap", t, features=ttp_words))
    if picture <= ttp_cut or whole <= ttp_cut:
        note = {B12Status.UNKNOWN: "tma.ttp_balance_b12_unknown", B12Status.UNLIKELY: "tma.ttp_balance_b12_unlikely"}
        b12_note = text(note[b12]) if b12 in note else ""
        return out(
            Leaning.TTP,
            "balance",
            _strength(whole),
            say("tma.ttp_balance", t, features=ttp_words or b12_words, b12_note=b12_note),
        )
    if whole >= b12_cut and b12 == B12Status.DEFICIENT:
        return out(
            Leaning.B12_PSEUDO_TMA, "balance", _strength(whole), say("tma.b12_balance", t, features=b12_words, **cuts)
        )
    if whole >= b12_cut:
        state = {B12Status.UNKNOWN: "not measured"}.get(b12, str(b12))
        return out(
            Leaning.INDETERMINATE,
            "b12_like_without_deficiency",
            None,
            say("tma.b12_like_without_deficiency", t, features=b12_words, b12_state=state),
        )
    and_b12 = text("tma.and_b12") if b12 not in (B12Status.DEFICIENT, B12Status.UNLIKELY) else ""
    return out(
        Leaning.INDETERMINATE,
        "balance",
        None,
        say("tma.indeterminate_balance", t, total=whole, ttp_cut=ttp_cut, b12_cut=b12_cut, and_b12=and_b12),
    )
