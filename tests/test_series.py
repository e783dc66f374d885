"""The lab-series table (logic/case/series.py): rows out of a case and edits back in."""
from logic.case import parse_case
from logic.case.series import SERIES, apply_series_rows, column, series_rows

PLT = column("platelets", "10^9/L")
RET = column("reticulocytes_pct", "%")
HB = column("hemoglobin", "g/dL")
DOC = {"observations": [
    {"date": "2026-03-02", "analyte": "platelets", "value": 105, "unit": "10^9/L"},
    {"date": "2026-03-02", "analyte": "hemoglobin", "value": 62, "unit": "g/L"},
    {"date": "2026-03-02", "analyte": "b12", "value": 80, "unit": "pg/mL"},
    {"date": "2026-03-09", "analyte": "platelets", "value": 48, "unit": "10^9/L"},
    {"date": "2026-03-09", "analyte": "platelets", "value": 50, "unit": "10^9/L"},
]}


def test_one_row_per_draw_with_units_converted_to_the_column_unit():
    rows = series_rows(parse_case(DOC))
    assert [r["Date"] for r in rows] == ["2026-03-02", "2026-03-09", "2026-03-09"]
    assert rows[0][PLT] == "105" and rows[0][HB] == "6.2"
    assert {rows[1][PLT], rows[2][PLT]} == {"48", "50"}  # two draws on one day both kept


def test_rows_round_trip_to_the_same_observations():
    rows = series_rows(parse_case(DOC))
    new, problems = apply_series_rows(DOC, rows)
    assert problems == []
    case = parse_case(new)
    assert sorted((o.date.isoformat(), o.analyte, float(o.canonical)) for o in case.observations) == sorted(
        (o.date.isoformat(), o.analyte, float(o.canonical)) for o in parse_case(DOC).observations)


def test_other_analytes_are_untouched():
    new, _ = apply_series_rows(DOC, [{"Date": "2026-03-10", PLT: "60"}])
    assert [o["analyte"] for o in new["observations"]] == ["b12", "platelets"]


def test_a_pasted_row_with_censored_value_is_added():
    new, problems = apply_series_rows(DOC, [{"Date": "2026-03-12", RET: "<0.5"}])
    assert problems == []
    added = new["observations"][-1]
    assert (added["analyte"], added["value"], added["comparator"]) == ("reticulocytes_pct", 0.5, "<")


def test_bad_cells_are_named_and_nothing_is_applied():
    rows = [{"Date": "2026-03-12", PLT: "4O"}, {"Date": "12/03/2026", RET: "2"}, {"Date": "2026-03-13", HB: "130"}]
    new, problems = apply_series_rows(DOC, rows)
    assert new == DOC
    text = [str(p) for p in problems]
    assert any(t.startswith("row 1 (2026-03-12), Platelets") and "not a number" in t for t in text)
    assert any(t.startswith("row 2") and "not a date" in t for t in text)


def test_an_implausible_value_is_reported_with_date_and_column():
    new, problems = apply_series_rows(DOC, [{"Date": "2026-03-13", HB: "130"}])
    assert new == DOC and "2026-03-13, Haemoglobin (g/dL)" in str(problems[0])


def test_empty_editor_rows_are_ignored():
    new, problems = apply_series_rows(DOC, [{"Date": None, **{column(a, u): None for a, u in SERIES}}])
    assert problems == [] and [o["analyte"] for o in new["observations"]] == ["b12"]


def test_a_malformed_date_is_refused_whole_never_cut_to_ten_characters():
    new, problems = apply_series_rows(DOC, [{"Date": "2026-12-2310", PLT: "60"}])
    assert new == DOC and [str(p) for p in problems] == ["row 1: date '2026-12-2310' is not a date (YYYY-MM-DD)"]


def test_a_row_with_values_and_no_date_is_refused_with_a_message():
    for empty in (None, "", "  ", float("nan")):
        new, problems = apply_series_rows(DOC, [{"Date": empty, PLT: "60"}])
        assert new == DOC
        assert [str(p) for p in problems] == ["row 1: has results but no date; type the date of the draw (YYYY-MM-DD)"]


def test_with_today_a_draw_after_it_is_refused_and_one_on_it_is_not():
    from datetime import date

    _, problems = apply_series_rows(DOC, [{"Date": "2026-03-11", PLT: "60"}], today=date(2026, 3, 10))
    assert len(problems) == 1 and "after today (2026-03-10)" in str(problems[0])
    _, problems = apply_series_rows(DOC, [{"Date": "2026-03-10", PLT: "60"}], today=date(2026, 3, 10))
    assert problems == []


def test_an_unchanged_table_changes_nothing_in_the_document():
    for system in (None, "si"):
        rows = series_rows(parse_case(DOC), system)
        new, problems = apply_series_rows(DOC, rows, system)
        assert problems == [] and new is DOC  # the same document: nothing to save


