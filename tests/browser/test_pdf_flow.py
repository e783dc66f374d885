"""The PDFs download from the running app (built when the button is clicked) and read as expected."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.browser.conftest import SHOTS, shot, wait_idle


def type_into(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def _download(page, key: str, name: str) -> str:
    with page.expect_download(timeout=60_000) as info:
        page.locator(f".st-key-{key} button").first.click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS.parent / name
    info.value.save_as(path)
    assert path.read_bytes()[:5] == b"%PDF-"
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext missing")
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())  # fmt: skip


def test_patient_and_assessment_pdfs_download_from_the_app(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    type_into(page, "case_label", "PDF bed 5")
    type_into(page, "case_lab_b12", "95")
    page.get_by_role("link", name="Regimen").click()
    wait_idle(page)
    page.locator(".st-key-reg_no_weekends").wait_for()
    text = _download(page, "reg_pdf", "patient-from-app.pdf")
    assert "Your vitamin B12 treatment" in text and "Injection into a muscle, 1000 micrograms" in text
    assert "Blood test: potassium level" in text and "phase" not in text.lower()
    shot(page, "regimen-with-pdf")
    page.get_by_role("link", name="Diagnosis").click()
    wait_idle(page)
    text = _download(page, "dx_pdf", "assessment-from-app.pdf")
    assert "assessment: PDF bed 5" in text and "B12: DEFICIENT" in text and "PLASMIC" in text
