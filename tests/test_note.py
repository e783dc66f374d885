"""The copy-to-note summary (logic/reports/note.py): plain words, the verdicts, nothing that identifies."""
from logic.assess import assess
from logic.case import parse_case
from logic.reference import example_cases
from logic.reports.note import note_text
from tests.helpers import make_case, obs


def note_of(case):
    return note_text(case, assess(case))


def test_note_starts_with_the_b12_verdict_and_ends_with_the_disclaimer():
    text = note_of(make_case(obs("b12", 150, "ng/L"), obs("platelets", 90, "10^9/L")))
    lines = text.splitlines()
    assert lines[0].startswith("B12 assessment (Cobalt,")
    assert lines[1] == "- B12 deficiency confirmed."
    assert lines[-1] == "Decision support only; clinical judgement applies."


def test_no_plasmic_or_ttp_line_without_a_microangiopathic_picture():
    text = note_of(make_case(obs("b12", 150, "ng/L"), obs("platelets", 90, "10^9/L")))
    assert "PLASMIC" not in text and "TTP or B12" not in text


def test_a_microangiopathic_picture_brings_plasmic_and_the_leaning():
    case = parse_case(example_cases()["pseudo_tma_composite"])
    text = note_of(case)
    assert "- PLASMIC 5, intermediate risk." in text
    assert "- TTP or B12: B12 pseudo-TMA, strongly (a leaning for clinical judgement)." in text


def test_a_ttp_leaning_is_in_the_note_with_its_critical_caution():
    case = parse_case(example_cases()["ttp_after_sleeve"])
    text = note_of(case)
    assert "- TTP or B12: TTP" in text
    assert "Caution: ADAMTS13 activity below 10 %" in text


def test_the_note_holds_no_label():
    case = make_case(obs("b12", 150, "ng/L"), label="Bed 12 Mrs Example")
    assert "Bed 12" not in note_of(case) and "Example" not in note_of(case)
