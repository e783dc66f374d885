"""Recovery in a real browser: the figure renders with doses and both lab traces."""
from tests.browser.conftest import shot, wait_idle
from tests.browser.test_ttp_flow import load_example


def test_recovery_figure_with_doses_and_both_lab_traces(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    load_example(page, "lagging_iron_deficiency")
    page.get_by_role("link", name="Recovery").click()
    wait_idle(page)
    plot = page.locator(".st-key-rec_chart .js-plotly-plot")
    plot.wait_for(timeout=30_000)
    names = page.evaluate(
        "() => document.querySelector('.st-key-rec_chart .js-plotly-plot').data.map(t => t.name)")
    assert {"dose given", "dose planned", "Platelets (10^9/L)", "Reticulocytes (%)"} <= set(names)
    ys = page.evaluate("() => document.querySelector('.st-key-rec_chart .js-plotly-plot').data"
                       ".find(t => t.name === 'Reticulocytes (%)').y")
    assert ys == [0.9, 1.2, 1.4, 1.3, 1.3]
    shot(page, "recovery-lagging")
