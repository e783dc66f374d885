"""Each preset pinned against its source, and the knobs the evidence allows
(logic/regimen/presets.py, logic/regimen/build.py).

Sources: shared/clinical/evidence.md section 2 (FDA label, drugs.com 1000 mcg version, BNF
hydroxocobalamin, oral 1-2 mg).
"""

from __future__ import annotations

from datetime import date

import pytest

from logic.reference import load_json, references
from logic.regimen import (
    RegimenError,
    build_regimen,
    build_schedule,
    default_preset_id,
    knob_problems,
    parse_knobs,
    preset,
    preset_ids,
    schedule,
)

START = date(2026, 11, 2)  # a Monday


def phase_dates(sched, name):
    return [i.date for i in sched.injections if i.phase == name]


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


# -- each preset pinned against its source ---------------------------------------------------------

# (preset, knobs, [(phase, dose_mcg, route, product, spacing, doses)], refs the preset must cite)
# spacing: days between doses (a tuple for a weekly pattern) or "Nm" for calendar months.
CN, OH = "cyanocobalamin", "hydroxocobalamin"
PRESET_TABLE = [
    # FDA label: "100 mcg daily for six or seven days ... alternate days for seven doses, then every
    # three to four days for another two to three weeks ... 100 mcg monthly for life."
    ("fda_label_100", {},
     [("daily", 100, "IM", CN, 1, 7), ("alternate", 100, "IM", CN, 2, 7),
      ("interval", 100, "IM", CN, 3, 5), ("maintenance", 100, "IM", CN, "1m", 12)],
     {"fda_cyanocobalamin_label"}),
    ("fda_label_100", {"daily_doses": 6, "interval_days": 4, "interval_weeks": 3},
     [("daily", 100, "IM", CN, 1, 6), ("alternate", 100, "IM", CN, 2, 7),
      ("interval", 100, "IM", CN, 4, 6), ("maintenance", 100, "IM", CN, "1m", 12)],
     {"fda_cyanocobalamin_label"}),
    # drugs.com: "1000 mcg intramuscularly once a day for 7 days ... every other day for 7 days, then
    # once every 3 to 4 days for another 2 to 3 weeks ... monthly injections of 100 to 1000 mcg"
    ("fda_label_1000", {},
     [("daily", 1000, "IM", CN, 1, 7), ("alternate", 1000, "IM", CN, 2, 7),
      ("interval", 1000, "IM", CN, 3, 5), ("maintenance", 1000, "IM", CN, "1m", 12)],
     {"drugs_com_cyanocobalamin"}),
    ("fda_label_1000", {"interval_days": 3, "interval_weeks": 3, "maintenance_months": 24},
     [("daily", 1000, "IM", CN, 1, 7), ("alternate", 1000, "IM", CN, 2, 7),
      ("interval", 1000, "IM", CN, 3, 7), ("maintenance", 1000, "IM", CN, "1m", 24)],
     {"drugs_com_cyanocobalamin"}),
    # BNF: "initially 1 mg 3 times a week for 2 weeks then 1 mg every 3 months" (amended: every 2-3 months)
    ("bnf_hydroxo", {},
     [("three_times_weekly", 1000, "IM", OH, (2, 2, 3), 6), ("maintenance", 1000, "IM", OH, "3m", 4)],
     {"bnf_hydroxocobalamin", "pas_bnf_amendment"}),
    ("bnf_hydroxo", {"maintenance_every_months": 2},
     [("three_times_weekly", 1000, "IM", OH, (2, 2, 3), 6), ("maintenance", 1000, "IM", OH, "2m", 6)],
     {"bnf_hydroxocobalamin"}),
    # BNF, neurological involvement: "1 mg on alternate days until no further improvement, then 1 mg every 2 months"
    ("bnf_hydroxo_neuro", {},
     [("alternate", 1000, "IM", OH, 2, 11), ("maintenance", 1000, "IM", OH, "2m", 6)],
     {"bnf_hydroxocobalamin"}),
    # Oral maintenance 1-2 mg daily after the label loading (East of Scotland formulary; Cochrane 2018)
    ("oral_maintenance", {"oral_dose_mcg": 2000, "maintenance_months": 1},
     [("daily", 1000, "IM", CN, 1, 7), ("alternate", 1000, "IM", CN, 2, 7),
      ("interval", 1000, "IM", CN, 3, 5), ("maintenance", 2000, "oral", CN, 1, 31)],
     {"scotland_formulary", "cochrane_oral_2018"}),
]  # fmt: skip


@pytest.mark.parametrize(("preset_id", "knobs", "phases", "refs"), PRESET_TABLE)
def test_each_preset_matches_its_source(preset_id, knobs, phases, refs):
    sched = schedule(START, preset_id, **knobs)
    spans = sched.phase_spans()
    assert [s[0] for s in spans] == [p[0] for p in phases]
    for (name, dose, route, product, spacing, n), (_, _first, _last, count) in zip(phases, spans, strict=True):
        doses = [i for i in sched.injections if i.phase == name]
        assert count == n, name
        assert {(i.dose_mcg, i.route, i.product) for i in doses} == {(dose, route, product)}, name
        gaps = [(b.date - a.date).days for a, b in zip(doses, doses[1:], strict=False)]
        if isinstance(spacing, str):
            months = int(spacing[:-1])
            assert all(
                month_index(b.date) - month_index(a.date) == months for a, b in zip(doses, doses[1:], strict=False)
            )
        elif isinstance(spacing, tuple):
            assert gaps == [spacing[k % len(spacing)] for k in range(len(gaps))], name
        else:
            assert set(gaps) <= {spacing}, name
    assert refs <= set(sched.regimen.all_refs)


