"""Regimen in a real browser: the chart renders and the calendar file downloads and parses."""
from logic.regimen.exports import from_ics
from tests.browser.conftest import SHOTS, shot, wait_idle


def test_regimen_chart_and_ics_download(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    page.get_by_role("link", name="Regimen").click()
    wait_idle(page)
    page.locator(".st-key-reg_chart .js-plotly-plot").wait_for(timeout=30_000)
    assert page.locator(".st-key-reg_chart .scatterlayer .trace").count() >= 4
    with page.expect_download() as info:
        page.locator(".st-key-reg_ics button").click()
    path = SHOTS.parent / "b12-plan.ics"
    SHOTS.mkdir(parents=True, exist_ok=True)
    info.value.save_as(path)
    injections = from_ics(path.read_text())
    # the default reference set is a UK set: the BNF hydroxocobalamin schedule (issue 20), 6 + 4 doses of 1 mg
    assert len(injections) == 10 and injections[0].dose_mcg == 1000
    assert {i.product for i in injections} == {"hydroxocobalamin"}
    shot(page, "regimen-default")
