"""The case store's API on SQLite and PostgreSQL: save, load, versions, undo, soft delete, search."""

from __future__ import annotations

import ast
import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from logic.case import CaseError
from store import LOCAL as ME
from store import CaseDeletedError, ConflictError, NotFoundError, Store, StoreError, resolve_url
from store.repository import default_sqlite_path

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def minutes(n: int) -> datetime:
    return T0.replace(minute=n)


# -- create and load ----------------------------------------------------------------


def test_a_new_case_loads_back_at_version_1_with_its_document(store, make_doc):
    doc = make_doc()
    created = store.create_case(doc, actor=ME)
    loaded = store.load(created.id, actor=ME)
    assert (created.version, loaded.version) == (1, 1)
    assert loaded.document == doc
    assert loaded.created_at == loaded.updated_at == T0
    assert not loaded.deleted and loaded.deleted_at is None


def test_indexed_columns_follow_the_document(store, make_doc):
    record = store.create_case(make_doc("Ward 7 / bed 3"), actor=ME)
    assert record.label == "Ward 7 / bed 3"
    assert record.treatment_start == date(2026, 11, 2)
    assert record.last_observation == date(2026, 11, 9)
    assert record.case().label == "Ward 7 / bed 3"


def test_documents_round_trip_exactly_ints_floats_unicode_and_unknown_keys(store, make_doc):
    doc = make_doc("Ödem – Station β", note={"free": "text ✓", "n": [1, 2.5, None]})
    doc["observations"][0]["value"] = 42  # an int stays an int
    doc["observations"][1]["value"] = 98.0  # a float stays a float
    loaded = store.load(store.create_case(doc, actor=ME).id, actor=ME).document
    assert loaded == doc
    assert type(loaded["observations"][0]["value"]) is int
    assert type(loaded["observations"][1]["value"]) is float


def test_a_case_without_label_or_observations_is_stored(store):
    record = store.create_case({"observations": []}, actor=ME)
    assert record.label is None and record.last_observation is None and record.treatment_start is None


def test_an_invalid_document_raises_case_error_and_writes_nothing(store, make_doc):
    bad = make_doc(observations=[{"date": "2026-13-01", "analyte": "platelets", "value": 40, "unit": "10^9/L"}])
    with pytest.raises(CaseError):
        store.create_case(bad, actor=ME)
    assert store.list_cases(include_deleted=True, actor=ME) == []
    record = store.create_case(make_doc(), actor=ME)
    with pytest.raises(CaseError):
        store.save(record.id, bad, expected_version=1, actor=ME)
    assert store.load(record.id, actor=ME).version == 1
    assert len(store.versions(record.id, actor=ME)) == 1


def test_a_value_json_cannot_hold_is_refused_as_a_case_error(store, make_doc):
    with pytest.raises(CaseError, match="JSON"):
        store.create_case(make_doc(extra_number=math.nan), actor=ME)
    assert store.list_cases(include_deleted=True, actor=ME) == []


def test_the_store_reopens_with_its_data(db_url, make_doc, clock):
    first = Store.open(db_url, clock=clock)
    case_id = first.create_case(make_doc(), actor=ME).id
    first.close()
    again = Store.open(db_url, clock=clock)
    assert again.load(case_id, actor=ME).document == make_doc()
    again.close()


def test_unknown_ids_raise_not_found(store, make_doc):
    with pytest.raises(NotFoundError):
        store.load("nope", actor=ME)
    with pytest.raises(NotFoundError):
        store.versions("nope", actor=ME)
    with pytest.raises(NotFoundError):
        store.save("nope", make_doc(), expected_version=1, actor=ME)
    with pytest.raises(NotFoundError):
        store.delete("nope", actor=ME)
    with pytest.raises(NotFoundError):
        store.duplicate("nope", "copy", actor=ME)
    record = store.create_case(make_doc(), actor=ME)
    with pytest.raises(NotFoundError):
        store.load_version(record.id, 2, actor=ME)


# -- versions and undo ----------------------------------------------------------------


def test_each_save_is_a_new_version_with_its_time(store, make_doc):
    record = store.create_case(make_doc("v1"), actor=ME)
    record = store.save(record.id, make_doc("v2"), expected_version=1, actor=ME)
    record = store.save(record.id, make_doc("v3"), expected_version=2, actor=ME)
    assert record.version == 3 and record.label == "v3"
    assert record.updated_at == minutes(2) and record.created_at == minutes(0)
    history = store.versions(record.id, actor=ME)
    assert [(v.version, v.saved_at, v.action, v.label) for v in history] == [
        (1, minutes(0), "create", "v1"),
        (2, minutes(1), "save", "v2"),
        (3, minutes(2), "save", "v3"),
    ]


def test_an_old_version_loads_with_its_own_document(store, make_doc):
    record = store.create_case(make_doc("first"), actor=ME)
    store.save(record.id, make_doc("second", treatment_start=None), expected_version=1, actor=ME)
    old = store.load_version(record.id, 1, actor=ME)
    assert old.document == make_doc("first") and old.version == 1 and old.saved_at == minutes(0)
    assert store.load(record.id, actor=ME).treatment_start is None


