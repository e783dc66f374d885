"""Issue 21, item 9: the contract's rules for dates and numbers, enforced by every reader, and messages that
state the real limits. Dates are ISO ``YYYY-MM-DD`` exactly (Python's ``date.fromisoformat`` also takes
``2026-W45-7`` and ``20261101``, and the readers stripped spaces and NBSP around them: 1,276 of 2,440
generated dates were stored as typed); ``-6e-400`` (read as ``-0.0``) is negative and refused like every
negative; ``assess`` and ``convert`` agree on byte-order marks; a refused long value is not echoed whole."""
from __future__ import annotations

import io
import json

import pytest

from logic.__main__ import main
from logic.case import CaseError, parse_case
from logic.case.limits import MAX_UPLOAD_BYTES, limit_text
from logic.case.parse import read_case_document
from logic.convert import read_any

NOT_ISO = ["2026-W45-7", "2026-W45", "20261101", "2026-305", " 2026-11-01", "2026-11-01 ", "\u00a02026-11-01",
           "2026-11-01\u00a0", "2026-11-01\n", "２０２６-11-01", "2026-1-01", "+2026-11-01"]
OBS = {"analyte": "platelets", "value": 62, "unit": "10^9/L"}


def _doc(day: str) -> dict:
    return {"observations": [{"date": day, **OBS}]}


@pytest.mark.parametrize("day", NOT_ISO)
def test_a_case_document_refuses_a_date_that_is_not_exactly_yyyy_mm_dd_wherever_it_stands(day):
    for doc, where in (
        (_doc(day), "observations[0]"),
        ({"observations": [], "treatment_start": day}, "treatment_start"),
        ({"observations": [], "history": {"symptom_onset": day}}, "history.symptom_onset"),
        ({"observations": [], "history": {"adamts13_sent": day}}, "history.adamts13_sent"),
        ({"observations": [], "doses": [{"date": day, "dose_mcg": 1000}]}, "doses[0]"),
        ({"observations": [], "regimen": {"preset": "fda_label_1000", "knobs": {}, "start": day}}, "regimen.start"),
    ):
        with pytest.raises(CaseError) as exc:
            parse_case(doc)
        assert [p.field for p in exc.value.problems] == [where], (day, where)
        assert "YYYY-MM-DD" in str(exc.value)


def test_exactly_yyyy_mm_dd_is_read_and_an_impossible_day_is_named_as_such():
    assert parse_case(_doc("2026-11-01")).observations[0].date.isoformat() == "2026-11-01"
    with pytest.raises(CaseError, match="not a day of the calendar"):
        parse_case(_doc("2026-02-30"))


@pytest.mark.parametrize("day", ["2026-W45-7", "20261101", "\u00a02026-11-01", "2026-11-01\u00a0"])
def test_every_importer_refuses_the_same_dates(day):
    case_json = json.dumps(_doc(day))
    csv_long = f"date,analyte,value,unit\n{day},platelets,62,10^9/L\n"
    csv_wide = f"date,platelets (10^9/L)\n{day},62\n"
    bundle = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Observation", "status": "final", "effectiveDateTime": day,
        "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
        "valueQuantity": {"value": 62, "unit": "10^9/L", "system": "http://unitsofmeasure.org", "code": "10*9/L"}}}]})
    for text, fmt in ((case_json, "json"), (csv_long, "csv_long"), (csv_wide, "csv_wide"), (bundle, "fhir")):
        result = read_any(text, fmt=fmt)
        assert result.imported == 0 and result.blocking, (fmt, day)
    with pytest.raises(CaseError):
        read_case_document(case_json)


def test_csv_keeps_a_date_time_and_the_spaces_around_a_cell():
    for cell in ("2026-11-01T09:30:00Z", " 2026-11-01 ", "2026-11-01 09:30"):
        result = read_any(f"date,analyte,value,unit\n{cell},platelets,62,10^9/L\n", fmt="csv_long")
        assert result.imported == 1 and result.doc["observations"][0]["date"] == "2026-11-01", cell


@pytest.mark.parametrize("text", ["-6e-400", "-0.0", "-1e-330"])
def test_a_negative_zero_is_refused_like_every_negative(text):
    raw = '{"observations": [{"date": "2026-11-01", "analyte": "platelets", "value": ' + text + ', "unit": "10^9/L"}]}'
    with pytest.raises(CaseError, match="negative"):
        read_case_document(raw)
    assert read_any(raw, fmt="json").imported == 0
    with pytest.raises(CaseError, match="negative"):
        parse_case({"observations": [], "patient": {"age_years": -0.0}})
    with pytest.raises(CaseError, match="negative"):
        parse_case({"observations": [], "doses": [{"date": "2026-11-01", "dose_mcg": -0.0}]})


def test_a_positive_zero_and_a_tiny_positive_number_are_still_read():
    raw = '{"observations": [{"date": "2026-11-01", "analyte": "reticulocytes_pct", "value": %s, "unit": "%%"}]}'
    for text in ("0", "0.0", "6e-400"):
        assert read_case_document(raw % text)["observations"][0]["value"] == 0


def _cli(capsys, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, capsys.readouterr().err


def test_assess_and_convert_agree_on_byte_order_marks(tmp_path, capsys):
    doc = json.dumps(_doc("2026-11-01")).encode()
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_bytes(b"\xef\xbb\xbf" + doc)
    two.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + doc)
    assert _cli(capsys, "assess", str(one))[0] == 0
    assert _cli(capsys, "convert", str(one))[0] == 0
    for command in ("assess", "convert"):  # a second mark is a character before the content: both refuse it
        code, err = _cli(capsys, command, str(two))
        assert code == 2 and "two byte-order marks" in err, command


def test_the_size_limit_is_stated_in_the_uploaders_units_and_agrees_with_it():
    # Streamlit's uploader (server.maxUploadSize = 2) counts 1 MB as 1,000,000 bytes: a file of 2,095,440 bytes
    # (under 2 MiB) was refused by it as over "2.0MB" while Cobalt's limit said 2 MB (2,097,152 bytes)
    assert MAX_UPLOAD_BYTES == 2_000_000 and limit_text(MAX_UPLOAD_BYTES) == "2 MB (2,000,000 bytes)"
    big = " " * (2_095_440 - 2) + "{}"
    with pytest.raises(CaseError, match=r"is 2,095,440 bytes; the limit is 2 MB \(2,000,000 bytes\)"):
        read_case_document(big)
    assert read_any(big.encode()).blocking[0].message.startswith("is 2,095,440 bytes")
    fits = '{"observations": []}'
    assert read_case_document(fits + " " * (MAX_UPLOAD_BYTES - len(fits))) == {"observations": []}


def test_a_refused_5000_digit_value_is_not_echoed_whole():
    from logic.case.entry import parse_entry, parse_value_and_unit

    for text in ("9" * 5000 + "x", "x" * 5000):
        for parse in (parse_entry, lambda t: parse_value_and_unit(t, "b12", "ng/L")):
            with pytest.raises(ValueError) as exc:
                parse(text)
            assert len(str(exc.value)) < 200 and "5,00" in str(exc.value)
