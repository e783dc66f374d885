import json
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logic.case import CaseError, parse_case
from logic.case.parse import read_case_document
from logic.reference import analytes, example_cases
from tests.helpers import make_case, obs

CONTRACT_EXAMPLE = {
    "format": "b12-case/1", "label": "Bed 12 teaching case", "patient": {"age_years": 62, "sex": "male"},
    "history": {"pernicious_anemia": True, "ileal_resection_cm": None, "crohns_ileal": False, "metformin": True,
                "acid_suppression": None, "vegan_or_vegetarian": False, "nitrous_oxide": False,
                "gastric_surgery": False, "sulfasalazine": False, "methotrexate": False, "active_cancer": False,
                "transplant": False, "neurological_symptoms": None, "symptom_onset": "2026-08-01"},
    "treatment_start": "2026-11-02",
    "observations": [
        {"date": "2026-11-01", "analyte": "b12", "value": 107, "unit": "pg/mL"},
        {"date": "2026-11-01", "analyte": "haptoglobin", "value": 8, "unit": "mg/dL", "comparator": "<"},
        {"date": "2026-11-01", "analyte": "schistocytes_seen", "value": True},
        {"date": "2026-11-09", "analyte": "platelets", "value": 131, "unit": "10^9/L"},
    ],
}


def problems_of(doc) -> list[str]:
    with pytest.raises(CaseError) as info:
        parse_case(doc)
    return [str(p) for p in info.value.problems]


def test_contract_example_parses_and_round_trips_exactly():
    case = parse_case(CONTRACT_EXAMPLE)
    assert case.to_dict() == CONTRACT_EXAMPLE
    assert parse_case(case.to_dict()) == case


def test_history_is_tri_state_and_unknown_stays_none():
    h = parse_case(CONTRACT_EXAMPLE).history
    assert h.pernicious_anemia is True and h.crohns_ileal is False and h.acid_suppression is None
    assert h.neurological_symptoms is None and h.ileal_resection_cm is None
    assert h.symptom_onset == date(2026, 8, 1)


def test_only_observations_is_required():
    case = parse_case({"observations": []})
    assert case.format == "b12-case/1" and case.history.pernicious_anemia is None


def test_missing_observations_is_a_problem():
    assert problems_of({}) == ["observations: is missing; give a list (it may be empty)"]


def test_censored_value_keeps_its_comparator():
    case = parse_case(CONTRACT_EXAMPLE)
    hapto = case.baseline()["haptoglobin"]
    assert hapto.comparator == "<" and hapto.canonical == 8 and hapto.display() == "<8 mg/dL"


def test_baseline_is_last_value_on_or_before_treatment_start():
    case = make_case(obs("platelets", 50, "10^9/L", day="2026-11-01"), obs("platelets", 40, "10^9/L", day="2026-11-02"),
                     obs("platelets", 90, "10^9/L", day="2026-11-09"), treatment_start="2026-11-02")
    assert case.baseline()["platelets"].value == 40
    assert case.earliest()["platelets"].value == 50


def test_without_treatment_start_baseline_is_the_latest_value():
    case = make_case(obs("platelets", 50, "10^9/L", day="2026-11-01"), obs("platelets", 90, "10^9/L", day="2026-11-09"))
    assert case.baseline()["platelets"].value == 90


def test_values_after_treatment_start_are_not_baseline():
    case = make_case(obs("platelets", 90, "10^9/L", day="2026-11-09"), treatment_start="2026-11-02")
    assert "platelets" not in case.baseline()


@pytest.mark.parametrize(("bad", "fragment"), [
    (obs("vitamin_z", 1, "U/L"), "unknown analyte 'vitamin_z'"),
    (obs("b12", 100, "mg/dL"), "unit 'mg/dL' is not accepted for b12"),
    (obs("b12", -5, "ng/L"), "value -5 is negative"),
    (obs("b12", math.inf, "ng/L"), "must be a finite number"),
    (obs("b12", math.nan, "ng/L"), "must be a finite number"),
    (obs("b12", 10**400, "ng/L"), "must be a finite number"),
    (obs("hemoglobin", 120, "g/dL"), "outside what a living patient can have"),
    (obs("platelets", 150, None), "unit is missing"),
    (obs("b12", "150", "ng/L"), "must be a number, got str"),
    (obs("b12", True, "ng/L"), "must be a number, got bool"),
    (obs("schistocytes_seen", 1), "value must be true or false"),
    (obs("b12", 100, "ng/L", comparator="~"), "comparator '~'"),
    ({"date": "2026-02-30", "analyte": "b12", "value": 100, "unit": "ng/L"}, "not a day of the calendar"),
    ({"date": 20261101, "analyte": "b12", "value": 100, "unit": "ng/L"}, "date must be a text"),
])
def test_each_invalid_observation_is_named_with_index_analyte_and_reason(bad, fragment):
    msgs = problems_of({"observations": [obs("b12", 150, "ng/L"), bad]})
    assert len(msgs) >= 1
    assert all(m.startswith("observation 1") for m in msgs)
    assert any(fragment in m for m in msgs), msgs


