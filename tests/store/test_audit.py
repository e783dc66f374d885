"""The audit trail: one append-only row per view, save, revert, copy, export, delete and restore, with
who and when; nothing in the repository (nor the database) changes or removes a row."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from store import LOCAL, Actor, AuditAction, Store
from store.schema import AUDIT_ACTIONS

ROOT = Path(__file__).resolve().parents[2]
ADA = Actor("dr.ada", "ward-7", "ada@ward.example")
CY = Actor("dr.cy", "ward-7", "cy@ward.example")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def rows(store: Store, case_id: str, actor: Actor = ADA) -> list[tuple]:
    return [(e.action, e.actor, e.version, e.detail) for e in store.audit(case_id, actor=actor)]


def test_each_kind_of_access_leaves_one_row_with_who_and_when(store, make_doc):
    case = store.create_case(make_doc("v1"), actor=ADA)
    store.load(case.id, actor=CY)
    store.save(case.id, make_doc("v2"), expected_version=1, actor=CY)
    store.save(case.id, make_doc("v2"), expected_version=2, actor=CY)  # unchanged: no version, no row
    store.revert(case.id, 1, expected_version=2, actor=ADA)
    store.load_version(case.id, 2, actor=ADA)
    store.record_export(case.id, "fhir", actor=CY)
    copy = store.duplicate(case.id, "what-if", actor=ADA)
    store.delete(case.id, actor=ADA)
    store.delete(case.id, actor=ADA)  # already deleted: no row
    store.restore(case.id, actor=CY)
    store.versions(case.id, actor=ADA)  # listing versions and reading the trail are not views
    store.list_cases(actor=ADA)
    assert rows(store, case.id) == [
        (AuditAction.CREATE, "dr.ada", 1, None),
        (AuditAction.VIEW, "dr.cy", 1, None),
        (AuditAction.SAVE, "dr.cy", 2, None),
        (AuditAction.REVERT, "dr.ada", 3, "from version 1"),
        (AuditAction.VIEW, "dr.ada", 2, None),
        (AuditAction.EXPORT, "dr.cy", 3, "fhir"),
        (AuditAction.COPY, "dr.ada", None, f"copied to {copy.id}"),
        (AuditAction.DELETE, "dr.ada", 3, None),
        (AuditAction.RESTORE, "dr.cy", 3, None),
    ]
    assert rows(store, copy.id) == [(AuditAction.CREATE, "dr.ada", 1, f"copy of {case.id}")]
    trail = store.audit(case.id, actor=CY)
    assert [e.at for e in trail] == sorted(e.at for e in trail) and trail[0].at == T0
    assert all(e.at.tzinfo is not None for e in trail)
    assert [e.seq for e in trail] == sorted({e.seq for e in trail})
    assert {e.actor_name for e in trail} == {"ada@ward.example", "cy@ward.example"}


def test_a_refused_save_leaves_no_save_row(store, make_doc):
    from store import ConflictError

    case = store.create_case(make_doc(), actor=ADA)
    store.save(case.id, make_doc("first"), expected_version=1, actor=ADA)
    with pytest.raises(ConflictError):
        store.save(case.id, make_doc("stale"), expected_version=1, actor=CY)
    assert [r[0] for r in rows(store, case.id)] == [AuditAction.CREATE, AuditAction.SAVE]


def test_the_trail_is_kept_with_the_versions_when_a_case_is_deleted(store, make_doc):
    case = store.create_case(make_doc(), actor=LOCAL)
    store.delete(case.id, actor=LOCAL)
    assert [e.action for e in store.audit(case.id, actor=LOCAL)] == [AuditAction.CREATE, AuditAction.DELETE]
    assert len(store.versions(case.id, actor=LOCAL)) == 1


# -- append-only ----------------------------------------------------------------------


def test_the_repository_has_no_call_that_changes_or_removes_an_audit_row_or_a_version():
    source = (ROOT / "store" / "repository.py").read_text()
    tree = ast.parse(source)
    touched = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "delete"}
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "sa"
        ):
            touched += [a.id for a in node.args if isinstance(a, ast.Name)]
    assert touched and set(touched) == {"CASES"}  # updates only ever touch the cases table
    assert not re.search(r"\b(UPDATE|DELETE FROM|TRUNCATE)\b", source)
    for name in dir(Store):
        assert not re.match(r"(update|delete|remove|purge|clear|edit)_?(audit|version)", name), name


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_audit SET actor = 'someone else'",
        "DELETE FROM case_audit",
        "UPDATE case_versions SET saved_by = 'someone else'",
        "DELETE FROM case_versions",
    ],
)
def test_the_database_refuses_to_change_audit_rows_and_versions(store, make_doc, statement):
    case = store.create_case(make_doc(), actor=ADA)
    store.load(case.id, actor=ADA)
    before = (rows(store, case.id), store.versions(case.id, actor=ADA))
    with pytest.raises(DBAPIError, match="append-only"), store._engine.begin() as conn:
        conn.execute(sa.text(statement))
    assert (rows(store, case.id), store.versions(case.id, actor=ADA)) == before


def test_postgresql_refuses_truncate_of_the_trail(store, make_doc):
    if store.backend != "postgresql":
        pytest.skip("TRUNCATE is a PostgreSQL statement")
    case = store.create_case(make_doc(), actor=ADA)
    for table in ("case_audit", "case_versions"):
        with pytest.raises(DBAPIError, match="append-only"), store._engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE " + table + " CASCADE"))
    assert len(rows(store, case.id)) == 1


def test_the_audit_actions_match_the_check_constraint_in_schema_and_migration():
    expected = "action IN (" + ", ".join(f"'{a}'" for a in AUDIT_ACTIONS) + ")"
    assert set(AUDIT_ACTIONS) == {a.value for a in AuditAction}
    assert expected in (ROOT / "store" / "schema.py").read_text()
    migration = next((ROOT / "store" / "migrations" / "versions").glob("0002_*.py")).read_text()
    assert expected in migration


def test_an_export_format_is_bounded(store, make_doc):
    from store import StoreError

    case = store.create_case(make_doc(), actor=ADA)
    store.record_export(case.id, "x" * 64, actor=ADA)
    for bad in ("", "x" * 65):
        with pytest.raises(StoreError):
            store.record_export(case.id, bad, actor=ADA)
    assert [r[3] for r in rows(store, case.id)][-1] == "x" * 64
