"""Import (logic/convert/): detecting the format, importing into an open case, size and encoding."""

import json

import pytest

from logic.convert import MAX_UPLOAD_BYTES, ConvertError, detect_format, read_any
from tests.convert_support import BASE, assert_counts_add_up

# -- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,filename,fmt",
    [
        ('{"observations": []}', None, "json"),
        ('\ufeff  {"resourceType": "Bundle", "type": "collection"}', None, "fhir"),
        ('{"resourceType": "Observation"}', None, "fhir"),
        ("<Bundle xmlns='http://hl7.org/fhir'/>", None, "fhir"),
        ("date,analyte,value,unit\n", None, "csv_long"),
        ("Date;Analyte;Value;Unit\n", None, "csv_long"),
        ("date,platelets (10^9/L)\n", None, "csv_wide"),
        ("date\tplatelets (10^9/L)\n", "labs.tsv", "csv_wide"),
        ("not json at all", "case.json", "json"),
        ("{broken", None, "json"),
        ("", None, "csv_wide"),
    ],
)
def test_format_is_detected_from_the_content(text, filename, fmt):
    assert detect_format(text, filename) == fmt


def test_content_wins_over_the_file_name():
    assert detect_format("date,analyte,value,unit\n", "labs.json") == "csv_long"


# -- importing into an open case ----------------------------------------------------------------


def test_import_into_a_case_adds_the_observations_and_keeps_the_case():
    result = read_any("date,analyte,value,unit\n2026-11-05,platelets,88,10^9/L\n", base=BASE)
    assert result.doc["label"] == "Bed 4" and result.doc["history"] == {"metformin": True}
    assert result.doc["observations"] == BASE["observations"] + [
        {"date": "2026-11-05", "analyte": "platelets", "value": 88, "unit": "10^9/L"}]
    assert len(BASE["observations"]) == 1  # the caller's case is not changed


def test_a_result_already_in_the_case_is_listed_not_added_twice():
    text = "date,analyte,value,unit\n2026-11-01,platelets,62,10*9/L\n2026-11-05,platelets,88,10^9/L\n"
    result = read_any(text, base=BASE)
    assert result.imported == 1
    assert_counts_add_up(result, 2)
    assert result.problems[0].where == "row 2 (platelets, 2026-11-01)"
    assert "already in the case" in result.problems[0].message


def test_a_case_document_imported_into_a_case_lists_its_own_fields_not_applied():
    other = {"label": "Other", "history": {"metformin": False}, "observations": [
        {"date": "2026-11-07", "analyte": "mcv", "value": 99, "unit": "fL"}]}
    result = read_any(json.dumps(other), base=BASE)
    assert result.imported == 1 and result.doc["label"] == "Bed 4" and result.doc["history"] == {"metformin": True}
    assert sorted(p.where for p in result.problems) == ["history", "label"]


def test_an_invalid_open_case_is_the_caller_error():
    with pytest.raises(ConvertError):
        read_any("date,analyte,value,unit\n", base={"observations": "nope"})


def test_an_unknown_forced_format_is_the_caller_error():
    with pytest.raises(ConvertError):
        read_any("", fmt="xml")


# -- size and encoding ----------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_one_problem():
    text = "date,analyte,value,unit\n" + "2026-11-01,mcv,101,fL\n" * (MAX_UPLOAD_BYTES // 20)
    assert len(text.encode()) > MAX_UPLOAD_BYTES
    result = read_any(text)
    assert result.imported == 0 and len(result.problems) == 1
    assert "the limit is 2 MB" in result.problems[0].message
    assert read_any(text.encode()).problems == result.problems


def test_the_size_limit_is_two_megabytes_as_the_uploader_counts_them():
    assert MAX_UPLOAD_BYTES == 2_000_000  # Streamlit's uploader: 1 MB = 1,000,000 bytes (issue 21)


def test_a_file_just_under_the_limit_is_read():
    row = "2026-11-01,mcv,101,fL\n"
    text = "date,analyte,value,unit\n" + row * 2000
    assert len(text.encode()) < MAX_UPLOAD_BYTES
    assert read_any(text).imported == 2000


def test_bytes_are_read_as_utf8_and_other_encodings_are_refused():
    assert read_any("date,analyte,value,unit\n2026-11-01,mcv,101,fL\n".encode("utf-8-sig")).imported == 1
    result = read_any("date,analyte,value,unit\n2026-11-01,homocysteine,12,µmol/L\n".encode("latin-1"))
    assert result.imported == 0 and "not UTF-8" in result.problems[0].message
