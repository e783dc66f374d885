"""Hole 4 of issue 22: the append-only audit against the app's own database role.

The app connects to PostgreSQL as a restricted role (store/roles.py), the migrations run as the owner.
As the app role, everything the app does works, and every statement that could rewrite the record is
refused by PostgreSQL itself: disabling a trigger, dropping or replacing the trigger function, dropping,
renaming or truncating the trail, changing or deleting audit rows and versions, handing a case to
someone else, switching triggers off for the session, creating a table, rewinding the schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from store import Actor, Store, StoreError
from store.migrations import head_revision
from store.roles import grant_app_role
from tests.store.conftest import ROOT, _pg_script, case_doc

ADA = Actor("dr.ada", "ward-7", "ada@ward.example")
SIGN_IN = "ab" * 32


@pytest.fixture(scope="module")
def roles(postgres_server):
    """A database owned by its own owner role, migrated by that owner, and an app role with the grants."""
    if postgres_server.url is None:
        if os.environ.get("CI") == "true":
            pytest.fail(postgres_server.reason + " (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(postgres_server.reason)
    pg = _pg_script()
    parts = urlsplit(postgres_server.url)
    server = pg.Server(postgres_server.url, Path("/nonexistent"), parts.port)
    made = pg.two_roles(server, prefix="t")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "store", "migrate", "--url", made.owner_url, "--app-role", made.app],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, done.stderr
        assert f"schema at revision {head_revision()}" in done.stdout
        yield made
    finally:
        pg.drop_two_roles(server, made)


@pytest.fixture(scope="module")
def app_store(roles):
    """The store as every app process opens it: the app role, the schema already at head."""
    store = Store.open(roles.app_url)
    case = store.create_case(case_doc("Bed 9"), actor=ADA)
    store.save(case.id, case_doc("Bed 9, day 2"), expected_version=1, actor=ADA)
    store.record_export(case.id, "json", actor=ADA)
    yield store, case.id
    store.close()


def _trail(owner_url: str, case_id: str) -> tuple:
    engine = sa.create_engine(owner_url)
    try:
        with engine.connect() as conn:
            audit = conn.execute(sa.text("SELECT seq, actor, action FROM case_audit WHERE case_id = :c ORDER BY seq"),
                                 {"c": case_id}).all()
            versions = conn.execute(sa.text("SELECT version, saved_by, document FROM case_versions WHERE case_id = :c "
                                            "ORDER BY version"), {"c": case_id}).all()
            owner = conn.execute(sa.text("SELECT owner FROM cases WHERE id = :c"), {"c": case_id}).scalar_one()
            triggers = conn.execute(sa.text(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname")).all()
            function = conn.execute(sa.text("SELECT prosrc FROM pg_proc WHERE proname = 'cobalt_append_only'")).all()
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    return tuple(audit), tuple(versions), owner, tuple(triggers), tuple(function), tables


def test_app_role_does_everything_the_app_does(app_store, roles):
    store, case_id = app_store
    assert store.load(case_id, actor=ADA).document["label"] == "Bed 9, day 2"
    copy = store.duplicate(case_id, "what-if", actor=ADA)
    store.delete(copy.id, actor=ADA)
    store.restore(copy.id, actor=ADA)
    store.revert(case_id, 1, expected_version=2, actor=ADA)
    assert [v.version for v in store.versions(case_id, actor=ADA)] == [1, 2, 3]
    assert [e.action for e in store.audit(case_id, actor=ADA)][:3] == ["create", "save", "export"]
    assert store.list_cases(actor=ADA)
    store.end_sign_in(SIGN_IN, "dr.ada")
    store.end_sign_in(SIGN_IN, "dr.ada")  # twice: the first row is kept, nothing is changed
    assert store.sign_in_ended(SIGN_IN) and not store.sign_in_ended("cd" * 32)


HOSTILE = [
    "ALTER TABLE case_audit DISABLE TRIGGER case_audit_append_only",
    "ALTER TABLE case_versions DISABLE TRIGGER ALL",
    "DROP TRIGGER case_audit_append_only ON case_audit",
    "DROP FUNCTION cobalt_append_only() CASCADE",
    "CREATE OR REPLACE FUNCTION cobalt_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
    "DROP TABLE case_audit CASCADE",
    "ALTER TABLE case_audit RENAME TO case_audit_old",
    "TRUNCATE case_audit CASCADE",
    "TRUNCATE case_versions CASCADE",
    "UPDATE case_audit SET actor = 'someone else'",
    "DELETE FROM case_audit",
    "UPDATE case_versions SET saved_by = 'someone else'",
    "DELETE FROM case_versions",
    "UPDATE cases SET owner = 'dr.eve'",
    "DELETE FROM cases",
    "DELETE FROM ended_sign_ins",
    "UPDATE ended_sign_ins SET subject = 'x'",
    "UPDATE alembic_version SET version_num = '0001'",
    "DROP TABLE alembic_version",
    "SET session_replication_role = replica",
    "CREATE TABLE case_audit_copy (seq integer)",
]


@pytest.mark.parametrize("statement", HOSTILE)
def test_app_role_is_refused_every_statement_that_could_rewrite_the_record(app_store, roles, statement):
    _store, case_id = app_store
    before = _trail(roles.owner_url, case_id)
    engine = sa.create_engine(roles.app_url)
    try:
        with pytest.raises(DBAPIError, match=r"(?i)permission denied|must be owner"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
    assert _trail(roles.owner_url, case_id) == before


def test_app_role_cannot_downgrade_the_schema(app_store, roles):
    _store, case_id = app_store
    before = _trail(roles.owner_url, case_id)
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "store" / "migrations" / "alembic.ini"),
         "-x", f"url={roles.app_url}", "downgrade", "base"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode != 0
    assert "must be owner" in done.stderr or "permission denied" in done.stderr
    assert _trail(roles.owner_url, case_id) == before


def test_app_role_opening_a_database_behind_head_is_told_to_migrate_as_the_owner(roles, postgres_server):
    pg = _pg_script()
    parts = urlsplit(postgres_server.url)
    server = pg.Server(postgres_server.url, Path("/nonexistent"), parts.port)
    empty = pg.two_roles(server, prefix="t")
    try:
        with pytest.raises(StoreError, match=r"python -m store migrate --app-role ROLE` as the database owner"):
            Store.open(empty.app_url)
    finally:
        pg.drop_two_roles(server, empty)


def test_app_role_grants_refuse_a_superuser_an_unknown_role_and_the_owner_itself(roles, postgres_server):
    owner = sa.create_engine(roles.owner_url)
    try:
        with owner.begin() as conn:
            for role, why in (("postgres", "superuser"), ("nobody_here", "no database role"),
                              (roles.owner, "must not be the role that owns"), ("Bad-Name", "lower-case")):
                with pytest.raises(StoreError, match=why):
                    grant_app_role(conn, role)
    finally:
        owner.dispose()


def test_app_role_grants_only_what_the_repository_writes():
    """The repository's UPDATEs touch only the columns granted (store/roles.CASE_UPDATE_COLUMNS)."""
    import ast

    from logic.case import parse_case
    from store.roles import CASE_UPDATE_COLUMNS
    from store.rows import indexed

    tree = ast.parse((ROOT / "store" / "repository.py").read_text())
    written: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values":
            inner = node.func.value
            while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                if inner.func.attr == "update":
                    written |= {k.arg for k in node.keywords if k.arg}
                    if any(k.arg is None for k in node.keywords):  # **indexed(case)
                        written |= set(indexed(parse_case(case_doc())))
                    break
                inner = inner.func.value
    assert written and written <= set(CASE_UPDATE_COLUMNS), written - set(CASE_UPDATE_COLUMNS)
