"""The ward set-up, running, for the deployment tests: Debian's nginx with deploy/nginx/ (TLS with a
certificate made here) in front of two `streamlit run` processes, a throwaway PostgreSQL whose schema
the owner role migrates and which the app processes use as the restricted app role (store/roles.py),
sign-in through a local OpenID provider; all on 127.0.0.1 and free ports, all stopped at the end.

``ward_fixture`` is the session-scoped pytest fixture ``ward`` (registered by tests/browser/conftest.py):
one set-up for the run, shared by tests/browser/test_deploy_proxy.py and test_ward_access.py; a test
that stops a process starts it again. Under CI=true a missing nginx or PostgreSQL fails the test instead of skipping it
(`make test` installs both when run as root).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, Server, _free_port, need_sign_in_packages, wait_idle, write_secrets

DEPLOY = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SIDEBAR = "[data-testid='stSidebar']"
LOG_LINE = re.compile(  # upstream: one process, or "a, b" when the first was down and nginx tried the next
    r'"(?P<method>\S+) (?P<path>\S+) \S+" (?P<status>\d+) \d+ route=(?P<route>\S+) '
    r'upstream=(?P<up>.+?)(?: upstream_status=(?P<up_status>.*))?$'
)


def unavailable(msg: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (CI=true: the deployment test must run)", pytrace=False)
    pytest.skip(msg)


def pg_script():
    name = "cobalt_pg_deploy"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "pg-test-server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def no_verify() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return ctx


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(url: str, cookie: str | None = None, method: str = "GET", data: bytes | None = None,
            headers: dict[str, str] | None = None) -> Answer:
    """One HTTP(S) request, redirects not followed; an error status is an answer too."""
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = cookie
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=no_verify()))
    try:
        with opener.open(req, timeout=15) as r:
            return Answer(r.status, list(r.headers.items()), r.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, list(err.headers.items()), err.read())


class Proxy:
    """Debian's nginx with deploy/nginx/cobalt.conf and cobalt-proxy.conf, made to listen on 127.0.0.1."""

    def __init__(self, folder: Path, upstream_ports: list[int], https_port: int):
        self.folder = folder
        self.http_port, self.https_port = _free_port(), https_port
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.access_log = folder / "cobalt.access.log"
        self.error_logs = [folder / "error.log", folder / "cobalt.error.log"]
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            cwd=folder, check=True, capture_output=True,
        )
        conf = (DEPLOY / "cobalt.conf").read_text()
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in upstream_ports)
        edits = [
            (r"(?m)^    server 127\.0\.0\.1:850\d .*\n", ""),
            (r"hash \$cobalt_route consistent;\n", "hash $cobalt_route consistent;\n" + servers + "\n"),
            (r"(?m)^    listen \[::\]:.*\n", ""),
            (r"listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            (r"listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            (r"/etc/ssl/cobalt/fullchain\.pem", str(folder / "cert.pem")),
            (r"/etc/ssl/cobalt/privkey\.pem", str(folder / "key.pem")),
            (r"/etc/nginx/snippets/cobalt-", str(folder) + "/cobalt-"),
            (r"/var/log/nginx/", f"{folder}/"),
        ]
        for pattern, replacement in edits:  # each edit must find its line: the files keep their shape
            conf, n = re.subn(pattern, replacement, conf)
            assert n >= 1, f"deploy/nginx/cobalt.conf no longer has {pattern!r}"
        for snippet in sorted(DEPLOY.glob("cobalt-*.conf")):
            text = snippet.read_text()
            (folder / snippet.name).write_text(text.replace("/var/log/nginx/", f"{folder}/"))
        assert "/var/log/nginx/cobalt.access.log" in (DEPLOY / "cobalt-proxy.conf").read_text()
        (folder / "cobalt.conf").write_text(conf)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"{user}worker_processes 1;\nerror_log {folder}/error.log;\npid {folder}/nginx.pid;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n    access_log off;\n    client_body_temp_path {folder}/body;\n"
            f"    proxy_temp_path {folder}/proxy;\n    fastcgi_temp_path {folder}/fastcgi;\n"
            f"    uwsgi_temp_path {folder}/uwsgi;\n    scgi_temp_path {folder}/scgi;\n"
            f"    include {folder}/cobalt.conf;\n}}\n"
        )
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(folder / "nginx.stderr", "wb"),
        )
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + (folder / "nginx.stderr").read_text())
            try:
                if request(f"{self.url}/_stcore/health").body.decode().strip() == "ok":
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def log(self) -> list[dict]:
        return [m.groupdict() for m in map(LOG_LINE.search, self.access_log.read_text().splitlines()) if m]

    def logs_text(self) -> str:
        """Everything nginx wrote: the access log and both error logs."""
        paths = [self.access_log, *self.error_logs, self.folder / "nginx.stderr"]
        return "\n".join(p.read_text(errors="replace") for p in paths if p.exists())

    def route_on(self, port: int) -> str:
        """A route cookie value that the hash puts on the process at ``port`` (probed through nginx)."""
        for i in range(64):
            key = f"probe{i:02d}{secrets.token_hex(2)}"
            request(f"{self.url}/_stcore/health", cookie=f"cobalt_route={key}")
            request(f"{self.url}/", cookie=f"cobalt_route={key}")
            if any(e["route"] == key and e["up"].endswith(f":{port}") for e in self.log()):
                return key
        raise AssertionError(f"no route key lands on port {port}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class Ward:
    proxy: Proxy
    apps: list[Server]
    roles: object  # pg-test-server's TwoRoles: owner_url, app_url
    cookie_secret: str
    folder: Path
    case_ids: set[str] = field(default_factory=set)  # every case made through the ward (for the log checks)

    @property
    def url(self) -> str:
        return self.proxy.url

    def app_on(self, port: int | str) -> Server:
        return next(a for a in self.apps if str(a.port) == str(port))

    def restart(self, app: Server) -> None:
        """Start a stopped (or killed) app process again on its port, keeping its earlier log."""
        if app.proc is not None and app.proc.poll() is None:
            app.stop()
        log = app.data_dir / "server.log"
        if log.exists():
            log.rename(app.data_dir / f"server.{int(time.time() * 1000)}.log")
        app.start()

    def app_logs_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for a in self.apps for p in sorted(a.data_dir.glob("*.log")))


