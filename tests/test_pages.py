"""AppTest: each page loads, and the Case page drives the Diagnosis verdict."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.page_session import open_doc, open_file_box, opened

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def no_exceptions(at: AppTest) -> None:
    assert [e.message for e in at.exception] == []


def verdict(at: AppTest) -> str:
    at.switch_page("app_pages/diagnosis.py").run()
    no_exceptions(at)
    return next(m.value for m in at.markdown if m.value.startswith("### "))


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_exception_on_a_blank_case(page):
    at = new_app()
    at.switch_page(page).run()
    no_exceptions(at)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("example", ["pseudo_tma_plasmic4", "ttp_after_sleeve"])
def test_page_loads_with_an_example_case(page, example):
    at = new_app()
    at.selectbox(key="case_example").set_value(example)
    at.button(key="case_load_example").click().run()
    at.switch_page(page).run()
    no_exceptions(at)


def test_b12_150_250_400_moves_the_verdict_deficient_indeterminate_unlikely():
    at = new_app()
    seen = []
    for value in ("150", "250", "400"):
        at.switch_page("app_pages/case.py").run()
        at.text_input(key="case_lab_b12").set_value(f"{value} ng/L").run()  # a value with its unit
        no_exceptions(at)
        seen.append(verdict(at))
    assert seen == ["### B12 deficiency confirmed", "### B12 status indeterminate", "### B12 deficiency unlikely"]


def test_a_value_typed_in_pmol_per_litre_is_converted():
    at = new_app()
    at.text_input(key="case_lab_b12").set_value("100 pmol/L").run()  # 135.5 ng/L
    assert verdict(at) == "### B12 deficiency confirmed"


def test_bad_entry_is_kept_on_screen_with_a_message_and_not_applied():
    at = new_app()
    at.text_input(key="case_lab_b12").set_value("150").run()
    at.text_input(key="case_lab_b12").set_value("15O").run()  # letter O typed for zero
    no_exceptions(at)
    assert at.text_input(key="case_lab_b12").value == "15O"
    assert any("is not a number" in e.value for e in at.error)
    assert opened(at).doc["observations"][0]["value"] == 150


def test_implausible_value_is_refused_with_the_reason():
    at = new_app()
    at.text_input(key="case_lab_hemoglobin").set_value("120 g/dL").run()
    assert any("outside what a living patient can have" in e.value for e in at.error)
    assert opened(at).doc["observations"] == []


def open_section(at, group: str) -> None:
    """Open a folded result section (its fields are drawn only while it is open, as a click on it does)."""
    at.session_state[f"case_grp_{group}"] = True
    at.run()


def test_censored_entry_is_stored_with_its_comparator():
    at = new_app()
    open_section(at, "hemolysis")
    at.text_input(key="case_lab_haptoglobin").set_value("<8 mg/dL").run()
    stored = opened(at).doc["observations"][0]
    assert (stored["analyte"], stored["value"], stored["comparator"]) == ("haptoglobin", 8, "<")


def test_history_list_sets_a_tri_state_flag():
    at = new_app()
    at.multiselect(key="case_hist_causes_yes").select("pernicious_anemia").run()
    assert opened(at).doc["history"]["pernicious_anemia"] is True
    at.multiselect(key="case_hist_causes_yes").unselect("pernicious_anemia").run()  # out of the list: unknown
    assert opened(at).doc["history"]["pernicious_anemia"] is None


def test_history_item_moved_to_the_other_list_takes_that_answer_and_leaves_the_first():
    at = new_app()
    at.multiselect(key="case_hist_causes_yes").select("intrinsic_factor_antibodies").run()
    at.multiselect(key="case_hist_causes_no").select("intrinsic_factor_antibodies").run()
    assert opened(at).doc["history"]["intrinsic_factor_antibodies"] is False  # negative
    assert at.multiselect(key="case_hist_causes_yes").value == []
    assert at.multiselect(key="case_hist_causes_no").value == ["intrinsic_factor_antibodies"]
    at.multiselect(key="case_hist_causes_no").unselect("intrinsic_factor_antibodies").run()
    assert opened(at).doc["history"]["intrinsic_factor_antibodies"] is None  # unknown, never the other answer


def test_history_names_what_is_unknown_and_shows_an_opened_case_s_answers():
    at = new_app()
    at.selectbox(key="case_example").set_value("pseudo_tma_plasmic4")
    at.button(key="case_load_example").click().run()
    history = opened(at).doc["history"]
    for group, flags in (("causes", ("pernicious_anemia", "intrinsic_factor_antibodies", "parietal_cell_antibodies",
                                     "crohns_ileal", "gastric_surgery", "vegan_or_vegetarian", "alcohol_excess")),
                         ("drugs", ("metformin", "acid_suppression", "nitrous_oxide", "sulfasalazine", "methotrexate")),
                         ("presentation", ("neurological_symptoms", "neurological_signs", "fever", "active_cancer",
                                           "transplant"))):
        for answer, word in ((True, "yes"), (False, "no")):
            want = [f for f in flags if history.get(f) is answer]
            assert at.multiselect(key=f"case_hist_{group}_{word}").value == want
    captions = " ".join(c.value for c in at.caption)
    unknown = [f for f in ("metformin", "fever", "transplant") if history.get(f) is None]
    assert unknown, "the example leaves some history unknown"
    from logic.case import HISTORY_LABELS

    for flag in unknown:
        assert HISTORY_LABELS[flag] in captions.split("Unknown:", 1)[1]


def test_switching_to_si_units_converts_the_values_shown():
    # issue 11: a value keeps the unit it was typed in (no stored value is re-expressed); the unit system is
    # what the fields show and read a bare number in. Issue 21: the field shows the value in the field's unit,
    # never "0.8 mg/dL" beside a µmol/L label; the caption says what was entered
    at = new_app()
    at.radio(key="case_units").set_value("conventional").run()
    open_section(at, "other")
    at.text_input(key="case_lab_creatinine").set_value("0.8").run()
    assert any("= 71 µmol/L" in c.value for c in at.caption)
    at.radio(key="case_units").set_value("si").run()
    no_exceptions(at)
    assert at.text_input(key="case_lab_creatinine").value == "70.72"
    assert any("entered as 0.8 mg/dL" in c.value for c in at.caption)
    assert opened(at).doc["unit_system"] == "si"
    assert [(o["value"], o["unit"]) for o in opened(at).doc["observations"]] == [(0.8, "mg/dL")]
    at.text_input(key="case_lab_creatinine").set_value("71").run()
    stored = [o for o in opened(at).doc["observations"] if o["analyte"] == "creatinine"]
    assert [(o["value"], o["unit"]) for o in stored] == [(71, "umol/L")]


def test_pasted_invalid_case_lists_problems_and_keeps_the_current_case():
    at = new_app()
    at.selectbox(key="case_example").set_value("ttp_after_sleeve")
    at.button(key="case_load_example").click().run()
    before = opened(at).doc
    open_file_box(at)
    at.text_area(key="case_paste").set_value(json.dumps({"observations": [{"date": "x", "analyte": "b12"}]}))
    at.button(key="case_load_paste").click().run()
    assert any("observation 0" in e.value for e in at.error)
    assert opened(at).doc == before
    assert at.text_area(key="case_paste").value.startswith("{")


def test_pasted_valid_case_becomes_the_current_case():
    at = new_app()
    doc = json.loads((ROOT / "data/cases/indeterminate_settled_by_mma.json").read_text())
    open_file_box(at)
    at.text_area(key="case_paste").set_value(json.dumps(doc))
    at.button(key="case_load_paste").click().run()
    assert at.text_input(key="case_lab_b12").value == "205"
    assert verdict(at) == "### B12 deficiency confirmed (settled by MMA)"


def test_sidebar_shows_label_and_baseline_numbers():
    # AppTest drops the sidebar of an st.navigation app from its element tree after the first run
    # (reproduced with a five-line app), so the sidebar is checked on a first run with the case preset.
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, json.loads((ROOT / "data/cases/pseudo_tma_plasmic4.json").read_text()))
    at.run()
    text = " ".join(m.value for m in at.sidebar.markdown)
    assert "Pseudo" in text and "**Platelets** 62" in text
    # in the case's unit system, as its fields show them (the UK default set: SI, B12 in ng/L as printed)
    assert "**B12** 50 ng/L (37 pmol/L)" in text and "**Hb** 51 g/L" in text


def test_sidebar_baseline_follows_a_conventional_case():
    at = AppTest.from_file(APP, default_timeout=60)
    doc = json.loads((ROOT / "data/cases/pseudo_tma_plasmic4.json").read_text())
    open_doc(at, {**doc, "unit_system": "conventional"})
    at.run()
    text = " ".join(m.value for m in at.sidebar.markdown)
    assert "**Hb** 5.1 g/dL" in text and "**B12** 50 ng/L (37 pmol/L)" in text


def test_threshold_set_in_the_sidebar_changes_the_verdict():
    at = new_app()
    at.text_input(key="case_lab_b12").set_value("160 ng/L").run()
    assert verdict(at) == "### B12 deficiency confirmed"
    doc = opened(at).doc
    at = AppTest.from_file(APP, default_timeout=60)  # see the note on the sidebar above
    open_doc(at, doc)
    at.run()
    at.sidebar.selectbox(key="app_thresholds_widget").set_value("ruh_bath").run()
    assert verdict(at) == "### B12 status indeterminate"


def test_diagnosis_page_offers_a_copy_to_note_block_without_a_timestamp():
    at = new_app()
    at.text_input(key="case_lab_b12").set_value("100").run()
    at.switch_page("app_pages/diagnosis.py").run()
    note = at.code[0].value
    assert note.startswith("B12 assessment") and "deficiency confirmed" in note
    assert "2026" not in note and ":" in note


def test_results_typed_after_treatment_start_are_flagged_as_recovery_not_baseline():
    at = new_app()
    import datetime

    at.text_input(key="case_date_treatment_start").set_value("2026-11-02").run()
    assert at.text_input(key="case_draw_date").value == datetime.date(2026, 11, 1).isoformat()  # baseline by default
    at.text_input(key="case_draw_date").set_value("2026-11-05").run()
    assert any("count as the recovery course" in w.value for w in at.warning)


def test_ttp_emergency_is_shown_above_the_b12_verdict():
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, json.loads((ROOT / "data/cases/ttp_after_sleeve.json").read_text()))
    at.run()
    at.switch_page("app_pages/diagnosis.py").run()
    assert "haematological emergency" in at.error[0].value


def test_two_unit_slips_show_two_warnings_on_diagnosis_and_on_ttp_or_b12():
    """A UK printout typed into conventional fields (review, issue 11): creatinine 35 and indirect
    bilirubin 20 read as mg/dL. Both pages name each slip (two alerts of one kind are two widgets)."""
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, {"observations": [
        {"date": "2026-11-20", "analyte": "platelets", "value": 60, "unit": "10^9/L"},
        {"date": "2026-11-20", "analyte": "creatinine", "value": 35, "unit": "mg/dL"},
        {"date": "2026-11-20", "analyte": "bilirubin_indirect", "value": 20, "unit": "mg/dL"},
    ]})
    at.run()
    for page in ("app_pages/diagnosis.py", "app_pages/ttp.py"):
        at.switch_page(page).run()
        no_exceptions(at)
        slips = [w.value for w in at.warning if "is unusual in mg/dL" in w.value]
        assert len(slips) == 2, (page, slips)
        assert any(s.startswith("Creatinine 35") for s in slips), slips
        assert any("ilirubin" in s and "20 mg/dL" in s for s in slips), slips


def test_a_value_refused_at_its_field_is_told_in_the_fields_words_not_the_documents():
    at = new_app()  # the UK default set: SI, haemoglobin in g/L
    at.text_input(key="case_lab_hemoglobin").set_value("0.5").run()
    shown = " ".join(e.value for e in at.error) + " ".join(c.value for c in at.caption)
    assert "outside what a living patient can have" in shown, shown
    assert "observation" not in shown and "hemoglobin" not in shown
    assert at.text_input(key="case_lab_hemoglobin").value == "0.5"  # kept as typed


def test_a_folded_result_section_draws_no_fields_and_shows_the_case_when_opened_again():
    at = new_app()
    assert "case_lab_ldh" not in [t.key for t in at.text_input]  # Haemolysis is folded at first
    assert "case_lab_b12" in [t.key for t in at.text_input]  # B12 and folate is open
    open_section(at, "hemolysis")
    at.text_input(key="case_lab_haptoglobin").set_value("<8 mg/dL").run()
    at.session_state["case_grp_hemolysis"] = False  # folded again
    at.run()
    assert "case_lab_haptoglobin" not in [t.key for t in at.text_input]
    open_section(at, "hemolysis")
    assert at.text_input(key="case_lab_haptoglobin").value == "<0.08"  # in g/L, the SI field's unit (issue 21)


def test_a_refused_entry_keeps_its_section_open():
    at = new_app()
    open_section(at, "other")
    at.text_input(key="case_lab_creatinine").set_value("35 furlongs").run()
    at.session_state["case_grp_other"] = False  # a fold asked for while the entry is refused
    at.run()
    assert at.text_input(key="case_lab_creatinine").value == "35 furlongs"  # still drawn, as typed


def test_a_schistocyte_count_sets_schistocytes_seen_as_the_assessment_reads_it():
    # issue 21, item 8: 2 % typed left "Schistocytes seen on film" at "Not examined"
    at = new_app()
    assert at.radio(key="case_bool_schistocytes_seen").value == "Not examined"
    at.text_input(key="case_lab_schistocytes_pct").set_value("2").run()
    seen = at.radio(key="case_bool_schistocytes_seen")
    assert seen.value == "Seen" and seen.disabled
    assert any("From the schistocyte count (2 %)" in c.value for c in at.caption)
    at.text_input(key="case_lab_schistocytes_pct").set_value("0").run()
    assert at.radio(key="case_bool_schistocytes_seen").value == "Not seen"
    at.text_input(key="case_lab_schistocytes_pct").set_value("<1").run()  # censored: it does not say
    assert not at.radio(key="case_bool_schistocytes_seen").disabled
    at.text_input(key="case_lab_schistocytes_pct").set_value("").run()
    at.radio(key="case_bool_schistocytes_seen").set_value("Seen").run()  # by hand again, without a count
    assert {o["analyte"]: o["value"] for o in opened(at).doc["observations"]} == {"schistocytes_seen": True}


def test_the_history_says_that_either_neurological_question_counts_for_the_regimen():
    at = new_app()
    assert any("either counts as neurological involvement" in c.value for c in at.caption)


def test_a_pasted_file_with_thousands_of_problems_is_one_box_counted_by_kind():
    # issue 21, item 9: a 1.9 MB junk Bundle drew 8,915 error boxes; problems are listed 20 in full, then counted
    junk = {"observations": [{"date": f"2026-11-{1 + i % 28:02d}", "analyte": "platelets", "value": "lots",
                              "unit": "10^9/L"} for i in range(3000)]}
    at = new_app()
    open_file_box(at)
    at.text_area(key="case_paste").set_value(json.dumps(junk))
    at.button(key="case_load_paste").click().run()
    boxes = [e.value for e in at.error]
    assert len(boxes) == 1
    assert boxes[0].count("\n- ") == 21 and "… and **2,980 more** (3,000 in all): 2,980 ×" in boxes[0]