def test_problem_names_the_date_when_it_parses():
    msgs = problems_of({"observations": [obs("hemoglobin", 120, "g/dL", day="2026-11-03")]})
    assert msgs[0].startswith("observation 0 (hemoglobin, 2026-11-03)")


def test_every_problem_is_reported_at_once_and_nothing_is_applied():
    doc = {"observations": [obs("b12", -1, "ng/L"), obs("nope", 1), obs("mcv", 500, "fL")],
           "history": {"metformin": "yes"}, "treatment_start": "soon", "patient": {"sex": "x", "age_years": 400}}
    msgs = problems_of(doc)
    assert len(msgs) == 7
    for where in ("observation 0", "observation 1", "observation 2", "history.metformin", "treatment_start",
                  "patient.sex", "patient.age_years"):
        assert any(m.startswith(where) for m in msgs), where


@pytest.mark.parametrize("doc", [[], "text", 3, None])
def test_a_document_that_is_not_an_object_is_refused(doc):
    assert problems_of(doc)[0].startswith("document: must be a JSON object")


def test_wrong_format_is_refused():
    assert any("format" in m for m in problems_of({"format": "b12-case/9", "observations": []}))


def test_ileal_resection_must_be_a_plausible_length():
    assert any("longer than a small intestine" in m for m in problems_of(
        {"observations": [], "history": {"ileal_resection_cm": 900}}))
    assert parse_case({"observations": [], "history": {"ileal_resection_cm": 0}}).history.ileal_resection_cm == 0


def test_unknown_top_level_keys_survive_a_round_trip():
    doc = {"observations": [], "about": {"source": "x"}}
    assert parse_case(doc).to_dict()["about"] == {"source": "x"}


@pytest.mark.parametrize("name", sorted(example_cases()))
def test_every_example_case_is_valid(name):
    case = parse_case(example_cases()[name])
    assert case.observations


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
obs_like = st.fixed_dictionaries({
    "date": st.one_of(st.just("2026-11-01"), st.text(max_size=12), st.integers()),
    "analyte": st.one_of(st.sampled_from(["b12", "platelets", "schistocytes_seen", "inr", "mma"]), st.text(max_size=8)),
    "value": json_values,
}, optional={"unit": st.one_of(st.sampled_from(["ng/L", "pmol/L", "10^9/L", "%", ""]), json_values),
             "comparator": st.one_of(st.sampled_from(["<", ">=", "="]), json_values)})


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, st.fixed_dictionaries({"observations": st.lists(obs_like, max_size=5)},
                                                    optional={"history": json_values, "patient": json_values,
                                                              "treatment_start": json_values, "label": json_values})))
def test_validation_never_raises_anything_but_its_own_error(doc):
    try:
        case = parse_case(doc)
    except CaseError as exc:
        assert exc.problems and all(p.where and p.message for p in exc.problems)
    else:
        assert parse_case(json.loads(json.dumps(case.to_dict()))) == case


# -- hostile documents (issue 12): what parse_case accepts writes as strict JSON -------------------


@pytest.mark.parametrize(("extra", "fragment"), [
    (math.nan, "about: is NaN, which is not a number JSON allows"),
    (math.inf, "about: is Infinity or a number too large to be read"),
    ({"x": [1, -math.inf]}, "about.x[1]: is -Infinity"),
    (10**400, "about: is Infinity or a number too large to be read"),
    ("a\x00b", "about: holds a control character (U+0000)"),
    ("\ud800", "about: holds a lone surrogate (U+D800)"),
    ({"k\x1f": 1}, "about['k\\x1f']: the key holds a control character (U+001F)"),
    ({1: "x"}, "about: has a key 1 that is not text"),
    ({1, 2}, "about: is a set value, which JSON does not have"),
    (b"x", "about: is a bytes value, which JSON does not have"),
])
def test_a_value_that_would_not_write_as_strict_json_is_refused_naming_its_place(extra, fragment):
    msgs = problems_of({"observations": [], "about": extra})
    assert len(msgs) == 1 and msgs[0].startswith(fragment), msgs


