#!/usr/bin/env python3
"""A throwaway PostgreSQL server for the store tests: 127.0.0.1, a free port, a temporary folder.

    python scripts/pg-test-server.py run -- CMD ARGS...   start, run CMD with COBALT_TEST_POSTGRES_URL set, stop
    python scripts/pg-test-server.py start                start; print the URL and the folder (for `stop`)
    python scripts/pg-test-server.py stop FOLDER          stop the server started in FOLDER and remove it

``two_roles(server)`` makes a database of its own for a ward set-up as deployed, with
deploy/postgresql/roles.sql: an owner role that owns it (migrations) and an app role with no rights of
its own (README, "Deploying for a ward"); ``drop_two_roles`` removes them.

Uses Debian's PostgreSQL (``/usr/lib/postgresql/<N>/bin``), installed with apt-get if it is
missing and we are root. As root the server runs as the ``postgres`` user (PostgreSQL refuses to
run as root). Trust authentication on 127.0.0.1 only; the data are thrown away on stop.
The pytest fixture in ``tests/store/conftest.py`` imports this file and calls start()/stop().
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DATABASE = "cobalt_test"
SUPERUSER = "postgres"
URL_FILE = "url"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be installed or started; the message says why."""


@dataclass(frozen=True)
class Server:
    url: str  # postgresql+psycopg://postgres@127.0.0.1:PORT/cobalt_test
    folder: Path
    port: int


def _is_root() -> bool:
    return os.geteuid() == 0


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _install() -> Path:
    bindir = _bindir()
    if bindir is not None:
        return bindir
    if not _is_root():
        raise PostgresUnavailable("PostgreSQL is not installed (no initdb) and this user cannot apt-get install it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(cmd)} failed: {done.stderr.strip()[-500:]}")
    bindir = _bindir()
    if bindir is None:
        raise PostgresUnavailable("apt-get installed postgresql but no initdb was found")
    return bindir


def _as_server_user(args: list[str]) -> list[str]:
    if not _is_root():
        return args
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", SUPERUSER, "--", *args]
    return ["su", SUPERUSER, "-s", "/bin/sh", "-c", " ".join(_quote(a) for a in args)]


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def _run(args: list[str], what: str, timeout: float = 120) -> None:
    done = subprocess.run(_as_server_user(args), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise PostgresUnavailable(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start() -> Server:
    """Start a fresh server with an empty database ``cobalt_test``; raise PostgresUnavailable if it cannot."""
    bindir = _install()
    folder = Path(tempfile.mkdtemp(prefix="cobalt-pg-"))
    try:
        folder.chmod(0o700)
        if _is_root():
            shutil.chown(folder, SUPERUSER, SUPERUSER)
        data = folder / "data"
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8", "--no-sync", "--no-instructions"],
            "initdb",
        )
        for attempt in range(3):
            port = _free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder}"
            try:
                _run(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
                     "-w", "-t", "60", "start"],
                    "pg_ctl start",
                )
                break
            except PostgresUnavailable:
                if attempt == 2:
                    log_file = folder / "server.log"
                    log = log_file.read_text(errors="replace")[-800:] if log_file.exists() else ""
                    raise PostgresUnavailable(f"pg_ctl start failed three times; server log: {log}") from None
        _run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, DATABASE], "createdb")
    except BaseException:
        _stop_folder(folder, bindir)
        raise
    url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
    (folder / URL_FILE).write_text(url + "\n")
    return Server(url, folder, port)


@dataclass(frozen=True)
class TwoRoles:
    owner_url: str  # postgresql+psycopg://<owner>@127.0.0.1:PORT/<database>: runs the migrations
    app_url: str  # the same database as the app's restricted role
    owner: str
    app: str
    database: str


def _psql(server: Server, *args: str, database: str = DATABASE) -> None:
    bindir = _install()
    done = subprocess.run(
        [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(server.port), "-U", SUPERUSER, "-d", database,
         "-v", "ON_ERROR_STOP=1", "-q", *args],
        capture_output=True, text=True, timeout=60,
    )
    if done.returncode != 0:
        raise PostgresUnavailable(f"psql failed: {done.stderr.strip()[-500:]}")


ROLES_SQL = Path(__file__).resolve().parents[1] / "deploy" / "postgresql" / "roles.sql"


def two_roles(server: Server, prefix: str = "cobalt") -> TwoRoles:
    """A fresh database owned by a new owner role, and a new app role that may only connect to it, made by
    deploy/postgresql/roles.sql as a DBA would (the grants come from ``python -m store migrate
    --app-role``). Names are ``<prefix>_owner_<n>`` etc.; passwords are unused (trust on 127.0.0.1)."""
    tag = os.urandom(4).hex()
    owner, app, database = f"{prefix}_owner_{tag}", f"{prefix}_app_{tag}", f"{prefix}_db_{tag}"
    _psql(server, "-v", f"owner={owner}", "-v", f"app={app}", "-v", f"db={database}",
          "-v", "owner_password=unused", "-v", "app_password=unused", "-f", str(ROLES_SQL))
    base = f"postgresql+psycopg://{{}}@127.0.0.1:{server.port}/{database}"
    return TwoRoles(base.format(owner), base.format(app), owner, app, database)


def drop_two_roles(server: Server, roles: TwoRoles) -> None:
    """Drop the database and both roles of :func:`two_roles` (connections to it are ended first)."""
    _psql(server, "-c", f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{roles.database}'")
    _psql(server, "-c", f"DROP DATABASE IF EXISTS {roles.database}")
    _psql(server, "-c", f"DROP ROLE IF EXISTS {roles.app}; DROP ROLE IF EXISTS {roles.owner}")


def _stop_folder(folder: Path, bindir: Path | None) -> None:
    data = folder / "data"
    if bindir is not None and (data / "postmaster.pid").exists():
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"]),
            capture_output=True, timeout=90,
        )
    shutil.rmtree(folder, ignore_errors=True)


def stop(server: Server | Path | str) -> None:
    """Stop the server and remove its folder (safe to call twice)."""
    folder = server.folder if isinstance(server, Server) else Path(server)
    if not (folder / "data" / "PG_VERSION").exists() and not (folder / URL_FILE).exists():
        raise SystemExit(f"{folder} is not a folder made by this script")
    _stop_folder(folder, _bindir())


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:
        server = start()
        print(f"COBALT_TEST_POSTGRES_URL={server.url}")
        print(f"PG_TEST_SERVER_DIR={server.folder}")
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(argv[1])
        return 0
    if argv[:1] == ["run"]:
        cmd = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        if not cmd:
            print("usage: pg-test-server.py run -- CMD ARGS...", file=sys.stderr)
            return 2
        server = start()
        try:
            return subprocess.call(cmd, env=dict(os.environ, COBALT_TEST_POSTGRES_URL=server.url))
        finally:
            stop(server)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except PostgresUnavailable as exc:
        print(f"pg-test-server: {exc}", file=sys.stderr)
        sys.exit(1)
