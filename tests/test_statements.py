"""Clinical sentences as data (logic/reference/statements.py): every one fills, and every source exists."""
import string

import pytest

from logic.reference import references, statements, threshold_set, threshold_set_ids

KEYS = sorted(statements.statements())


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", KEYS)
def test_every_statement_names_known_sources(key):
    entry = statements.statement(key)
    for set_id in threshold_set_ids():
        for ref in statements.expand_refs(entry.get("refs", ()), threshold_set(set_id)):
            assert ref in references(), (key, ref)


@pytest.mark.parametrize("key", KEYS)
def test_threshold_placeholders_name_real_thresholds(key):
    t = threshold_set()
    for field in _fields(statements.statement(key)["text"]):
        if field.startswith("t["):
            assert field[2:-1] in t.values, (key, field)


def test_badge_is_cobalt_default_or_absent():
    assert {statements.badge(k) for k in KEYS} <= {None, "cobalt-default"}


def test_a_missing_statement_is_a_key_error():
    with pytest.raises(KeyError):
        statements.statement("common.no_such_statement")


def test_at_ref_expands_to_the_thresholds_sources():
    t = threshold_set()
    assert statements.expand_refs(("@b12_deficient_below", "bsh_2014"), t) == t.get("b12_deficient_below").refs + (
        "bsh_2014",
    )