def test_saving_an_unchanged_document_writes_no_version(store, make_doc):
    record = store.create_case(make_doc(), actor=ME)
    again = store.save(record.id, make_doc(), expected_version=1, actor=ME)
    assert again.version == 1
    assert len(store.versions(record.id, actor=ME)) == 1


def test_undo_is_a_new_version_copying_the_old_one(store, make_doc):
    record = store.create_case(make_doc("good"), actor=ME)
    store.save(record.id, make_doc("mistake"), expected_version=1, actor=ME)
    undone = store.revert(record.id, 1, expected_version=2, actor=ME)
    assert undone.version == 3 and undone.document == make_doc("good") and undone.label == "good"
    last = store.versions(record.id, actor=ME)[-1]
    assert (last.action, last.source_version) == ("revert", 1)
    assert store.load_version(record.id, 2, actor=ME).document == make_doc("mistake")  # nothing rewritten


def test_undo_from_a_stale_version_is_refused(store, make_doc):
    record = store.create_case(make_doc("a"), actor=ME)
    store.save(record.id, make_doc("b"), expected_version=1, actor=ME)
    with pytest.raises(ConflictError):
        store.revert(record.id, 1, expected_version=1, actor=ME)
    assert store.load(record.id, actor=ME).label == "b"


# -- soft delete ----------------------------------------------------------------------


def test_soft_delete_hides_the_case_keeps_its_versions_and_restore_undoes_it(store, make_doc):
    record = store.create_case(make_doc("to delete"), actor=ME)
    store.save(record.id, make_doc("to delete, edited"), expected_version=1, actor=ME)
    deleted = store.delete(record.id, actor=ME)
    assert deleted.deleted and deleted.deleted_at is not None
    assert store.list_cases(actor=ME) == []
    assert [c.id for c in store.list_cases(include_deleted=True, actor=ME)] == [record.id]
    assert store.load(record.id, actor=ME).deleted
    assert len(store.versions(record.id, actor=ME)) == 2
    restored = store.restore(record.id, actor=ME)
    assert not restored.deleted and restored.deleted_at is None and restored.version == 2
    assert [c.id for c in store.list_cases(actor=ME)] == [record.id]


def test_deleting_twice_or_restoring_a_live_case_changes_nothing(store, make_doc):
    record = store.create_case(make_doc(), actor=ME)
    first = store.delete(record.id, actor=ME)
    assert store.delete(record.id, actor=ME).deleted_at == first.deleted_at
    store.restore(record.id, actor=ME)
    assert store.restore(record.id, actor=ME).deleted is False


def test_saving_a_case_deleted_elsewhere_is_refused_with_a_clear_message(store, make_doc):
    record = store.create_case(make_doc(), actor=ME)
    store.delete(record.id, actor=ME)
    with pytest.raises(CaseDeletedError, match="deleted in another session"):
        store.save(record.id, make_doc("late edit"), expected_version=1, actor=ME)
    assert store.load(record.id, actor=ME).label == "Bed 4 follow-up"


# -- picker: search and order ---------------------------------------------------------------


def test_search_by_label_is_case_insensitive(store, make_doc):
    store.create_case(make_doc("Bed 4 follow-up"), actor=ME)
    store.create_case(make_doc("Ödem Station"), actor=ME)
    store.create_case(make_doc(None), actor=ME)
    assert [c.label for c in store.list_cases("BED 4", actor=ME)] == ["Bed 4 follow-up"]
    assert [c.label for c in store.list_cases("ödem", actor=ME)] == ["Ödem Station"]
    assert [c.label for c in store.list_cases("station", actor=ME)] == ["Ödem Station"]
    assert len(store.list_cases("  ", actor=ME)) == 3
    assert store.list_cases("nothing like it", actor=ME) == []


def test_search_treats_wildcards_and_quotes_as_plain_text(store, make_doc):
    store.create_case(make_doc("100% response"), actor=ME)
    store.create_case(make_doc("bed_4"), actor=ME)
    store.create_case(make_doc("bed 4"), actor=ME)
    store.create_case(make_doc("O'Brien-style label"), actor=ME)
    assert [c.label for c in store.list_cases("%", actor=ME)] == ["100% response"]
    assert [c.label for c in store.list_cases("_", actor=ME)] == ["bed_4"]
    assert [c.label for c in store.list_cases("o'b", actor=ME)] == ["O'Brien-style label"]
    assert store.list_cases("'; DROP TABLE cases; --", actor=ME) == []
    assert store.list_cases('" OR 1=1 --', actor=ME) == []
    assert len(store.list_cases(actor=ME)) == 4


def test_the_picker_lists_the_most_recently_saved_first(store, make_doc):
    a = store.create_case(make_doc("a"), actor=ME)
    store.create_case(make_doc("b"), actor=ME)
    store.save(a.id, make_doc("a, edited"), expected_version=1, actor=ME)
    assert [c.label for c in store.list_cases(actor=ME)] == ["a, edited", "b"]


# -- duplicate ------------------------------------------------------------------------------


