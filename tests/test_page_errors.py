"""Issue 12 (the UI half) by AppTest: users see a message, never a traceback; a document that cannot be
stored is refused at the field and later edits save. (Uploads are driven in tests/browser: AppTest cannot.)"""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.charts  # noqa: F401 - imported before any test patches what it imports
from store import LOCAL
from tests.page_session import open_file_box, opened
from ui.database import get_store

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


@pytest.mark.parametrize(("page", "target"), [("recovery", "logic.recovery.response"),
                                              ("diagnosis", "logic.assess.assess"),
                                              ("regimen", "logic.regimen.regimen_for_case")])
def test_a_page_that_fails_shows_a_message_and_what_to_do_not_a_traceback(monkeypatch, page, target):
    monkeypatch.delenv("COBALT_PAGE_ERRORS")  # as deployed: the message only
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["session_open_case"] = __import__("ui.session", fromlist=["OpenCase"]).OpenCase(
        doc=json.loads((ROOT / "data/cases/manabe_course.json").read_text()))
    at.run()

    def boom(*args, **kwargs):
        raise RuntimeError("UPDATE cases SET label='Bed 9 secret'")

    module, name = target.rsplit(".", 1)
    monkeypatch.setattr(f"{module}.{name}", boom)
    at.switch_page(f"app_pages/{page}.py").run()
    assert [e.message for e in at.exception] == []
    (error,) = [e.value for e in at.error if "could not be shown" in e.value]
    assert "Nothing you typed is lost" in error and "Bed 9 secret" not in error and "UPDATE" not in error


def test_the_error_details_setting_hides_tracebacks_from_users():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


@pytest.mark.parametrize("pasted", [
    '{"observations": [], "extra": NaN}',
    '{"observations": [{"date": "2026-11-01", "analyte": "b12", "value": NaN, "unit": "ng/L"}]}',
    '{"observations": [], "label": "\\ud800"}',
    '{"observations": [], "deep": ' + "[" * 5000 + "]" * 5000 + "}",
])
def test_a_pasted_case_that_cannot_be_stored_is_refused_at_the_field_and_later_edits_save(pasted):
    at = new_app()
    at.text_input(key="case_label").set_value("Bed 3 before the paste").run()
    before = opened(at).doc
    open_file_box(at)
    at.text_area(key="case_paste").set_value(pasted)
    at.button(key="case_load_paste").click().run()
    assert [e.message for e in at.exception] == []
    assert any("The case was not loaded" in e.value for e in at.error)
    assert opened(at).doc == before
    at.text_input(key="case_lab_platelets").set_value("64").run()  # the next edit is saved
    rec = get_store().load(opened(at).id, actor=LOCAL)
    assert rec.document["observations"][0]["value"] == 64 and rec.version == opened(at).version
