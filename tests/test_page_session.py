"""The one session object (ui/session.py): the teaching-mode rule, what pages share through it, and a
case picker that does not query the database on every rerun."""
import json
from pathlib import Path

import pytest
from streamlit.runtime.caching import clear_session_data_cache
from streamlit.testing.v1 import AppTest

from store import Store
from tests.page_session import open_doc, opened
from ui.open_case import OpenCase, SaveStatus
from ui.session import SESSION_KEY

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
APPTEST_SESSION = "test session id"  # the session id of every AppTest (streamlit.testing.v1.local_script_runner)
TEACHING = "pseudo_tma_composite"


def example(name: str) -> dict:
    return json.loads((ROOT / f"data/cases/{name}.json").read_text())


def teaching_open(revealed: bool = False) -> OpenCase:
    return OpenCase(doc=example(TEACHING), read_only=True, source=TEACHING, revealed=revealed)


# -- the teaching-mode rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("open_case", "teaching_mode", "hidden"),
    [
        (teaching_open(), True, True),
        (teaching_open(revealed=True), True, False),
        (teaching_open(), False, False),
        (OpenCase(doc=example(TEACHING)), True, False),  # an own copy of a teaching case is not hidden
        (OpenCase(doc=example(TEACHING), source=TEACHING), True, False),  # editable: not a teaching case
        (OpenCase(), True, False),
    ],
)
def test_open_case_verdicts_are_hidden_only_for_an_unrevealed_teaching_case_in_teaching_mode(
    open_case, teaching_mode, hidden
):
    assert open_case.hides_verdicts(teaching_mode) is hidden


@pytest.mark.parametrize(
    ("open_case", "teaching_mode", "hidden"),
    [
        (OpenCase(), True, True),  # teaching mode hides every listed teaching case
        (OpenCase(), False, False),
        (teaching_open(), True, True),
        (teaching_open(revealed=True), True, False),  # the open one, once revealed
        (OpenCase(doc=example("ttp_after_sleeve"), read_only=True, source="ttp_after_sleeve", revealed=True), True,
         True),  # another teaching case was revealed, not this one
    ],
)
def test_a_named_teaching_case_is_hidden_in_teaching_mode_unless_it_is_open_and_revealed(
    open_case, teaching_mode, hidden
):
    assert open_case.hides_verdicts(teaching_mode, TEACHING) is hidden


def test_save_status_is_teaching_saved_or_unsaved():
    assert teaching_open().status == SaveStatus.TEACHING
    assert OpenCase(id="c1", version=3).status == SaveStatus.SAVED
    assert OpenCase().status == SaveStatus.UNSAVED


