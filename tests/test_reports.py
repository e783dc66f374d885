"""Printable PDFs (logic/reports): the patient's schedule in plain words and the clinician's assessment.

Each PDF is rendered with WeasyPrint, every page turned into a PNG with pdftoppm (Debian's
poppler-utils, which `make test` installs) and checked not to be blank, and its text extracted with
pdftotext to check dates and doses. The PNGs are kept in test-results/pdf/ to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from logic.assess import assess
from logic.case import parse_case
from logic.reference import DATA_DIR
from logic.regimen import blood_tests, build_schedule, off_weekends, regimen_for_case, schedule
from logic.reports import assessment_html, patient_html, plan_lines, render_pdf
from logic.reports.patient import words

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-results" / "pdf"
START = date(2026, 11, 2)
TODAY = date(2026, 10, 30)
#: The issue's list: none of these may appear in the patient's copy (any case).
ISSUE_JARGON = ("interval", "phase", "preset", "label schedule")


def _need_poppler() -> None:
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    msg = "pdftoppm/pdftotext missing: `make test` installs Debian's poppler-utils when run as root"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def pages(pdf: bytes, name: str) -> tuple[list[Path], str]:
    """Every page as a PNG (checked not blank) and the whole text."""
    _need_poppler()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.pdf"
    path.write_bytes(pdf)
    for old in OUT.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(OUT / name)], check=True, timeout=60)
    pngs = sorted(OUT.glob(f"{name}-*.png"))
    for png in pngs:
        with Image.open(png) as im:
            grey = im.convert("L")
            assert ImageStat.Stat(grey).stddev[0] > 5, f"{png.name} is blank"
            assert grey.getextrema()[0] < 100, f"{png.name} has no dark ink"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout  # fmt: skip
    assert text.count("\f") == len(pngs)  # one form feed per page
    return pngs, " ".join(text.split())


@pytest.fixture(scope="module")
def patient():
    sched = schedule(START, maintenance_months=12)
    return sched, *pages(render_pdf(patient_html(sched, TODAY)), "patient")


def test_the_patient_pdf_has_every_date_and_dose_in_plain_words(patient):
    sched, pngs, text = patient
    assert 2 <= len(pngs) <= 6
    assert "Your vitamin B12 treatment" in text and "Prepared on Fri 30 Oct 2026" in text
    for inj in sched.injections:
        assert f"{inj.date:%a} {inj.date.day} {inj.date:%b %Y}" in text
    assert text.count("Injection into a muscle, 1000 micrograms") == sched.count
    for t in blood_tests(START):
        assert f"{t.date:%a} {t.date.day} {t.date:%b %Y} Blood test" in text
    assert "Blood test: potassium level" in text


def test_the_patient_pdf_has_room_for_a_name_and_the_clinic_and_says_what_to_report(patient):
    _, _, text = patient
    for field in ("Your name", "Your clinic", "Clinic telephone"):
        assert field in text
    assert "Tell your clinic straight away if you notice" in text
    assert "new bruising" in text and "numbness" in text


def test_the_patient_pdf_says_the_treatment_continues_for_life(patient):
    _, _, text = patient
    assert "continues for life" in text and "every month, starting around Fri 7 Jan 2028" in text


def test_the_patient_pdf_uses_no_jargon(patient):
    _, _, text = patient
    lowered = text.lower()
    assert [w for w in ISSUE_JARGON if w in lowered] == []
    assert [w for w in words()["jargon"] if re.search(rf"\b{re.escape(w)}\b", text, re.I)] == []


@pytest.mark.parametrize("preset_id", ["bnf_hydroxo", "bnf_hydroxo_neuro", "oral_maintenance", "fda_label_100"])
def test_every_preset_reads_without_jargon(preset_id):
    sched = off_weekends(schedule(START, preset_id, maintenance_months=3)).schedule
    html = patient_html(sched, TODAY)
    visible = re.sub(r"<[^>]+>", " ", html.split("<body>")[1])
    for w in list(ISSUE_JARGON) + words()["jargon"]:
        assert not re.search(rf"\b{re.escape(w)}\b", visible, re.I), (preset_id, w)
    assert plan_lines(sched)[-1].startswith("Your treatment continues for life")


def test_a_plan_that_ends_says_when():
    from logic.regimen import Phase, build_schedule, custom_regimen

    sched = build_schedule(custom_regimen([Phase("weekly", "hydroxocobalamin", "IM", 1000, (7,), count=4)]), START)
    assert (
        plan_lines(sched)[-1]
        == "Your treatment on this sheet ends on Mon 23 Nov 2026. Your clinic will tell you if you need more."
    )


# -- the clinician's assessment --------------------------------------------------------------------


@pytest.fixture(scope="module")
def assessment():
    doc = json.loads((DATA_DIR / "cases" / "pseudo_tma_composite.json").read_text())
    case = parse_case(doc)
    result = assess(case)
    sched = build_schedule(regimen_for_case(case).regimen, date(2026, 11, 2))
    html = assessment_html(case, result, date(2026, 11, 25), sched)
    return case, result, sched, html, *pages(render_pdf(html), "assessment")


def test_the_assessment_pdf_holds_the_verdicts_plasmic_the_leaning_and_the_regimen(assessment):
    case, result, sched, html, pngs, text = assessment
    assert len(pngs) >= 2
    assert f"B12: {result.b12_status.upper()}" in text
    p = result.plasmic
    assert f"PLASMIC {p.score if p.score is not None else p.min_score}" in text
    assert "TTP or B12: leaning" in text
    first = sched.injections[0]
    assert f"{first.date:%a} {first.date.day} {first.date:%b %Y} {first.dose_mcg} mcg {first.route}" in text
    assert f"{sched.count} doses" in text


def test_the_assessment_pdf_draws_the_recovery_figure_and_lists_its_sources(assessment):
    case, result, _, html, _, text = assessment
    assert "<svg" in html and "Platelets (10^9/L)" in text
    assert "Sources" in text and "Bendapudi" in text
    cited = {int(n) for group in re.findall(r"\[([\d, ]+)\]", text) for n in group.split(",")}
    listed = re.findall(r"<ol class=\"small\">(.*)</ol>", html, re.S)[0].count("<li>")
    assert cited == set(range(1, listed + 1))  # every source listed is cited, every citation is listed


def test_the_pdf_fetches_nothing_from_outside():
    html = patient_html(schedule(START), TODAY).replace("</body>", '<img src="http://example.invalid/x.png"></body>')
    assert render_pdf(html)[:5] == b"%PDF-"  # the image is refused, the document still renders
