"""Enter a B12 of 150 ng/L on the Case page; the Diagnosis page says deficient."""
from tests.browser.conftest import shot, wait_idle


def type_lab(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def test_b12_of_150_reads_deficient_in_a_real_browser(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    assert page.locator(".st-key-case_lab_b12 input").get_attribute("placeholder") == "ng/L"  # the UK unit
    type_lab(page, "case_lab_b12", "150")
    shot(page, "case-b12-150")
    page.get_by_role("link", name="Diagnosis").click()
    wait_idle(page)
    verdict = page.locator(".st-key-dx_verdict")
    verdict.wait_for()
    assert "DEFICIENT" in verdict.inner_text()
    assert "B12 deficiency confirmed" in verdict.inner_text()
    page.locator(".st-key-dx_b12_chart img").wait_for(timeout=30_000)
    path = shot(page, "diagnosis-b12-150")
    assert path.stat().st_size > 10_000