def _app(state: OpenCase | None = None, teaching: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if state is not None:
        at.session_state[SESSION_KEY] = state
    at.session_state["app_teaching"] = teaching
    return at.run()


@pytest.mark.parametrize(("state", "teaching", "label_shown"), [
    (teaching_open(), True, False),
    (teaching_open(revealed=True), True, True),
    (teaching_open(), False, True),
])
def test_sidebar_hides_the_teaching_case_label_by_the_same_rule(state, teaching, label_shown):
    at = _app(state, teaching)  # the sidebar is read on a first run (see test_pages.py)
    text = " ".join(m.value for m in at.sidebar.markdown)
    assert ("Teaching composite" in text) is label_shown
    assert ("label hidden until reveal" in text) is not label_shown


@pytest.mark.parametrize(("teaching", "shown"), [(True, False), (False, True)])
def test_case_page_example_picker_hides_the_teaching_point_in_teaching_mode(teaching, shown):
    at = _app(teaching=teaching)
    at.selectbox(key="case_example").set_value(TEACHING).run()
    point = example(TEACHING)["about"]["teaching_point"]
    assert any(point in c.value for c in at.caption) is shown


@pytest.mark.parametrize(("teaching", "revealed", "shown"), [(True, False, False), (True, True, True),
                                                             (False, False, True)])
def test_a_teaching_cases_answer_result_is_hidden_on_the_case_page_until_the_reveal(teaching, revealed, shown):
    # issue 21, item 5: teaching case 12's ADAMTS13 <5 % (about.hidden_until_reveal) gave the answer away
    sleeve = OpenCase(doc=example("ttp_after_sleeve"), read_only=True, source="ttp_after_sleeve", revealed=revealed)
    at = _app(sleeve, teaching)
    at.session_state["case_grp_other"] = True  # its result section open
    at.run()
    assert (at.text_input(key="case_lab_adamts13_activity").value == "<5") is shown
    table = at.dataframe[0].value
    assert ("ADAMTS13 activity" in set(table["Test"])) is shown
    assert len(table) == len(example("ttp_after_sleeve")["observations"]) - (0 if shown else 1)


def test_a_copy_of_a_hidden_teaching_case_keeps_every_result():
    at = _app(OpenCase(doc=example("ttp_after_sleeve"), read_only=True, source="ttp_after_sleeve"), teaching=True)
    at.button(key="app_copy_case").click().run()
    assert not opened(at).read_only
    assert "adamts13_activity" in {o["analyte"] for o in opened(at).doc["observations"]}


def test_library_hides_final_diagnoses_in_teaching_mode_and_shows_the_revealed_open_one():
    final = {k: example(k)["about"]["final_diagnosis"] for k in (TEACHING, "ttp_after_sleeve")}

    def shown(at: AppTest) -> set[str]:
        at.session_state["lib_tab"] = "Teaching library"  # only the open tab is drawn
        at.switch_page("app_pages/library.py").run()
        text = " ".join(m.value for m in at.markdown)
        return {k for k, f in final.items() if f"*{f}.*" in text}

    assert shown(_app(teaching=False)) == set(final)
    assert shown(_app(teaching=True)) == set()
    assert shown(_app(teaching_open(revealed=True), teaching=True)) == {TEACHING}


def test_reveal_on_one_page_reveals_on_every_page_and_the_toggle_hides_again():
    at = _app(teaching_open(), teaching=True)
    at.switch_page("app_pages/ttp.py").run()
    assert at.button(key="teach_reveal_ttp")
    at.button(key="teach_reveal_ttp").click().run()
    assert opened(at).revealed
    at.switch_page("app_pages/regimen.py").run()
    assert not [b for b in at.button if b.key == "teach_reveal_reg"]
    at.sidebar.toggle(key="app_teaching_widget").set_value(False).run()
    at.sidebar.toggle(key="app_teaching_widget").set_value(True).run()
    assert not opened(at).revealed
    assert at.button(key="teach_reveal_reg")


# -- facts pages share ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["diagnosis", "ttp", "regimen", "recovery"])
def test_a_case_page_entry_not_applied_is_pending_on_every_page_that_reads_the_case_until_corrected(page):
    # issue 21, item 3: one shared notice (ui.banner.pending_notice), near each page's answer
    from logic.reference import analytes

    label = analytes()["b12"]["label"]
    at = _app()
    at.text_input(key="case_lab_b12").set_value("abc").run()
    at.text_input(key="case_date_treatment_start").set_value("2020-01-01").run()  # Recovery draws its answer
    assert set(opened(at).errors) == {"b12"}
    at.switch_page(f"app_pages/{page}.py").run()
    notices = [w.value for w in at.warning if "not applied" in w.value]
    assert len(notices) == 1 and f"({label})" in notices[0] and notices[0].startswith("1 entry on the Case page")
    at.switch_page("app_pages/case.py").run()
    assert at.text_input(key="case_lab_b12").value == "abc"  # the draft is kept on screen
    at.text_input(key="case_lab_b12").set_value("150").run()
    assert opened(at).errors == {}
    at.switch_page(f"app_pages/{page}.py").run()
    assert not any("not applied" in w.value for w in at.warning)


def test_opening_another_case_drops_the_pending_entries_of_the_previous_one():
    at = _app()
    at.text_input(key="case_lab_b12").set_value("abc").run()
    assert at.text_input(key="case_lab_b12").value == "abc"
    at.session_state["app_switch"] = True  # the "Switch case" expander is open
    at.run()
    at.sidebar.button(key="app_new").click().run()
    assert opened(at).errors == {}
    assert at.text_input(key="case_lab_b12").value == ""
    assert not any("not applied" in w.value for w in at.warning)


def test_recovery_follows_the_plan_chosen_on_the_regimen_page():
    from logic.regimen import preset

    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, example("manabe_course"))
    at.run()
    at.switch_page("app_pages/recovery.py").run()
    assert opened(at).plan is None
    suggested = next(m.help for m in at.metric if m.label == "Next injection")
    at.switch_page("app_pages/regimen.py").run()
    at.selectbox(key="reg_preset").set_value("bnf_hydroxo_neuro").run()
    assert opened(at).plan.preset == "bnf_hydroxo_neuro"
    at.switch_page("app_pages/recovery.py").run()
    chosen = next(m.help for m in at.metric if m.label == "Next injection")
    assert chosen.startswith(preset("bnf_hydroxo_neuro").name) and chosen != suggested


# -- the sidebar's case picker --------------------------------------------------------------


@pytest.fixture
def list_calls(monkeypatch):
    """Every Store.list_cases call, counted (the picker's cache starts empty)."""
    calls: list[tuple] = []
    real = Store.list_cases

    def counting(self, *args, **kwargs):
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "list_cases", counting)
    clear_session_data_cache(APPTEST_SESSION)  # the picker's list is cached per browser session
    return calls


def test_reruns_with_the_switch_case_expander_folded_never_list_cases(list_calls):
    at = _app()
    for page in ("case", "diagnosis", "regimen"):
        at.switch_page(f"app_pages/{page}.py").run()
    for _ in range(5):
        at.run()
    assert list_calls == []


def test_open_picker_lists_once_then_again_only_after_a_save(list_calls):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["app_switch"] = True  # the "Switch case" expander is open
    at.run()
    assert len(list_calls) == 1
    for _ in range(5):
        at.run()
    assert len(list_calls) == 1  # nothing changed: no query
    at.text_input(key="case_label").set_value("Picker bed 3").run()  # autosave
    assert len(list_calls) == 2
    at.run()
    assert len(list_calls) == 2
