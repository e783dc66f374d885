"""TTP or B12? in a real browser: the chart renders and the leaning reads right for two examples."""
import pytest

from logic.reference import example_cases
from tests.browser.conftest import shot, wait_idle


def load_example(page, example: str) -> None:
    """Open a teaching case from the library (the example dropdown virtualises long lists)."""
    page.get_by_role("link", name="Case library").click()
    wait_idle(page)
    page.get_by_role("tab", name="Teaching library").click()
    page.locator(f".st-key-lib_teach_{example} button").click()
    wait_idle(page)
    assert page.locator(".st-key-case_label input").input_value() == example_cases()[example]["label"]


@pytest.mark.parametrize(("example", "leaning"), [
    ("pseudo_tma_composite", "Leans B12 pseudo-TMA"),
    ("ttp_after_sleeve", "Leans TTP"),
])
def test_leaning_and_balance_chart(page, app_server, example, leaning):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(app_server.url)
    wait_idle(page)
    load_example(page, example)
    page.get_by_role("link", name="TTP or B12?").click()
    wait_idle(page)
    box = page.locator(".st-key-ttp_leaning")
    box.wait_for()
    assert leaning in box.inner_text()
    plot = page.locator(".st-key-ttp_balance .js-plotly-plot")
    plot.wait_for(timeout=30_000)
    assert page.locator(".st-key-ttp_balance .barlayer .point").count() >= 3
    # the leaning is readable without scrolling at 1280 px
    heading = box.locator("h3")
    top = heading.bounding_box()
    assert top is not None and top["y"] + top["height"] <= 800, top
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size({"width": width, "height": 900})
            wait_idle(page)
            plot.wait_for(timeout=30_000)
            shot(page, f"ttp-{example}-{width}-{scheme}")
    page.emulate_media(color_scheme="light")
