"""Issue 11 in a real browser: a case that lasts, units that match the lab, teaching mode that teaches,
and a typing flow that runs across a row."""
from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from logic.reference import example_cases
from logic.regimen import preset
from tests.browser.bedside import (
    SIDEBAR,
    case_id,
    click,
    field,
    go,
    settle,
    sidebar_text,
    type_into,
    wait_field,
    wait_for_text,
    wait_saved,
)
from tests.browser.conftest import Server, _need_browser, shot, wait_idle


def test_a_label_typed_on_the_case_page_survives_a_reload_a_new_tab_and_a_deep_link(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    type_into(page, "case_label", "Bed 7 reload")
    type_into(page, "case_lab_platelets", "62")
    wait_saved(page)
    url = page.url
    assert "Bed" not in url and case_id(page)  # an opaque id, never a patient detail
    page.reload()
    wait_idle(page)
    assert wait_field(page, "case_label", "Bed 7 reload") == "Bed 7 reload"
    assert field(page, "case_lab_platelets") == "62"
    tab = page.context.new_page()
    tab.goto(url.replace("/?", "/recovery?"))  # a bookmark of another page keeps the case too
    wait_idle(tab)
    assert "Bed 7 reload" in tab.locator(SIDEBAR).inner_text()
    assert "/recovery" in tab.url and f"case={case_id(page)}" in tab.url
    tab.close()


def test_tab_runs_across_the_haemolysis_row_from_value_to_value(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    page.locator(".st-key-case_grp_hemolysis summary").click()
    wait_idle(page)
    page.locator(".st-key-case_lab_ldh input").focus()
    seen = []
    for _ in range(3):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(
            "() => (document.activeElement.closest('[class*=\"st-key-\"]') || {className: ''}).className"))
    keys = [next((c for c in s.split() if c.startswith("st-key-case_")), s) for s in seen]
    assert keys == ["st-key-case_lab_haptoglobin", "st-key-case_lab_bilirubin_total",
                    "st-key-case_lab_bilirubin_indirect"]  # no unit dropdown in between


def test_creatinine_35_in_conventional_units_is_questioned_and_one_click_switches_the_unit(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    page.locator(".st-key-case_units").get_by_text("Conventional (US)").click()
    settle(page)
    click(page, ".st-key-case_grp_other summary")
    type_into(page, "case_lab_creatinine", "35")
    main = page.locator("[data-testid='stMain']")
    assert "did you mean 35 µmol/L = 0.40 mg/dL?" in main.inner_text()
    shot(page, "case-creatinine-35-prompt")
    click(page, ".st-key-case_slip_creatinine button")
    assert field(page, "case_lab_creatinine") == "0.3959"  # in the field's unit, mg/dL (issue 21)
    assert "did you mean" not in main.inner_text()
    assert "entered as 35 µmol/L" in main.inner_text()


def test_teaching_mode_shows_no_diagnosis_text_anywhere_before_the_reveal(page, app_server):
    example = "ttp_after_sleeve"
    doc = example_cases()[example]
    secrets = [doc["label"], doc["about"]["final_diagnosis"], doc["about"]["teaching_point"][:60], "Immune TTP",
               "sleeve", doc["about"]["source"][:40]]
    page.goto(app_server.url)
    wait_idle(page)
    page.locator(".st-key-app_teaching_widget label").click()
    wait_idle(page)
    go(page, "Case library")
    page.get_by_role("tab", name="Teaching library").click()
    page.locator(f".st-key-lib_teach_{example} button").click()
    wait_idle(page)
    assert example not in page.url  # the address names the teaching case by an opaque token
    for title in ("Case", "Case library", "Diagnosis", "TTP or B12?", "Regimen", "Recovery"):
        go(page, title)
        if title == "Case library":
            page.get_by_role("tab", name="Teaching library").click()
            page.locator(f".st-key-lib_teach_{example} button").wait_for()  # only the open tab is drawn
            wait_idle(page)
        text = page.locator("body").inner_text()
        leaks = [s for s in secrets if s.lower() in text.lower()]
        assert leaks == [], (title, leaks)
    assert "Teaching case" in sidebar_text(page)
    go(page, "Diagnosis")
    click(page, ".st-key-teach_reveal_dx button")
    wait_for_text(page, doc["label"])  # revealed: the label is back


def _oral_case(today: date) -> dict:
    """A case whose oral plan has an oral dose due: the loading injections given, the first oral dose past."""
    start = today - timedelta(days=50)
    doses = [{"date": (start + timedelta(days=d)).isoformat(), "dose_mcg": 1000, "route": "IM"}
             for d in [*range(7), *range(8, 21, 2), 23, 26, 29, 32, 35]]
    return {"label": "Bed 9 oral plan", "treatment_start": start.isoformat(),
            "history": {"pernicious_anemia": False, "crohns_ileal": False, "gastric_surgery": False,
                        "ileal_resection_cm": 0, "vegan_or_vegetarian": True},
            "observations": [{"date": (start - timedelta(days=1)).isoformat(), "analyte": "b12", "value": 110,
                              "unit": "ng/L"}],
            "doses": doses}


def test_the_chosen_regimen_and_a_recorded_oral_dose_survive_a_server_restart(page):
    _need_browser()
    data_dir = Path(tempfile.mkdtemp(prefix="cobalt-plan-"))
    server = Server(data_dir).start()
    oral = preset("oral_maintenance").name
    try:
        page.goto(server.url)
        wait_idle(page)
        page.get_by_text("Open or save a case file (JSON)").click()
        page.locator(".st-key-case_paste textarea").fill(json.dumps(_oral_case(date.today())))
        click(page, ".st-key-case_load_paste button")
        assert "Bed 9 oral plan" in sidebar_text(page)
        go(page, "Regimen")
        page.locator(".st-key-reg_preset").click()
        page.get_by_role("option", name=oral).click()
        wait_idle(page)
        page.locator(".st-key-reg_oral_maintenance_maintenance_months").wait_for()
        assert "plan chosen for the case" in page.locator("[data-testid='stMain']").inner_text()
        go(page, "Recovery")
        click(page, ".st-key-rec_give_next button")
        wait_saved(page)
        url = page.url
    finally:
        server.stop()
    server = Server(data_dir).start()
    try:
        old = urlsplit(url)
        page.goto(urlunsplit(old._replace(netloc=urlsplit(server.url).netloc)))  # the same address, restarted
        wait_idle(page)
        wait_for_text(page, "Bed 9 oral plan")
        go(page, "Recovery")
        main = page.locator("[data-testid='stMain']").inner_text()
        assert f"Plan followed: {oral}, chosen for this case." in main
        from store import LOCAL, Store

        store = Store.open(f"sqlite:///{data_dir / 'cobalt.sqlite3'}")
        last = store.load(case_id(page), actor=LOCAL).document["doses"][-1]
        store.close()
        assert last["route"] == "oral" and last["product"] == "cyanocobalamin"
        go(page, "Regimen")
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "preset=oral_maintenance" in page.url and "This is the plan chosen for the case" in main
        shot(page, "regimen-chosen-after-restart")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
