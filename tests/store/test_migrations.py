"""The schema comes only from the Alembic migrations: empty database to head, idempotent, concurrent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store import LOCAL as ME
from store import Store, upgrade
from store.migrations import alembic_config, current_revision, head_revision, locked_connection
from store.repository import METADATA, make_engine

ROOT = Path(__file__).resolve().parents[2]
STORE_TABLES = {"cases", "case_versions", "case_audit", "ended_sign_ins"}

UPGRADER = r"""
import sys
from store import upgrade

print("READY", flush=True)
sys.stdin.readline()
upgrade()
print("OK", flush=True)
"""


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_on_an_empty_database_creates_the_schema_at_head(db_url):
    engine = make_engine(db_url)
    assert current_revision(engine) is None and tables(engine) == set()
    upgrade(db_url)
    assert current_revision(engine) == head_revision() == "0003"
    assert tables(engine) == STORE_TABLES | {"alembic_version"}
    engine.dispose()


def test_upgrade_is_idempotent_and_keeps_the_data(db_url, make_doc):
    upgrade(db_url)
    first = Store.open(db_url)
    case_id = first.create_case(make_doc(), actor=ME).id
    first.close()
    upgrade(db_url)
    again = Store.open(db_url)  # upgrades once more on open
    assert again.load(case_id, actor=ME).document == make_doc()
    with again._engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    again.close()


def test_the_migrated_schema_matches_the_tables_the_repository_uses(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), METADATA)
    engine.dispose()
    assert diffs == []


def test_downgrade_to_base_removes_the_tables_and_upgrade_brings_them_back(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    cfg = alembic_config()
    with locked_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert tables(engine) & STORE_TABLES == set()
    assert current_revision(engine) is None
    upgrade(db_url)
    assert tables(engine) >= STORE_TABLES
    engine.dispose()


def test_three_processes_starting_at_once_on_an_empty_database_all_succeed(db_url, spawn):
    workers = [spawn(UPGRADER) for _ in range(3)]
    for proc in workers:
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
    for proc in workers:
        proc.stdin.write("GO\n")
        proc.stdin.flush()
    for proc in workers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip() == "OK", err
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_alembic_command_works_with_the_ini_in_store_migrations(db_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COBALT_DATABASE_URL", "COBALT_DATA_DIR")}
    ini = str(ROOT / "store" / "migrations" / "alembic.ini")

    def alembic(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", ini, "-x", "url=" + db_url, *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    alembic("upgrade", "head")
    assert f"{head_revision()} (head)" in alembic("current")
    engine = make_engine(db_url)
    assert tables(engine) >= STORE_TABLES
    engine.dispose()


def test_the_schema_is_never_made_by_create_all():
    for path in (ROOT / "store").rglob("*.py"):
        assert ".create_all(" not in path.read_text(), path


def test_upgrading_a_database_with_cases_from_0001_gives_them_the_local_owner(db_url, make_doc):
    """An existing store (SQLite or PostgreSQL) at 0001 keeps its cases, which now belong to "local"."""
    from datetime import UTC, datetime

    from store import LOCAL, Actor, NotFoundError

    upgrade(db_url, "0001")
    engine = make_engine(db_url)
    at = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    old_cases = sa.table("cases", *(sa.column(c) for c in (
        "id", "version", "label", "label_key", "status", "created_at", "updated_at")))
    old_versions = sa.table("case_versions", *(sa.column(c) for c in (
        "case_id", "version", "saved_at", "action", "label", "document")))
    with engine.begin() as conn:
        conn.execute(sa.insert(old_cases).values(
            id="a" * 32, version=2, label="Bed 4", label_key="bed 4", status="active", created_at=at, updated_at=at))
        for v in (1, 2):
            conn.execute(sa.insert(old_versions).values(
                case_id="a" * 32, version=v, saved_at=at, action="create" if v == 1 else "save", label="Bed 4",
                document='{"label":"Bed 4","observations":[]}'))
    engine.dispose()
    upgrade(db_url)
    store = Store.open(db_url)
    assert [(c.id, c.owner, c.team) for c in store.list_cases(actor=LOCAL)] == [("a" * 32, "local", None)]
    assert [(v.saved_by, v.saved_by_name) for v in store.versions("a" * 32, actor=LOCAL)] == [("local", None)] * 2
    assert store.load("a" * 32, actor=LOCAL).document == {"label": "Bed 4", "observations": []}
    assert store.audit("a" * 32, actor=LOCAL)[0].action == "view"  # the trail starts at the upgrade
    ada = Actor("dr.ada")
    assert store.list_cases(actor=ada) == []
    with pytest.raises(NotFoundError):
        store.load("a" * 32, actor=ada)
    saved = store.save("a" * 32, make_doc("Bed 4, after the upgrade"), expected_version=2, actor=LOCAL)
    assert saved.version == 3 and store.versions("a" * 32, actor=LOCAL)[-1].saved_by == "local"
    store.close()