def test_duplicate_is_an_independent_case_with_the_new_label(store, make_doc):
    original = store.create_case(make_doc("original"), actor=ME)
    store.save(original.id, make_doc("original", treatment_start="2026-11-03"), expected_version=1, actor=ME)
    copy = store.duplicate(original.id, "what-if: oral", actor=ME)
    assert copy.id != original.id and copy.version == 1 and copy.label == "what-if: oral"
    assert copy.document == make_doc("what-if: oral", treatment_start="2026-11-03")
    assert store.versions(copy.id, actor=ME)[0].action == "duplicate"
    store.save(copy.id, make_doc("what-if: oral", treatment_start=None), expected_version=1, actor=ME)
    assert store.load(original.id, actor=ME).treatment_start == date(2026, 11, 3)


def test_duplicate_validates_the_new_label(store, make_doc):
    original = store.create_case(make_doc(), actor=ME)
    with pytest.raises(CaseError):
        store.duplicate(original.id, "x" * 121, actor=ME)


# -- configuration -------------------------------------------------------------------------


def test_url_resolution_explicit_then_environment_then_sqlite_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("COBALT_DATABASE_URL", raising=False)
    monkeypatch.delenv("COBALT_DATA_DIR", raising=False)
    assert resolve_url() == "sqlite:///" + str(ROOT / "var" / "cobalt.sqlite3")
    monkeypatch.setenv("COBALT_DATA_DIR", str(tmp_path))
    assert default_sqlite_path() == tmp_path / "cobalt.sqlite3"
    monkeypatch.setenv("COBALT_DATABASE_URL", "postgresql://u:pw@db:5432/cobalt")
    assert resolve_url() == "postgresql+psycopg://u:pw@db:5432/cobalt"
    assert resolve_url("postgres://h/x") == "postgresql+psycopg://h/x"
    assert resolve_url("sqlite:////data/c.db") == "sqlite:////data/c.db"


def test_the_default_sqlite_file_is_created_in_wal_mode(monkeypatch, tmp_path):
    monkeypatch.delenv("COBALT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COBALT_DATA_DIR", str(tmp_path / "new" / "folder"))
    opened = Store.open()
    assert opened.backend == "sqlite"
    with opened._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    opened.close()
    assert (tmp_path / "new" / "folder" / "cobalt.sqlite3").exists()


def test_the_url_shown_hides_the_password():
    opened = Store.open("postgresql://cobalt:s3cret@127.0.0.1:1/x", migrate=False)
    assert "s3cret" not in repr(opened) and "s3cret" not in opened.url
    opened.close()


def test_an_in_memory_sqlite_database_is_refused():
    with pytest.raises(StoreError, match="SQLite file"):
        Store.open("sqlite://")


def test_a_clock_without_time_zone_is_refused(db_url, make_doc):
    opened = Store.open(db_url, clock=lambda: datetime(2026, 11, 23, 9, 0))
    with pytest.raises(StoreError, match="aware"):
        opened.create_case(make_doc(), actor=ME)
    opened.close()


# -- house rules on the source --------------------------------------------------------------

STORE_SOURCES = sorted((ROOT / "store").rglob("*.py"))
SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "executemany", "literal_column", "from_statement"}


def _is_built_string(node: ast.AST) -> bool:
    """An f-string, ``%`` or ``+`` on strings, or ``.format(...)``: SQL assembled from values."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def test_sql_is_built_only_with_bound_parameters():
    assert STORE_SOURCES, "no store sources found"
    offenders = []
    for path in STORE_SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in SQL_CALLS and node.args and _is_built_string(node.args[0]):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if any(k.arg == "literal_binds" for k in node.keywords) and path.name != "env.py":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} (literal_binds)")
    assert offenders == []


def test_the_bound_parameter_check_catches_an_f_string():
    tree = ast.parse('conn.execute(text(f"SELECT * FROM cases WHERE label = {label}"))')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "text"]
    assert _is_built_string(calls[0].args[0])


def test_the_store_logs_and_prints_nothing():
    for path in STORE_SOURCES:
        if path.name == "env.py":  # only sets up the alembic command's own logging from its ini
            continue
        text = path.read_text()
        if path.name == "__main__.py":  # `python -m store migrate` prints its result: no case data, no log
            assert "getLogger" not in text and "logging." not in text, path
            continue
        assert "print(" not in text, path
        assert "getLogger" not in text and "logging." not in text, path


# -- issue 12, store side: no values in the log, a private file, a bounded search ---------------------


def test_database_errors_carry_no_statement_parameters(tmp_path):
    from store.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    assert engine.hide_parameters is True


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    import stat

    from store.engine import make_engine

    path = tmp_path / "new" / "cobalt.sqlite3"
    make_engine(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_very_long_search_is_refused_with_a_message_not_sent_to_the_database(tmp_path):
    from store import LOCAL, SEARCH_MAX, Store, StoreError

    store = Store.open(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        assert store.list_cases("x" * SEARCH_MAX, actor=LOCAL) == []
        with pytest.raises(StoreError, match="at most"):
            store.list_cases("x" * 100_000, actor=LOCAL)
    finally:
        store.close()