def test_tab_and_line_breaks_are_kept_in_free_text_but_not_in_the_label():
    assert parse_case({"observations": [], "about": "line 1\nline 2\tend\r\n"}).extra == (
        ("about", "line 1\nline 2\tend\r\n"),)
    for label in ("a\nb", "a\tb", "a\rb", "a\u2028b"):
        assert problems_of({"observations": [], "label": label}) == ["label: must be one line (no line breaks or tabs)"]
    assert parse_case({"observations": [], "label": "Bed 12 · café 😀"}).label == "Bed 12 · café 😀"


def test_nesting_of_64_levels_is_kept_and_65_are_refused_without_recursion():
    def nested(levels):  # the document itself is level 1
        value: list = []
        for _ in range(levels - 2):
            value = [value]
        return {"observations": [], "deep": value}

    assert parse_case(nested(64)).extra
    assert problems_of(nested(65)) == ["deep" + "[0]" * 63 + ": is nested deeper than the limit of 64 levels"]
    assert len(problems_of(nested(100_000))) == 1  # a RecursionError before


def test_a_nan_in_a_field_parse_case_checks_is_named_once_by_that_field():
    msgs = problems_of({"observations": [obs("b12", math.nan, "ng/L")], "patient": {"age_years": math.inf}})
    assert msgs == ["patient.age_years: must be a finite number, got inf",
                    "observation 0 (b12, 2026-11-01): value must be a finite number, got nan"]


def test_an_unknown_analyte_is_not_written_raw_into_where_the_problem_is():
    msgs = problems_of({"observations": [{"date": "2026-11-01", "analyte": "a\nb", "value": 1}]})
    assert msgs == ["observation 0 (2026-11-01): unknown analyte 'a\\nb'; known analytes: " + ", ".join(analytes())]


def test_more_observations_than_the_limit_are_refused_with_one_problem(monkeypatch):
    import logic.case.parse

    monkeypatch.setattr(logic.case.parse, "MAX_ROWS", 3)
    assert len(parse_case({"observations": [obs("mcv", 101, "fL")] * 3}).observations) == 3
    assert problems_of({"observations": [obs("mcv", 101, "fL")] * 4}) == [
        "observations: 4 results; the limit is 3"]


# -- reading a case document from a file or pasted text ------------------------------------------

GOOD = '{"label": "Bed 4", "observations": [{"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "fL"}]}'


def read_problems(data) -> list[str]:
    with pytest.raises(CaseError) as info:
        read_case_document(data)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("data", [GOOD, GOOD.encode(), "\ufeff" + GOOD, b"\xef\xbb\xbf" + GOOD.encode(),
                                  GOOD.replace(", ", ",\r\n"), ("\ufeff" + GOOD.replace(", ", ",\r\n")).encode()])
def test_a_case_file_reads_the_same_with_or_without_bom_and_crlf(data):
    assert read_case_document(data) == json.loads(GOOD)


@pytest.mark.parametrize(("data", "lines"), [
    ("[" * 100_000, ["file: is nested 100,000 levels deep; the limit is 64 levels"]),
    ('{"observations": [], "observations": []}', ["file: gives the key 'observations' twice in one object; give "
                                                   "each key once (which value was meant cannot be known)"]),
    ('{"observations": [], "x": NaN}', ["x: is NaN, which is not a number JSON allows; write a number or null"]),
    ('{"observations": [], "x": ' + "9" * 5000 + "}", ["x: is Infinity or a number too large to be read (over "
                                                         "about 1.8e308); write a finite number"]),
    ('{"observations": [], "label": "\\ud800"}', ["label: holds a lone surrogate (U+D800), which is not a "
                                                  "character; save the file as UTF-8 text"]),
    (b'{"label": "caf\xe9", "observations": []}', ["file: is not UTF-8 text (byte 14); save it as UTF-8"]),
    ("{not json", ["file: is not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)"]),
    ("null", ["document: must be a JSON object, got NoneType"]),
    ("x" * (2_000_000 + 1), ["file: is 2,000,001 bytes; the limit is 2 MB (2,000,000 bytes) (split the file, "
                             "or export fewer results)"]),
])
def test_a_case_file_that_cannot_be_taken_whole_is_refused_with_every_problem(data, lines):
    assert read_problems(data) == lines


def test_a_case_file_gives_its_text_problems_and_its_document_problems_at_once():
    text = '{"label": "a\\u0000", "history": {"metformin": "yes"}, "observations": [{"date": "x"}]}'
    assert [m.split(":")[0] for m in read_problems(text)] == ["label", "history.metformin", "observation 0",
                                                              "observation 0"]  # its date, its analyte
