"""Cobalt against published case reports (data/validation/, logic/tma/validation.py; issue 20).

(a) the set itself: every case file parses, names its source (a URL, DOI or PMID) and its truth group,
    and every value entered in its case document is one printed in the paper;
(b) the safety floor: every TTP case, read at presentation (ADAMTS13 sent, result pending), leans TTP or
    raises a critical TTP-or-B12 alert. A failure names the case, how Cobalt read it and the source.
The runner's arithmetic is tested on made-up readings (independent of today's logic), the Evidence page
by AppTest, and ``pytest -s`` prints the whole table (what `make validate` prints).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic.case import parse_case
from logic.results import B12Status, Leaning
from logic.tma import validation as v
from logic.tma.adamts13 import Adamts13Status
from scripts.validate import report
from ui.common import esc

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "data" / "validation" / "cases"
RAW = v.raw_cases()
CASES = v.load_cases()
TTP_CASES = [c for c in CASES if c.truth == "ttp"]
PRINTED_KEYS = {"item", "as_printed", "value", "unit", "comparator", "day", "entered_as"}


@pytest.fixture(scope="module")
def table() -> v.ValidationTable:
    return v.run()


# -- (a) the set ------------------------------------------------------------------------------------

def test_the_set_has_at_least_40_new_cases_beyond_the_shared_set():
    assert sum(c.new for c in CASES) >= 40
    assert len(CASES) == len(list(CASES_DIR.glob("*.json")))


def test_case_ids_are_unique_and_name_their_files():
    assert len({c["id"] for c in RAW}) == len(RAW)
    assert sorted(f"{c['id']}.json" for c in RAW) == sorted(p.name for p in CASES_DIR.glob("*.json"))


def test_shared_cases_name_a_case_of_the_shared_set():
    from tests.published import raw_cases

    shared_ids = {c["id"] for c in raw_cases()}
    shared = [c for c in CASES if not c.new]
    assert shared and all(c.shared_id in shared_ids for c in shared)
    assert all(c.shared_id is None for c in CASES if c.new)


@pytest.mark.parametrize("raw", RAW, ids=lambda r: r["id"])
def test_every_case_file_parses_in_both_readings(raw):
    case = v._case_from(raw)
    parse_case(case.document)
    parse_case(case.presentation_document())
    assert case.document["format"] == "b12-case/1"


@pytest.mark.parametrize("raw", RAW, ids=lambda r: r["id"])
def test_every_case_names_its_source_an_address_and_a_truth_group(raw):
    s = raw["source"]
    assert raw["truth"] in v.TRUTHS
    assert raw["final_diagnosis"].strip() and s["title"].strip() and s["read"].strip()
    assert s.get("url") or s.get("doi") or s.get("pmid")
    if s.get("url"):
        assert re.match(r"^https?://\S+$", s["url"]), s["url"]
    if s.get("doi"):
        assert re.match(r"^10\.\d{4,9}/\S+$", s["doi"]), s["doi"]
    if s.get("pmid"):
        assert re.fullmatch(r"\d{6,9}", s["pmid"]), s["pmid"]


@pytest.mark.parametrize("raw", RAW, ids=lambda r: r["id"])
def test_every_entered_value_is_one_printed_in_the_paper(raw):
    printed = raw["printed"]
    assert printed and all(set(p) == PRINTED_KEYS for p in printed)
    assert all(p["comparator"] in (None, "<", "<=", ">", ">=") for p in printed)
    entered = Counter(p["entered_as"] for p in printed if p["entered_as"])
    observed = Counter(o["analyte"] for o in raw["case"]["observations"])
    assert entered == observed
    days = {p["day"] for p in printed if p["entered_as"]}
    dates = {o["date"] for o in raw["case"]["observations"]}
    assert len(days) == len(dates)


@pytest.mark.parametrize("raw", RAW, ids=lambda r: r["id"])
def test_what_the_paper_does_not_print_stays_unknown(raw):
    """A history flag is written only when the paper says it; nothing else is filled in."""
    history = raw["case"].get("history", {})
    assert all(value is not None for value in history.values())
    assert "adamts13_sent" not in history  # the presentation reading adds it, from a printed result only


def test_the_presentation_reading_withholds_adamts13_and_counts_it_pending():
    from logic.assess import assess

    case = next(c for c in CASES if c.id == "ttp-takamatsu2025-stroke-mimic-70f")
    doc = case.presentation_document()
    assert case.has_adamts13 and "adamts13_activity" not in {o["analyte"] for o in doc["observations"]}
    assert doc["history"]["adamts13_sent"] == "2026-01-01"
    parsed = parse_case(doc)
    assert assess(parsed, today=parsed.last_date()).tma.adamts13.status == Adamts13Status.PENDING
    assert "adamts13_activity" in {o["analyte"] for o in case.document["observations"]}  # the file is untouched


def test_a_case_without_an_adamts13_result_reads_the_same_both_ways():
    case = next(c for c in CASES if c.id == "itp-wjpps-purpura-40f")
    assert not case.has_adamts13 and case.presentation_document() == case.document


# -- (b) the safety floor: no TTP case left quiet at presentation -----------------------------------

@pytest.mark.parametrize("case", TTP_CASES, ids=lambda c: c.id)
def test_every_ttp_case_leans_ttp_or_raises_a_critical_alert_at_presentation(case, table):
    reading = table.result(case.id).presentation
    assert reading.flags_ttp, (
        f"{case.id} ({case.final_diagnosis}) leans {reading.leaning} with "
        f"{'critical alerts ' + ', '.join(reading.critical) if reading.critical else 'no critical alert'}; "
        f"source: {case.source.short} {case.source.link}"
    )


# -- the runner's arithmetic, on made-up readings ----------------------------------------------------

def _reading(leaning, critical=(), b12=B12Status.UNKNOWN, hem=None, thr=None):
    return v.Reading(Leaning(leaning), tuple(critical), b12, hem, thr, date(2026, 1, 1))


def _result(case_id, truth, reading, with_adamts13=None, new=True):
    source = v.Source("Doe J, Roe R", "A title", "J Test", 2020, None, None, "https://example.org/x", "read")
    case = v.ValidationCase(case_id, truth, new, None, "final", source, (), (), {"observations": []})
    return v.CaseResult(case, reading, with_adamts13)


def test_a_ttp_case_counts_as_flagged_by_a_ttp_leaning_or_a_critical_alert_and_nothing_else():
    results = (
        _result("t1", "ttp", _reading("ttp")),
        _result("t2", "ttp", _reading("indeterminate", ["ttp_likely"])),
        _result("t3", "ttp", _reading("indeterminate")),
        _result("t4", "ttp", _reading("other_tma")),
    )
    t = v.tabulate(results, "nice_ng239")
    assert (t.ttp_share.numerator, t.ttp_share.denominator) == (2, 4)
    assert [(m.kind, m.case_id) for m in t.misses] == [("ttp_not_flagged", "t3"), ("ttp_not_flagged", "t4")]
    assert "no critical alert" in t.misses[0].detail


def test_only_b12_cases_showing_deficiency_haemolysis_and_thrombocytopenia_enter_the_b12_share():
    full = dict(b12=B12Status.DEFICIENT, hem=True, thr=True)
    results = (
        _result("b1", "b12_pseudo_tma", _reading("b12_pseudo_tma", **full)),
        _result("b2", "b12_pseudo_tma", _reading("ttp", ["ttp_likely"], **full)),
        _result("b3", "b12_pseudo_tma", _reading("indeterminate", b12=B12Status.DEFICIENT, hem=None, thr=True)),
        _result("b4", "b12_pseudo_tma", _reading("indeterminate", b12=B12Status.INDETERMINATE, hem=True, thr=True)),
        _result("o1", "other_tma", _reading("b12_pseudo_tma", **full)),
        _result("o2", "b12_other", _reading("b12_pseudo_tma", **full)),
    )
    t = v.tabulate(results, "nice_ng239")
    assert (t.b12_share.numerator, t.b12_share.denominator) == (1, 2)
    assert t.result("b3").why_not_eligible == "haemolysis not shown"
    assert t.result("b4").why_not_eligible == "B12 indeterminate"
    assert [(m.kind, m.case_id) for m in t.misses] == [("b12_not_named", "b2"), ("named_b12_wrongly", "o1")]


def test_group_rows_count_every_case_once_and_keep_the_leaning_order():
    results = (
        _result("t1", "ttp", _reading("ttp", ["ttp_emergency"]), _reading("ttp")),
        _result("e1", "evans", _reading("other_tma"), new=False),
        _result("e2", "evans", _reading("indeterminate")),
    )
    t = v.tabulate(results, "nice_ng239")
    assert [g.truth for g in t.groups] == ["ttp", "evans"]  # the order of TRUTHS, empty groups left out
    evans = t.groups[1]
    assert (evans.cases, evans.new, evans.critical) == (2, 1, 0)
    assert [lean for lean, _ in evans.leanings] == list(v.LEANING_ORDER)
    assert evans.count(Leaning.OTHER_TMA) == 1 and evans.count(Leaning.INDETERMINATE) == 1
    assert dict(t.groups[0].with_adamts13)[Leaning.TTP] == 1 and dict(evans.with_adamts13)[Leaning.TTP] == 0
    rows = v.group_rows(t)
    assert rows[1]["cases"] == "2 (1 new)" and rows[1]["with ADAMTS13"] is None


def test_a_share_says_its_numbers_and_never_divides_by_zero():
    assert str(v.Share(3, 4)) == "3 of 4 (75 %)"
    assert str(v.Share(0, 0)) == "0 of 0" and v.Share(0, 0).percent is None


def test_a_source_is_cited_by_first_author_or_title_and_linked_by_doi_first():
    s = v.Source("Routh JK, Koenig SC", "T", "Blood", 2014, "10.1/x", "123456", "https://a.org", "r")
    assert s.short == "Routh JK et al. 2014, Blood" and s.link == "https://doi.org/10.1/x"
    assert v.Source(None, "A title", None, None, None, "123456", None, "r").link == "https://pubmed.ncbi.nlm.nih.gov/123456/"
    assert v.Source(None, "x" * 120, None, 2001, None, None, "https://a.org", "r").short.endswith("…, 2001")


# -- the real table -----------------------------------------------------------------------------------

def test_the_table_accounts_for_every_case_and_reads_them_on_their_own_dates(table):
    assert table.cases == len(CASES) and sum(g.cases for g in table.groups) == table.cases
    assert all(sum(n for _, n in g.leanings) == g.cases for g in table.groups)
    assert table.ttp_share.denominator == len(TTP_CASES)
    assert table.ttp_share.numerator == sum(table.result(c.id).presentation.flags_ttp for c in TTP_CASES)
    unflagged = {c.id for c in TTP_CASES if not table.result(c.id).presentation.flags_ttp}
    assert unflagged == {m.case_id for m in table.misses if m.kind == "ttp_not_flagged"}
    for r in table.results:
        assert r.presentation.today == parse_case(r.case.presentation_document()).last_date()
        assert (r.with_adamts13 is None) == (not r.case.has_adamts13)


def test_the_reading_is_the_same_every_time(table):
    again = v.run()
    assert [(r.case.id, r.presentation, r.with_adamts13) for r in again.results] == [
        (r.case.id, r.presentation, r.with_adamts13) for r in table.results
    ]


def test_make_validate_prints_the_table_with_the_plain_statement():
    text = report(show_cases=True)
    print("\n" + text)  # `pytest -s tests/test_validation.py` shows the table
    assert v.about()["title"] in text and "not a validation of a score" in text
    for group in v.about()["truth_groups"].values():
        assert group in text
    assert all(c.id in text for c in CASES)


def test_the_statement_and_labels_are_data_without_a_number():
    about = json.loads((ROOT / "data" / "validation" / "about.json").read_text(encoding="utf-8"))
    assert set(about["truth_groups"]) == set(v.TRUTHS) and set(about["misses"]) == set(v.MISS_KINDS)
    assert not re.search(r"(?<![A-Za-z0-9])\d", about["statement"] + about["method"])  # B12, ADAMTS13 are names


# -- the Evidence page -------------------------------------------------------------------------------

def test_the_evidence_page_shows_the_same_table_and_says_it_is_not_a_validated_score(table):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/evidence.py").run()
    at.session_state["ev_misses"] = at.session_state["ev_cases"] = True  # the two lists, drawn while open
    at.run()
    assert [e.message for e in at.exception] == []
    assert v.about()["title"] in [h.value for h in at.subheader]
    assert any("not a validation of a score" in i.value for i in at.info)
    body = " ".join(m.value for m in at.markdown)
    for g in table.groups:
        assert f"| {esc(g.label)} | {esc(f'{g.cases} ({g.new} new)')} |" in body, g.label
    assert str(table.ttp_share) in body and str(table.b12_share) in body
    assert any(label.startswith(f"Misses ({len(table.misses)})") for label in (e.label for e in at.expander))
    for m in table.misses:
        assert f"- {esc(m.case_id)}: {esc(m.detail)}." in body
    for r in table.results:  # every case listed with its source as a link
        assert f"- {esc(r.case.id)} (" in body