def test_bnf_three_times_a_week_gives_three_doses_in_each_of_two_weeks():
    sched = schedule(START, "bnf_hydroxo")
    weeks = [(i.date - START).days // 7 for i in sched.injections if i.phase == "three_times_weekly"]
    assert weeks == [0, 0, 0, 1, 1, 1]
    assert [i.date.strftime("%a") for i in sched.injections[:3]] == ["Mon", "Wed", "Fri"]


def test_the_label_reticulocyte_checkpoint_sits_on_the_first_alternate_day_dose():
    sched = schedule(START, "fda_label_100")
    (cp,) = sched.checkpoints
    assert cp.id == "reticulocyte_response"
    assert cp.date == phase_dates(sched, "alternate")[0] == date(2026, 11, 10)
    assert "reticulocyte" in cp.text.lower() and "fda_cyanocobalamin_label" in cp.refs
    assert "reticulocytes_pct" in cp.analytes


def test_the_neurological_preset_marks_its_duration_as_the_clinicians_choice():
    reg = build_regimen("bnf_hydroxo_neuro", alternate_weeks=6)
    assert preset("bnf_hydroxo_neuro").knob("alternate_weeks").clinician_choice
    assert any("clinician's choice" in n.text for n in reg.notes)
    (cp,) = build_schedule(reg, START).checkpoints
    assert cp.id == "no_further_improvement" and "bnf_hydroxocobalamin" in cp.refs


def test_default_preset_is_the_1000_mcg_label_schedule():
    assert default_preset_id() == "fda_label_1000" == preset_ids()[0]
    assert schedule(START).regimen.id == "fda_label_1000"
    assert {"fda_label_100", "bnf_hydroxo", "bnf_hydroxo_neuro", "oral_maintenance"} <= set(preset_ids())


def test_every_preset_phase_knob_and_model_parameter_cites_a_known_source():
    refs = set(references())
    data = load_json("regimens.json")

    def walk(obj, path="regimens.json"):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "refs":
                    assert v, f"{path} has an empty refs list"
                    assert set(v) <= refs, f"{path}: {set(v) - refs}"
                else:
                    walk(v, f"{path}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                walk(v, f"{path}[{i}]")

    walk(data)
    for pid, p in data["presets"].items():
        assert p["refs"], pid
        assert all(k.get("refs") for k in p["knobs"].values()), pid
        assert all(ph.get("refs") for ph in p["phases"]), pid


# -- knobs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("knobs", "fragment"),
    [
        ({"daily_doses": 5}, "6 or 7"),
        ({"interval_days": 5}, "3 or 4"),
        ({"interval_weeks": 4}, "2 or 3"),
        ({"dose_mcg": 99}, "100 to 1000"),
        ({"dose_mcg": 1001}, "100 to 1000"),
        ({"dose_mcg": 500.5}, "whole number"),
        ({"maintenance_months": -1}, "0 to 360"),
        ({"oral_dose_mcg": 1000}, "does not take"),
    ],
)
def test_knob_values_outside_the_evidence_are_rejected_with_the_allowed_range(knobs, fragment):
    problems = knob_problems("fda_label_1000", knobs)
    assert len(problems) == 1 and fragment in problems[0]
    with pytest.raises(RegimenError):
        build_regimen("fda_label_1000", **knobs)


def test_knob_problems_are_all_reported_at_once():
    _knobs, problems = parse_knobs("fda_label_1000", {"daily_doses": "5", "interval_days": "x", "dose_mcg": None})
    assert len(problems) == 2


def test_a_dose_between_the_two_label_versions_is_noted_as_unsourced():
    reg = build_regimen("fda_label_1000", dose_mcg=500)
    assert any("neither source" in n.text for n in reg.notes)
    assert not any("neither source" in n.text for n in build_regimen("fda_label_1000").notes)


# -- knob notes: sentences from data/statements/regimen.json, numbers from data/regimens.json -----


@pytest.mark.parametrize(("dose", "noted"), [(100, False), (101, True), (500, True), (999, True), (1000, False)])
def test_only_doses_other_than_the_two_sourced_versions_are_noted(dose, noted):
    notes = [n for n in build_regimen("fda_label_1000", dose_mcg=dose).notes if "neither source" in n.text]
    assert bool(notes) == noted
    if noted:
        assert notes[0].text == (f"{dose} mcg lies between the label's 100 mcg and the 1000 mcg version; "
                                 "neither source gives it.")  # fmt: skip
        assert notes[0].refs == ("fda_cyanocobalamin_label", "drugs_com_cyanocobalamin")


def test_the_sourced_doses_are_the_default_doses_of_the_two_label_presets():
    between = load_json("regimens.json")["knobs"]["dose_mcg"]["between"]
    assert [preset(p).knob("dose_mcg").default for p in between] == [100, 1000]


@pytest.mark.parametrize(("value", "noted"), [(6, True), (7, False), (8, True)])
def test_a_knob_away_from_the_source_value_is_noted_with_the_source_value(value, noted):
    reg = build_regimen("fda_label_1000", alternate_doses=value)
    notes = [n for n in reg.notes if "the source gives" in n.text]
    assert [n.text for n in notes] == ([f"Alternate-day doses: {value} doses; the source gives 7."] if noted else [])
    assert all(n.refs == preset("fda_label_1000").knob("alternate_doses").refs for n in notes)


def test_the_clinicians_choice_note_quotes_the_chosen_value_and_its_sources():
    (note,) = [n for n in build_regimen("bnf_hydroxo_neuro", alternate_weeks=6).notes if "choice" in n.text]
    assert note.text == "Alternate-day phase: 6 weeks is the clinician's choice."  # issue 21: said once
    assert note.refs == ("bnf_hydroxocobalamin", "cobalt_regimen_choices")