def start_ward(oidc_provider):
    """Generator: the ward set-up (see the module docstring), torn down after the yield."""
    need_sign_in_packages()
    if not Path(NGINX).exists():
        unavailable("nginx is missing: `make test` installs Debian's nginx when run as root")
    folder = Path(tempfile.mkdtemp(prefix="cobalt-ward-"))
    folder.chmod(0o755)
    pg = pg_script()
    try:
        database = pg.start()
    except Exception as exc:  # noqa: BLE001 - the reason of the skip (or, under CI=true, of the failure)
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"PostgreSQL test server unavailable: {exc}")
    apps: list[Server] = []
    proxy = None
    try:
        roles = pg.two_roles(database)
        migrated = subprocess.run(  # as deployed: the owner migrates and grants, the apps connect as the app role
            [sys.executable, "-m", "store", "migrate", "--url", roles.owner_url, "--app-role", roles.app],
            cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert migrated.returncode == 0, migrated.stderr
        apps = [Server(folder / f"app{i}") for i in range(2)]
        for app in apps:
            app.data_dir.mkdir()
        # one secrets file for both processes (the same cookie_secret); redirect_uri is the proxy's address
        https_port = _free_port()
        cookie_secret = secrets.token_hex(32)
        secrets_file = write_secrets(
            folder / "secrets.toml", f"https://127.0.0.1:{https_port}/oauth2callback", oidc_provider, cookie_secret,
        )
        for app in apps:
            # PostgreSQL: sign-in is on by itself; a 12-hour shift, as deploy/ sets it for a ward
            app.extra_env = {"COBALT_DATABASE_URL": roles.app_url, "COBALT_SIGN_IN_HOURS": "12"}
            app.extra_args = ["--secrets.files", str(secrets_file)]
            app.start()
        proxy = Proxy(folder, [a.port for a in apps], https_port)
        yield Ward(proxy, apps, roles, cookie_secret, folder)
    finally:
        if proxy is not None:
            proxy.stop()
        for app in apps:
            app.stop()
        pg.stop(database)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", name="ward")
def ward_fixture(oidc_provider):
    yield from start_ward(oidc_provider)


# -- browsing through the proxy --------------------------------------------------------------------


def sign_in_through(page, base: str, sub: str) -> None:
    """Sign in as ``sub`` (one of the provider's users, or any other subject typed in its form)."""
    page.goto(base + "/")
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("button[name='sub']", timeout=30_000)
    known = page.locator(f"button[name='sub'][value='{sub}']")
    if known.count():
        known.click()
    else:
        page.locator("input[name='sub']").fill(sub)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(base + "/**", timeout=30_000)
    page.wait_for_selector(f"{SIDEBAR} :text('Signed in as')", timeout=30_000)
    wait_idle(page)


def type_into(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def cookie_header(context) -> str:
    """The browser's cookies for the proxy, as a Cookie header (what a thief of them would send)."""
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def signed_cookie(secret: str, name: str, value: str, signed_at: float | None = None) -> str:
    """A cookie value signed as Streamlit signs its sign-in cookies (itsdangerous, the cookie name as salt),
    optionally dated ``signed_at`` (seconds since the epoch) instead of now."""
    from itsdangerous import URLSafeTimedSerializer

    serializer = URLSafeTimedSerializer(secret, salt=name)
    signer = serializer.make_signer(name)
    if signed_at is not None:
        signer.get_timestamp = lambda: int(signed_at)  # type: ignore[method-assign]
    return signer.sign(serializer.dump_payload(value)).decode()


def user_cookie(secret: str, origin: str, claims: dict, signed_at: float | None = None) -> str:
    """``_streamlit_user`` for ``claims`` as Streamlit's /oauth2callback writes it."""
    payload = json.dumps({**claims, "origin": origin, "is_logged_in": True, "provider": "default"})
    return signed_cookie(secret, "_streamlit_user", payload, signed_at)


def decode_user_cookie(secret: str, value: str) -> dict:
    from itsdangerous import URLSafeTimedSerializer

    return json.loads(URLSafeTimedSerializer(secret, salt="_streamlit_user").loads(value))


def raw_session_text(base: str, cookie: str, timeout_s: float = 30) -> str:
    """What the app sends a raw websocket that presents ``cookie`` (no browser): one run of the script, as
    the text of its elements (protobuf text format)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    xsrf = re.search(r"_streamlit_xsrf=([^;]+)", cookie)
    protocols = ["streamlit", xsrf.group(1)] if xsrf else ["streamlit"]
    texts: list[str] = []
    with connect(base.replace("https://", "wss://", 1) + "/_stcore/stream", ssl=no_verify(), subprotocols=protocols,
                 additional_headers={"Cookie": cookie, "Origin": base}, open_timeout=15) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        ws.send(rerun.SerializeToString())
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            message = ForwardMsg()
            message.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = message.WhichOneof("type")
            if kind == "delta":
                texts.append(str(message.delta))
            elif kind == "script_finished":
                break
    return "\n".join(texts)
