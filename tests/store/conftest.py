"""Fixtures for the store tests: every test runs on SQLite and on a real PostgreSQL server.

PostgreSQL: ``$COBALT_TEST_POSTGRES_URL`` if set, else a throwaway server started once per session
by ``scripts/pg-test-server.py`` (Debian's postgresql, installed with apt-get if missing and root).
Each test gets its own empty schema. If the server cannot be had, the postgresql variants skip
with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from store import Store, resolve_url

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("sqlite", "postgresql")


def _pg_script() -> Any:
    name = "cobalt_pg_test_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "pg-test-server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class PostgresServer:
    url: str | None  # a database URL, or None when unavailable
    reason: str = ""


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get("COBALT_TEST_POSTGRES_URL")
    if url:
        yield PostgresServer(url)
        return
    pg = _pg_script()
    try:
        server = pg.start()
    except Exception as exc:  # the reason of the skip (or, under CI=true, of the failure)
        yield PostgresServer(None, f"PostgreSQL test server unavailable: {exc}")
        return
    try:
        yield PostgresServer(server.url)
    finally:
        pg.stop(server)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A URL whose connections see only a fresh, empty schema of the test server."""
    if postgres_server.url is None:
        if os.environ.get("CI") == "true":
            pytest.fail(postgres_server.reason + " (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(postgres_server.reason)
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(resolve_url(postgres_server.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE SCHEMA " + schema)  # a generated identifier; DDL cannot bind names
    base = resolve_url(postgres_server.url)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP SCHEMA " + schema + " CASCADE")
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "cobalt.sqlite3")
    return request.getfixturevalue("postgres_url")


class FakeClock:
    """A clock that starts at 2026-11-23 09:00 UTC and moves one minute each time it is read."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        current = self.now
        self.now += timedelta(minutes=1)
        return current


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    opened = Store.open(db_url, clock=clock)
    yield opened
    opened.close()


def case_doc(label: str | None = "Bed 4 follow-up", **changes: Any) -> dict[str, Any]:
    """A small valid case document (pseudonymous label, two dated draws)."""
    doc: dict[str, Any] = {
        "format": "b12-case/1",
        "patient": {"age_years": 62, "sex": "female"},
        "history": {"pernicious_anemia": True},
        "treatment_start": "2026-11-02",
        "observations": [
            {"date": "2026-11-01", "analyte": "platelets", "value": 42, "unit": "10^9/L"},
            {"date": "2026-11-01", "analyte": "b12", "value": 98.5, "unit": "pg/mL"},
            {"date": "2026-11-09", "analyte": "platelets", "value": 121, "unit": "10^9/L"},
        ],
    }
    if label is not None:
        doc["label"] = label
    doc.update(changes)
    return doc


@pytest.fixture
def make_doc() -> Callable[..., dict[str, Any]]:
    return case_doc


def python_env(db_url: str) -> dict[str, str]:
    """The environment for a worker process: the repository on the path and the database URL."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["COBALT_DATABASE_URL"] = db_url
    env.pop("COBALT_DATA_DIR", None)
    return env


@pytest.fixture
def spawn(db_url: str) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``python -c CODE ARGS...`` against the test database; stdin and stdout are text pipes."""
    started: list[subprocess.Popen[str]] = []

    def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *args], cwd=ROOT, env=python_env(db_url),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        started.append(proc)
        return proc

    yield _spawn
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
