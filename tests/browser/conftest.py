"""Real-browser tests: Playwright drives Debian's Chromium against `streamlit run` on localhost.

In CI (CI=true) a missing browser is a failure, never a skip.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("COBALT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
SHOTS = ROOT / "test-results" / "screenshots"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _need_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    msg = f"{CHROMIUM} is missing: `make test` installs Debian's chromium when run as root"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _need_browser()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run serve.py` (the app with its security headers) on a free localhost port, with its own
    data folder."""

    def __init__(self, data_dir: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.proc: subprocess.Popen | None = None
        self.extra_env: dict[str, str] = {}  # e.g. sign-in settings (see signin_server)
        self.extra_args: list[str] = []

    def command(self) -> list[str]:
        """What starts the server (the bench's ward puts its timing hook in front: scripts/bench_sessions.py)."""
        return [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(self.port),
                "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
                *self.extra_args]

    def start(self, wait_s: float = 60) -> Server:
        env = {**os.environ, "COBALT_DATA_DIR": str(self.data_dir), "PYTHONPATH": str(ROOT)}
        env.pop("COBALT_SAVE_QUIET_S", None)  # save as deployed: one version per burst of edits
        env.pop("COBALT_PAGE_ERRORS", None)  # a failing page shows its message, as deployed
        env.setdefault("COBALT_DATABASE_URL", f"sqlite:///{self.data_dir / 'cobalt.sqlite3'}")
        env.update(self.extra_env)
        self.log = open(self.data_dir / "server.log", "wb")
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.data_dir / "server.log").read_text())
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy within {wait_s:g} s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def app_server():
    _need_browser()
    data_dir = Path(tempfile.mkdtemp(prefix="cobalt-browser-"))
    server = Server(data_dir).start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(150)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- sign-in: a local OpenID Connect provider (oidc-provider-mock) and an app that requires sign-in --

OIDC_USERS = (
    {"sub": "dr.ada", "email": "ada@ward.example", "name": "Ada Lovelace"},
    {"sub": "dr.bob", "email": "bob@ward.example", "name": "Bob Marley"},
)


def need_sign_in_packages() -> None:
    """Authlib (streamlit[auth]) and oidc-provider-mock come from the requirements; under CI=true a
    missing one fails the test, elsewhere it skips."""
    import importlib.util

    missing = [m for m in ("authlib", "oidc_provider_mock") if importlib.util.find_spec(m) is None]
    if missing:
        msg = f"{', '.join(missing)} not installed: pip install -r requirements-dev.txt"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)


def wait_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 60, log: Path | None = None) -> None:
    """Poll ``url`` until it answers 200 (the process must stay alive meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited" + (f": {log.read_text()[-2000:]}" if log else ""))
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


class OidcProvider:
    """oidc-provider-mock on 127.0.0.1 and a free port, with the users of OIDC_USERS."""

    def __init__(self, folder: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metadata_url = f"{self.url}/.well-known/openid-configuration"
        self.log_path = folder / "oidc.log"
        args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port)]
        for user in OIDC_USERS:
            args += ["--user-claims", json.dumps(user)]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.metadata_url, self.proc, log=self.log_path)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def write_secrets(path: Path, redirect_uri: str, provider: OidcProvider, cookie_secret: str) -> Path:
    """The app's .streamlit/secrets.toml for the test provider (written by the test, never committed)."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        'client_id = "cobalt-test"\n'
        'client_secret = "cobalt-test-secret"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
        'client_kwargs = { prompt = "login" }\n'
    )
    return path


@pytest.fixture(scope="session")
def oidc_provider():
    _need_browser()
    need_sign_in_packages()
    folder = Path(tempfile.mkdtemp(prefix="cobalt-oidc-"))
    provider = OidcProvider(folder)
    yield provider
    provider.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def signin_server(oidc_provider):
    """`streamlit run serve.py` with sign-in required (SQLite store, COBALT_REQUIRE_LOGIN=1)."""
    import secrets

    data_dir = Path(tempfile.mkdtemp(prefix="cobalt-signin-"))
    server = Server(data_dir)
    server.cookie_secret = secrets.token_hex(32)  # tests that forge a sign-in cookie sign it as Streamlit does
    secrets_file = write_secrets(
        data_dir / "secrets.toml", f"{server.url}/oauth2callback", oidc_provider, server.cookie_secret
    )
    server.extra_env = {"COBALT_REQUIRE_LOGIN": "1"}  # sign-in ends with the ID token (the default)
    server.extra_args = ["--secrets.files", str(secrets_file)]
    server.start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def sign_in(page, app_url: str, sub: str) -> None:
    """Open the app, press Sign in and choose ``sub`` on the provider's page; back in the app, signed in."""
    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("button[name='sub']", timeout=30_000)  # the provider's page
    page.locator(f"button[name='sub'][value='{sub}']").click()
    page.wait_for_url(app_url.rstrip("/") + "/**", timeout=30_000)
    wait_idle(page)
    page.wait_for_selector("[data-testid='stSidebar'] :text('Signed in as')", timeout=30_000)



# The ward set-up (nginx, two app processes, PostgreSQL, the OpenID provider), started once for the run and
# shared by test_deploy_proxy.py and test_ward_access.py: the fixture `ward` of tests/browser/ward.py.
from tests.browser.ward import ward_fixture  # noqa: E402, F401
