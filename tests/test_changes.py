"""What changed between two case documents (logic/case/changes.py), in words for the version list."""
from logic.case.changes import Change, changes, describe
from tests.test_case import CONTRACT_EXAMPLE

BEFORE = {"label": "Bed 12", "treatment_start": None, "history": {"metformin": None},
          "observations": [{"date": "2026-11-20", "analyte": "platelets", "value": 62, "unit": "10^9/L"}]}


def with_(**changes_):
    return {**BEFORE, **changes_}


def test_a_changed_value_and_a_set_treatment_start_read_as_the_issue_asks():
    after = with_(treatment_start="2026-11-21",
                  observations=[{"date": "2026-11-20", "analyte": "platelets", "value": 64, "unit": "10^9/L"}])
    assert describe(changes(BEFORE, after)) == "treatment start set: 2026-11-21; Platelets 2026-11-20: 62 → 64"


def test_identical_documents_have_no_change():
    assert changes(BEFORE, dict(BEFORE)) == () and describe(()) == "no change"
    assert changes(CONTRACT_EXAMPLE, CONTRACT_EXAMPLE) == ()


def test_the_first_version_is_the_case_created():
    assert [str(c) for c in changes(None, BEFORE)] == ["case created"]


def test_results_added_and_removed_name_analyte_date_and_value_with_unit():
    after = with_(observations=[{"date": "2026-11-21", "analyte": "creatinine", "value": 35, "unit": "umol/L"}])
    assert [str(c) for c in changes(BEFORE, after)] == [  # by date, then test
        "Platelets 2026-11-20 removed (was 62 10^9/L)", "Creatinine 2026-11-21 added: 35 µmol/L"]


def test_a_unit_change_shows_both_units_and_a_censored_value_its_comparator():
    b = with_(observations=[{"date": "2026-11-20", "analyte": "haptoglobin", "value": 1, "unit": "mg/dL"}])
    a = with_(observations=[{"date": "2026-11-20", "analyte": "haptoglobin", "value": 0.1, "unit": "g/L",
                             "comparator": "<"}])
    assert [str(c) for c in changes(b, a)] == ["Haptoglobin 2026-11-20: 1 mg/dL → <0.1 g/L"]


def test_history_flags_say_yes_no_unknown_with_the_checklist_words():
    after = with_(history={"metformin": True, "fever": False, "adamts13_sent": "2026-11-20"})
    assert [str(c) for c in changes(BEFORE, after)] == [
        "Metformin: unknown → yes", "Fever: unknown → no", "ADAMTS13 sent set: 2026-11-20"]


def test_antibody_results_read_positive_and_negative():
    after = with_(history={"intrinsic_factor_antibodies": True, "parietal_cell_antibodies": False})
    assert [str(c) for c in changes(BEFORE, after)] == [
        "Intrinsic-factor antibodies: unknown → positive", "Parietal-cell antibodies: unknown → negative"]


def test_doses_regimen_and_units_are_listed():
    after = with_(doses=[{"date": "2026-11-21", "dose_mcg": 1000, "route": "oral"}],
                  regimen={"preset": "label_1000", "knobs": {"daily_doses": 7}}, unit_system="si")
    assert [str(c) for c in changes(BEFORE, after)] == [
        "dose given 2026-11-21 added: 1000 mcg oral", "regimen set: label_1000", "units set: si"]
    knob = {**after, "regimen": {"preset": "label_1000", "knobs": {"daily_doses": 5}}}
    assert [str(c) for c in changes(after, knob)] == ["regimen daily doses: 7 → 5"]


def test_two_same_day_values_are_paired_in_order():
    two = with_(observations=[*BEFORE["observations"],
                              {"date": "2026-11-20", "analyte": "platelets", "value": 70, "unit": "10^9/L"}])
    assert [str(c) for c in changes(BEFORE, two)] == ["Platelets 2026-11-20 added: 70 10^9/L"]


def test_describe_stops_after_the_limit_and_says_how_many_more():
    many = tuple(Change(f"x{i}", "1", "2") for i in range(9))
    assert describe(many, limit=2) == "x0: 1 → 2; x1: 1 → 2; and 7 more"


def test_odd_documents_never_raise():
    assert changes({"observations": "x", "history": 3}, {"observations": [1, None], "doses": {}}) == ()
    assert [str(c) for c in changes({}, {"custom": 1})] == ["custom changed"]
