"""Whether a preset fits a case (oral maintenance needs normal absorption; the BNF schedule without
neurological involvement needs neurology known to be absent), and the evidence on IM injection at
a low platelet count. Unknown is never treated as no."""

from __future__ import annotations

from dataclasses import dataclass

from logic.case import Case
from logic.reference import threshold_set
from logic.reference.statements import say
from logic.regimen.base import Suitability, data
from logic.regimen.presets import preset
from logic.results import Note


def malabsorption(case: Case, thresholds: str | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(causes of malabsorption present, those not known) from the history checklist.

    Causes: pernicious anaemia, ileal resection longer than the threshold set's cut-off (20 cm,
    Battat 2014), ileal Crohn's disease, gastric surgery. Unknown is never treated as no."""
    from logic.diagnosis import malabsorption_causes

    return malabsorption_causes(case, threshold_set(thresholds))


def suitability(preset_id: str, case: Case, thresholds: str | None = None) -> Suitability:
    """Whether ``preset_id`` fits ``case``. Only presets needing normal absorption can be refused."""
    p = preset(preset_id)
    if preset_id == "bnf_hydroxo":  # the BNF schedule for anaemia *without* neurological involvement
        from logic.diagnosis.causes import neurological_involvement  # symptoms or signs: the one rule

        neuro = neurological_involvement(case)
        if neuro is True:
            why = say("regimen.bnf_refused_neurological")
            return Suitability(preset_id, "refused", why.text, why.refs, ("neurological involvement",), ())
        if neuro is None:
            why = say("regimen.bnf_neurology_not_known")
            return Suitability(preset_id, "not_known", why.text, why.refs, (), ("neurological involvement",))
    if not p.requires_normal_absorption:
        return Suitability(preset_id, "ok", "", p.refs)
    rule = data()["absorption"]
    refs = tuple(rule["refs"])
    present, unknown = malabsorption(case, thresholds)
    if present:
        return Suitability(
            preset_id, "refused", rule["refused_text"].format(causes=", ".join(present)), refs, present, unknown
        )
    if unknown:
        return Suitability(
            preset_id, "not_known", rule["not_known_text"].format(unknown=", ".join(unknown)), refs, present, unknown
        )
    return Suitability(preset_id, "ok", rule["ok_text"], refs)


@dataclass(frozen=True)
class PlateletEvidence:
    """Whether the evidence supports a warning against IM injection at a low platelet count."""

    supported: bool
    text: str
    refs: tuple[str, ...]


def im_platelet_evidence() -> PlateletEvidence:
    """The evidence file holds no source for a low-platelet IM warning; this says so, as data."""
    w = data()["im_platelet_warning"]
    return PlateletEvidence(bool(w["supported"]), w["text"], tuple(w["refs"]))


def im_platelet_warning(case: Case) -> Note | None:
    """A warning for an IM dose planned at a very low platelet count: None, because no source
    in the evidence file supports one (see :func:`im_platelet_evidence`)."""
    ev = im_platelet_evidence()
    if not ev.supported:
        return None
    raise NotImplementedError("a supported platelet warning needs its threshold in data/regimens.json")
