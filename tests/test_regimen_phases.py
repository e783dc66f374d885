"""Phases and custom regimens: validation, the regimen document, routes (logic/regimen/phases.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from logic.reference import load_json
from logic.regimen import (
    Phase,
    RegimenError,
    build_schedule,
    custom_regimen,
    phase_from_doc,
    phase_to_doc,
    refused_routes,
    regimen_from_doc,
    regimen_to_doc,
    routes,
)
from logic.results import Route

START = date(2026, 11, 2)  # a Monday


# -- custom regimens --------------------------------------------------------------------------------


def test_a_custom_regimen_is_built_phase_by_phase_and_round_trips():
    reg = custom_regimen(
        [
            Phase("weekly", "hydroxocobalamin", "SC", 1000, every_days=(7,), count=4, refs=("bnf_hydroxocobalamin",)),
            Phase("maintenance", "hydroxocobalamin", "IM", 1000, every_months=2, months=6, for_life=True),
        ],
        name="Teaching plan",
    )
    sched = build_schedule(reg, START)
    assert [i.date for i in sched.injections] == [
        START, START + timedelta(7), START + timedelta(14), START + timedelta(21),
        date(2027, 1, 23), date(2027, 3, 23), date(2027, 5, 23),
    ]  # fmt: skip
    assert regimen_from_doc(regimen_to_doc(reg)) == reg


def test_intravenous_route_is_refused_because_the_dose_is_lost_in_urine():
    with pytest.raises(RegimenError, match="urine"):
        Phase("daily", "cyanocobalamin", "IV", 1000, every_days=(1,), count=7)


def test_a_phase_description_with_every_mistake_lists_them_all():
    with pytest.raises(RegimenError) as err:
        phase_from_doc({"name": "", "product": "b12", "route": "nasal", "dose_mcg": 0, "every_days": [1],
                         "count": 3, "weeks": 2})  # fmt: skip
    assert len(err.value.problems) == 5


def test_a_lifelong_phase_must_be_the_last():
    life = Phase("maintenance", "cyanocobalamin", "IM", 1000, every_months=1, months=12, for_life=True)
    then = Phase("daily", "cyanocobalamin", "IM", 1000, every_days=(1,), count=3)
    with pytest.raises(RegimenError, match="last phase"):
        custom_regimen([life, then])


def test_the_regimen_document_is_plain_json_values():
    reg = custom_regimen([Phase("weekly", "hydroxocobalamin", "SC", 1000, every_days=(7,), count=4)], name="x")
    doc = regimen_to_doc(reg)
    assert json.loads(json.dumps(doc)) == doc
    assert doc["phases"][0] == {
        "name": "weekly", "product": "hydroxocobalamin", "route": "SC", "dose_mcg": 1000,
        "every_days": [7], "count": 4, "for_life": False, "checkpoint": None, "refs": [],
    }  # fmt: skip
    assert type(doc["phases"][0]["route"]) is str


def test_a_regimen_document_with_a_bad_phase_names_the_phase_and_every_problem():
    with pytest.raises(RegimenError) as err:
        regimen_from_doc({"phases": [phase_to_doc(Phase("x", "cyanocobalamin", "IM", 1000, every_days=(1,), count=1)),
                                     {"name": "y", "product": "cyanocobalamin", "route": "IV", "dose_mcg": 1000,
                                      "every_days": [1], "count": 1, "colour": "red"}]})  # fmt: skip
    assert err.value.problems[0].startswith("phases[1]: ") and len(err.value.problems) == 2
    assert any("urine" in p for p in err.value.problems) and any("colour" in p for p in err.value.problems)


# -- one route vocabulary (logic.results.Route) ------------------------------------------------------


def test_the_routes_of_the_regimen_file_are_exactly_the_route_vocabulary():
    data = load_json("regimens.json")
    assert set(data["routes"]) | set(data["refused_routes"]) == {r.value for r in Route}
    assert not set(data["routes"]) & set(data["refused_routes"])
    assert set(data["refused_routes"]) == {"IV"}
    assert routes() == (Route.IM, Route.SC, Route.ORAL) and refused_routes() == (Route.IV,)
    assert set(data["route_aliases"].values()) <= set(data["routes"])


def test_every_phase_of_every_preset_uses_a_route_of_the_vocabulary():
    data = load_json("regimens.json")
    used = {ph["route"] for p in data["presets"].values() for ph in p["phases"]}
    assert used <= set(routes())


@pytest.mark.parametrize("spelling", ["SC", "deep SC"])
def test_deep_subcutaneous_reads_as_sc_in_either_spelling(spelling):
    phase = Phase("weekly", "hydroxocobalamin", spelling, 1000, every_days=(7,), count=4)
    assert phase.route is Route.SC and phase.parenteral
    assert phase_from_doc(phase_to_doc(phase) | {"route": spelling}) == phase
    assert "1000 mcg SC every week" in phase.describe()


@pytest.mark.parametrize("route", ["sc", "subcutaneous", "nasal", "", None])
def test_a_route_outside_the_vocabulary_is_rejected_naming_the_allowed_ones(route):
    with pytest.raises(RegimenError, match="route must be one of IM, SC, oral"):
        Phase("x", "cyanocobalamin", route, 1000, every_days=(1,), count=1)


def test_the_intravenous_refusal_quotes_the_urinary_loss_of_the_curve_it_names():
    with pytest.raises(RegimenError) as err:
        Phase("daily", "cyanocobalamin", "IV", 1000, every_days=(1,), count=7)
    (problem,) = err.value.problems
    assert problem == ("phase 'daily': Not intravenous: above the serum binding capacity almost all of the vitamin "
                       "is lost in the urine (about 85 % of a 1000 microgram dose).")  # fmt: skip


def test_the_intravenous_refusal_takes_its_number_from_the_retention_curve():
    from logic.regimen import refused_reason, retained_fraction

    spec = load_json("regimens.json")["refused_routes"]["IV"]["urinary_loss"]
    kept, _outside = retained_fraction(spec["product"], spec["dose_mcg"], spec["curve"])
    assert f"about {round(100 * (1 - kept))} % of a {spec['dose_mcg']} microgram dose" in refused_reason("IV")
    assert refused_reason("IM") is None