def test_si_columns_show_haemoglobin_in_g_per_litre_as_uk_laboratories_print_it():
    hb_si = column("hemoglobin", "g/L")
    rows = series_rows(parse_case(DOC), "si")
    assert rows[0][hb_si] == "62"
    new, problems = apply_series_rows(DOC, [{**rows[0], hb_si: "64"}, *rows[1:]], "si")
    assert problems == []
    assert [o for o in new["observations"] if o["analyte"] == "hemoglobin"] == [
        {"date": "2026-03-02", "analyte": "hemoglobin", "value": 64, "unit": "g/L"}]


def test_an_implausible_value_that_reads_as_a_unit_slip_says_which_unit():
    _, problems = apply_series_rows(DOC, [{"Date": "2026-03-13", HB: "120"}])
    assert "did you mean 120 g/L = 12 g/dL?" in str(problems[0])


def test_rows_are_built_in_linear_work_in_the_number_of_draws():
    """A course of 300 daily draws took a scan of every row per result (21 ms of date formatting per
    Recovery run in the bench's profile); counted in Python calls, not timed (tests/work.py)."""
    from datetime import date, timedelta

    from tests.work import calls

    def case(days: int):
        start = date(2026, 1, 1)
        return parse_case({"observations": [
            {"date": (start + timedelta(days=d)).isoformat(), "analyte": a, "value": v, "unit": u}
            for d in range(days) for a, v, u in (("platelets", 60 + d % 90, "10^9/L"), ("hemoglobin", 8.1, "g/dL"))]})

    small, large = case(150), case(600)
    rows_small, n_small = calls(series_rows, small)
    rows_large, n_large = calls(series_rows, large)
    assert len(rows_small) == 150 and len(rows_large) == 600
    assert n_large <= 4.5 * n_small  # four times the draws, about four times the calls (quadratic: sixteen)


# -- a draw moves whole (issue 21, item 4) ---------------------------------------------------------

DRAW = {"observations": [
    {"date": "2026-03-02", "analyte": "platelets", "value": 12, "unit": "10^9/L"},
    {"date": "2026-03-02", "analyte": "ldh", "value": 2900, "unit": "U/L"},
    {"date": "2026-03-02", "analyte": "b12", "value": 80, "unit": "pg/mL"},
    {"date": "2026-03-02", "analyte": "haptoglobin", "value": 8, "unit": "mg/dL", "comparator": "<"},
    {"date": "2026-03-02", "analyte": "schistocytes_seen", "value": True},
    {"date": "2026-03-09", "analyte": "platelets", "value": 48, "unit": "10^9/L"},
], "treatment_start": "2026-03-03"}


def _moved(rows, old: str, new: str):
    return [{**r, "Date": new} if r["Date"] == old else r for r in rows]


def test_changing_a_rows_date_moves_the_whole_draw_with_the_results_the_table_does_not_show():
    from logic.case.series import draw_moves

    rows = _moved(series_rows(parse_case(DRAW)), "2026-03-02", "2026-03-01")
    moves = draw_moves(DRAW, rows)
    assert [(m.old.isoformat(), [d.isoformat() for d in m.new], m.splits) for m in moves] == [
        ("2026-03-02", ["2026-03-01"], False)]
    assert "Vitamin B12 (serum)" in moves[0].others and "haptoglobin" in moves[0].text().lower()
    new, problems = apply_series_rows(DRAW, rows)
    assert problems == []
    dates = {o["analyte"]: o["date"] for o in new["observations"] if o["date"] != "2026-03-09"}
    assert dates == dict.fromkeys(["platelets", "ldh", "b12", "haptoglobin", "schistocytes_seen"], "2026-03-01")
    case = parse_case(new)
    assert case.baseline()["b12"].date.isoformat() == "2026-03-01"  # still the baseline: B12 is not left behind


def test_a_row_moved_while_another_row_of_its_date_stays_is_a_split_named_before_it_is_applied():
    from logic.case.series import draw_moves

    doc = {**DRAW, "observations": [*DRAW["observations"],
                                    {"date": "2026-03-02", "analyte": "platelets", "value": 14, "unit": "10^9/L"}]}
    rows = series_rows(parse_case(doc))
    assert [r["Date"] for r in rows] == ["2026-03-02", "2026-03-02", "2026-03-09"]
    rows[1] = {**rows[1], "Date": "2026-03-04"}  # the second draw of the day moved; the first stays
    (move,) = draw_moves(doc, rows)
    assert move.splits and move.kept
    assert "stay on 2026-03-02" in move.text() and "Vitamin B12 (serum)" in move.text()
    new, problems = apply_series_rows(doc, rows)  # applied anyway: what the table does not show stays put
    assert problems == []
    assert {o["date"] for o in new["observations"] if o["analyte"] == "b12"} == {"2026-03-02"}


def test_unchanged_rows_and_new_rows_move_nothing():
    from logic.case.series import draw_moves

    rows = series_rows(parse_case(DRAW))
    assert draw_moves(DRAW, rows) == []
    rows.append({"Date": "2026-03-20", PLT: "90"})  # a pasted row: no drawn date
    assert draw_moves(DRAW, rows) == []
    new, problems = apply_series_rows(DRAW, rows)
    assert problems == [] and {o["date"] for o in new["observations"] if o["analyte"] == "b12"} == {"2026-03-02"}
