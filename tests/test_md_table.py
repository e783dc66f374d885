"""ui.common.md_table: small static tables as markdown (no table code for the browser to load)."""

from hypothesis import given
from hypothesis import strategies as st

from tests.md_tables import read_md_table
from ui.common import md_table


def test_cells_are_escaped_and_read_back_as_written():
    rows = [{"Feature": "LDH | haptoglobin", "Why": "*not* [a link](http://x) <b>x</b> `code`", "n": 3}]
    text = md_table(rows, ["Feature", "Why", "n"], right=("n",))
    lines = text.splitlines()
    assert lines[0] == "| Feature | Why | n |"
    assert lines[1] == "| --- | --- | ---: |"
    assert "](" not in text and "<b>" not in text and "`code`" not in text  # nothing is read as markdown
    back = read_md_table(text, numeric=("n",))
    assert back.to_dict("records") == rows


def test_a_missing_value_is_a_dash_whole_floats_lose_their_point_and_line_breaks_become_spaces():
    text = md_table([{"a": None, "b": 31000.0, "c": 2.5, "d": "two\nlines"}], ["a", "b", "c", "d"])
    assert text.splitlines()[2] == "| — | 31000 | 2\\.5 | two lines |"


def test_a_table_without_rows_has_its_header():
    assert md_table([], ["date", "dose"]) == "| date | dose |\n| --- | --- |"


@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_any_text_survives_the_round_trip_but_for_whitespace(texts):
    columns = [f"c{i}" for i in range(len(texts))]
    text = md_table([dict(zip(columns, texts, strict=True))], columns)
    assert read_md_table(text).iloc[0].tolist() == [" ".join(t.split()) for t in texts]
