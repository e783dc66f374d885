"""The schema comes only from the Alembic migrations: empty database to head, idempotent, concurrent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store import Store, upgrade
from store.migrations import alembic_config, current_revision, head_revision, locked_connection
from store.repository import METADATA, make_engine

ROOT = Path(__file__).resolve().parents[2]
STORE_TABLES = {"cases", "case_versions"}

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
    assert current_revision(engine) == head_revision() == "0001"
    assert tables(engine) == STORE_TABLES | {"alembic_version"}
    engine.dispose()


def test_upgrade_is_idempotent_and_keeps_the_data(db_url, make_doc):
    upgrade(db_url)
    first = Store.open(db_url)
    case_id = first.create_case(make_doc()).id
    first.close()
    upgrade(db_url)
    again = Store.open(db_url)  # upgrades once more on open
    assert again.load(case_id).document == make_doc()
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
    assert "0001 (head)" in alembic("current")
    engine = make_engine(db_url)
    assert tables(engine) >= STORE_TABLES
    engine.dispose()


def test_the_schema_is_never_made_by_create_all():
    for path in (ROOT / "store").rglob("*.py"):
        assert ".create_all(" not in path.read_text(), path
