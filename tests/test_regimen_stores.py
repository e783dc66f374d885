"""The body-store estimate (logic/regimen/stores.py).

Sources: shared/clinical/evidence.md section 2f (retention and loss figures).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from logic.reference import references
from logic.regimen import (
    Note,
    Phase,
    RegimenError,
    StoreParams,
    build_schedule,
    custom_regimen,
    estimate_stores,
    loss_choices,
    retained_fraction,
    schedule,
    summary,
)

START = date(2026, 11, 2)  # a Monday


# -- store estimate -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "curve", "dose", "retained"),
    [
        # Swiss cyanocobalamin label: renal loss 5 % at 25 ug, 47 % at 100 ug, 85 % at 1000 ug
        ("cyanocobalamin", "swiss_cbl_8h", 25, 0.95),
        ("cyanocobalamin", "swiss_cbl_8h", 100, 0.53),
        ("cyanocobalamin", "swiss_cbl_8h", 1000, 0.15),
        # Blood 1961: 72-h loss CN 60 % / 69 %, OH 16 % / 27 % at 500 / 1000 ug
        ("cyanocobalamin", "blood_1961_72h", 500, 0.40),
        ("cyanocobalamin", "blood_1961_72h", 1000, 0.31),
        ("hydroxocobalamin", "blood_1961_72h", 500, 0.84),
        ("hydroxocobalamin", "blood_1961_72h", 1000, 0.73),
        # Scand 1964: about 20 % CN and 75 % OH retained after about 1 mg
        ("cyanocobalamin", "scand_1964_24h", 1000, 0.20),
        ("hydroxocobalamin", "scand_1964_24h", 1000, 0.75),
    ],
)
def test_retained_fraction_reproduces_the_published_figures(product, curve, dose, retained):
    assert retained_fraction(product, dose, curve) == (pytest.approx(retained), False)


def test_retention_between_measured_doses_is_interpolated_and_outside_them_clamped():
    assert retained_fraction("cyanocobalamin", 550, "swiss_cbl_8h")[0] == pytest.approx(0.34)
    assert retained_fraction("cyanocobalamin", 2000, "swiss_cbl_8h") == (pytest.approx(0.15), True)


def test_both_published_daily_losses_are_selectable():
    choices = loss_choices()
    assert choices["sadagopan_2022"].value == 0.0013 and choices["sadagopan_2022"].refs == ("sadagopan_2022",)
    assert choices["swiss_ohcbl_fachinfo"].value == 0.00051
    sched = schedule(START)
    fast = estimate_stores(sched, StoreParams(daily_loss="sadagopan_2022")).at_months(12)
    slow = estimate_stores(sched, StoreParams(daily_loss="swiss_ohcbl_fachinfo")).at_months(12)
    assert slow > fast


def test_store_estimate_follows_its_one_compartment_formula():
    one = build_schedule(custom_regimen([Phase("once", "cyanocobalamin", "IM", 1000, every_days=(1,), count=1)]), START)
    est = estimate_stores(one, StoreParams(initial_store_mcg=2000), until=START + timedelta(days=2))
    k = 0.0013
    assert est.store_mcg[0] == pytest.approx(2000 * (1 - k) + 150)
    assert est.store_mcg[2] == pytest.approx((2000 * (1 - k) + 150) * (1 - k) ** 2)


def test_hydroxocobalamin_builds_larger_stores_than_cyanocobalamin_for_the_same_plan():
    def plan(product):
        return build_schedule(custom_regimen([Phase("x", product, "IM", 1000, every_days=(2,), count=10)]), START)

    assert estimate_stores(plan("hydroxocobalamin")).at_months(3) > estimate_stores(plan("cyanocobalamin")).at_months(3)


def test_store_estimate_is_labelled_and_every_parameter_has_a_source():
    est = estimate_stores(schedule(START))
    assert "estimate" in est.label.lower()
    assert {m for m, _ in est.milestones} == {1, 3, 12} and all(v is not None for _, v in est.milestones)
    assert all(p.refs and set(p.refs) <= set(references()) for p in est.params)
    assert {p.key for p in est.params} >= {"initial_store_mcg", "daily_loss_fraction", "oral_absorbed_fraction"}


@pytest.mark.parametrize("bad", [500, 6000, "2 mg"])
def test_initial_store_outside_1_to_5_mg_is_rejected(bad):
    with pytest.raises(RegimenError, match="initial_store_mcg"):
        estimate_stores(schedule(START), StoreParams(initial_store_mcg=bad))


def test_oral_doses_add_nothing_without_a_sourced_absorbed_fraction_and_say_so():
    sched = schedule(START, "oral_maintenance", maintenance_months=12)
    default = estimate_stores(sched)
    assert any("no primary source" in a.text for a in default.assumptions)
    entered = estimate_stores(sched, StoreParams(oral_absorbed_fraction=0.01))
    assert entered.at_months(12) > default.at_months(12)


def test_a_ten_year_schedule_gives_a_weekly_series_and_all_milestones():
    sched = schedule(START, maintenance_months=120)
    est = estimate_stores(sched, step_days=7)
    assert est.dates[0] == START and (est.dates[1] - est.dates[0]).days == 7
    assert est.dates[-1] <= sched.end and len(est.dates) == (sched.end - START).days // 7 + 1
    assert min(est.store_mcg) > 0


def test_comparison_row_has_the_fields_the_compare_table_shows():
    row = summary(schedule(START))
    assert row["injections"] == 31 and row["visits"] == 31 and row["total_mcg"] == 31000
    assert row["days_to_end_of_loading"] == 35
    assert all(isinstance(row[f"store_{m}m_mcg"], int) for m in (1, 3, 12))


def test_a_dose_outside_the_measured_doses_is_noted_with_the_curves_range_and_sources():
    one = build_schedule(custom_regimen([Phase("once", "cyanocobalamin", "IM", 2000, every_days=(1,), count=1)]), START)
    (note,) = [a for a in estimate_stores(one).assumptions if "outside" in a.text]
    assert note.text == ("2000 mcg of cyanocobalamin is outside the measured doses (25-1000 mcg): "
                         "the nearest measured retention is used.")  # fmt: skip
    assert note.refs == ("swiss_cbl_fachinfo",)
    inside = build_schedule(custom_regimen([Phase("once", "cyanocobalamin", "IM", 1000, every_days=(1,), count=1)]),
                            START)  # fmt: skip
    assert not [a for a in estimate_stores(inside).assumptions if "outside" in a.text]


def test_an_entered_oral_fraction_is_quoted_as_the_users():
    sched = schedule(START, "oral_maintenance", maintenance_months=1)
    notes = estimate_stores(sched, StoreParams(oral_absorbed_fraction=0.01)).assumptions
    assert Note("Oral doses: 0.01 of each dose absorbed (entered by the user).", ()) in notes
    default = estimate_stores(sched).assumptions
    assert default[0].refs == ("no_source_oral_absorption",) and default[0].text.startswith("Oral doses add nothing")


def test_the_initial_store_message_gives_the_range_in_mcg_and_mg():
    with pytest.raises(RegimenError, match=r"must be 1000-5000 mcg \(body stores 1-5 mg\), got 500"):
        estimate_stores(schedule(START), StoreParams(initial_store_mcg=500))
