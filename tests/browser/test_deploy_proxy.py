"""The ward deployment, running: Debian's nginx with deploy/nginx/ (TLS with a certificate made
here) in front of two `streamlit run` processes and a throwaway PostgreSQL, sign-in through a local
OpenID provider, all on 127.0.0.1 and free ports, all stopped at the end.

Two browsers work through the proxy; each stays on its process across reruns and a reload (nginx's
own log says which process answered every request, by route cookie); a case saved through one
process is read through the other; a file upload succeeds. Under CI=true a missing nginx or
PostgreSQL fails the test instead of skipping it (`make test` installs both when run as root).
"""

from __future__ import annotations

import importlib.util
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
from collections import defaultdict
from pathlib import Path

import pytest

from tests.browser.bedside import wait_saved
from tests.browser.conftest import (
    ROOT,
    Server,
    _free_port,
    need_sign_in_packages,
    shot,
    wait_idle,
    write_secrets,
)

DEPLOY = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SIDEBAR = "[data-testid='stSidebar']"
LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) \S+" (?P<status>\d+) \d+ route=(?P<route>\S+) upstream=(?P<up>\S+)'
)


def _unavailable(msg: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (CI=true: the deployment test must run)", pytrace=False)
    pytest.skip(msg)


def _pg_script():
    spec = importlib.util.spec_from_file_location("cobalt_pg_deploy", ROOT / "scripts" / "pg-test-server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cobalt_pg_deploy", module)
    spec.loader.exec_module(module)
    return module


def _no_verify() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return ctx


def _get(url: str, cookie: str | None = None) -> tuple[int, dict, str]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10, context=_no_verify()) as r:
        return r.status, dict(r.headers), r.read().decode(errors="replace")


class Proxy:
    """Debian's nginx with deploy/nginx/cobalt.conf and cobalt-proxy.conf, made to listen on 127.0.0.1."""

    def __init__(self, folder: Path, upstream_ports: list[int], https_port: int):
        self.folder = folder
        self.http_port, self.https_port = _free_port(), https_port
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.access_log = folder / "cobalt.access.log"
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
            (r"/etc/nginx/snippets/cobalt-proxy\.conf", str(folder / "cobalt-proxy.conf")),
        ]
        for pattern, replacement in edits:  # each edit must find its line: the files keep their shape
            conf, n = re.subn(pattern, replacement, conf)
            assert n >= 1, f"deploy/nginx/cobalt.conf no longer has {pattern!r}"
        proxy = (DEPLOY / "cobalt-proxy.conf").read_text()
        assert "/var/log/nginx/cobalt.access.log" in proxy
        (folder / "cobalt-proxy.conf").write_text(proxy.replace("/var/log/nginx/", f"{folder}/"))
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
                if _get(f"{self.url}/_stcore/health")[2].strip() == "ok":
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def log(self) -> list[dict]:
        return [m.groupdict() for m in map(LOG_LINE.search, self.access_log.read_text().splitlines()) if m]

    def route_on(self, port: int) -> str:
        """A route cookie value that the hash puts on the process at ``port`` (probed through nginx)."""
        for i in range(64):
            key = f"probe{i:02d}"
            _get(f"{self.url}/", cookie=f"cobalt_route={key}")
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


@pytest.fixture
def ward(oidc_provider):
    """PostgreSQL, two app processes (same secrets), nginx in front; everything stopped afterwards."""
    need_sign_in_packages()
    if not Path(NGINX).exists():
        _unavailable("nginx is missing: `make test` installs Debian's nginx when run as root")
    folder = Path(tempfile.mkdtemp(prefix="cobalt-ward-"))
    folder.chmod(0o755)
    pg = _pg_script()
    try:
        database = pg.start()
    except Exception as exc:  # noqa: BLE001 - the reason of the skip (or, under CI=true, of the failure)
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"PostgreSQL test server unavailable: {exc}")
    apps: list[Server] = []
    proxy = None
    try:
        apps = [Server(folder / f"app{i}") for i in range(2)]
        for app in apps:
            app.data_dir.mkdir()
        # one secrets file for both processes (the same cookie_secret); redirect_uri is the proxy's address
        https_port = _free_port()
        secrets_file = write_secrets(
            folder / "secrets.toml", f"https://127.0.0.1:{https_port}/oauth2callback", oidc_provider,
            secrets.token_hex(32),
        )
        for app in apps:
            app.extra_env = {"COBALT_DATABASE_URL": database.url}  # PostgreSQL: sign-in is on by itself
            app.extra_args = ["--secrets.files", str(secrets_file)]
            app.start()
        proxy = Proxy(folder, [a.port for a in apps], https_port)
        yield proxy, apps, database
    finally:
        if proxy is not None:
            proxy.stop()
        for app in apps:
            app.stop()
        pg.stop(database)
        shutil.rmtree(folder, ignore_errors=True)


def sign_in_through(page, base: str, sub: str) -> None:
    page.goto(base + "/")
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("button[name='sub']", timeout=30_000)
    page.locator(f"button[name='sub'][value='{sub}']").click()
    page.wait_for_url(base + "/**", timeout=30_000)
    page.wait_for_selector(f"{SIDEBAR} :text('Signed in as')", timeout=30_000)
    wait_idle(page)


def type_into(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def test_two_browsers_through_nginx_stay_on_their_processes_and_share_the_database(ward, browser, tmp_path):
    proxy, apps, _database = ward
    base = proxy.url
    # plain HTTP is sent to HTTPS
    with pytest.raises(urllib.error.HTTPError) as moved:
        urllib.request.build_opener(_NoRedirect).open(f"http://127.0.0.1:{proxy.http_port}/library", timeout=10)
    assert moved.value.code == 301 and moved.value.headers["Location"].startswith("https://")

    first = browser.new_context(ignore_https_errors=True)  # gets its route cookie from nginx
    second = browser.new_context(ignore_https_errors=True)
    try:
        a, b = first.new_page(), second.new_page()
        sign_in_through(a, base, "dr.ada")
        (route_a,) = [c["value"] for c in first.cookies() if c["name"] == "cobalt_route"]
        port_a = next(e["up"] for e in proxy.log() if e["route"] == route_a).rsplit(":", 1)[1]
        other = next(app.port for app in apps if str(app.port) != port_a)
        # the second browser is the same clinician at another workstation, routed to the other process
        second.add_cookies([{"name": "cobalt_route", "value": proxy.route_on(other), "url": base}])
        route_b = next(c["value"] for c in second.cookies() if c["name"] == "cobalt_route")

        type_into(a, "case_label", "Proxy bed 5")  # reruns, each an autosave
        type_into(a, "case_lab_platelets", "44")
        type_into(a, "case_lab_b12", "90")
        wait_saved(a)
        a.reload()  # a reload: a new websocket, still the same process
        wait_idle(a)
        assert "Signed in as ada@ward.example" in a.locator(SIDEBAR).inner_text()

        sign_in_through(b, base, "dr.ada")
        b.get_by_role("link", name="Case library").click()
        wait_idle(b)
        assert b.locator(".st-key-lib_pick input").input_value().startswith("Proxy bed 5")  # saved via A's process
        b.locator(".st-key-lib_open button").click()
        wait_idle(b)
        assert b.locator(".st-key-case_lab_platelets input").input_value() == "44"
        b.get_by_role("link", name="Case library").click()
        wait_idle(b)
        b.get_by_role("tab", name="Lab files in and out").click()
        labs = tmp_path / "labs.csv"
        labs.write_text("date,analyte,value,unit\n2026-11-12,platelets,118,10^9/L\n")
        b.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(labs))
        b.wait_for_selector("text=1 result(s) ready to add", timeout=30_000)
        b.get_by_role("button", name="Add 1 result(s) to the case").click()
        b.wait_for_selector("text=Added 1 result(s) to the case.", timeout=30_000)  # after the rerun, even under load
        assert "Added 1 result(s) to the case." in b.inner_text("body")
        shot(b, "deploy-upload-through-proxy")
    finally:
        first.close()
        second.close()

    def websockets(route: str) -> int:  # nginx logs a websocket when it closes
        return sum(e["path"] == "/_stcore/stream" and e["status"] == "101" and e["route"] == route for e in proxy.log())

    deadline = time.monotonic() + 15
    while min(websockets(route_a), websockets(route_b)) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    entries = proxy.log()
    by_route: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        by_route[e["route"]].add(e["up"])
    assert by_route[route_a] == {f"127.0.0.1:{port_a}"}, by_route[route_a]  # every request of A: one process
    assert by_route[route_b] == {f"127.0.0.1:{other}"}, by_route[route_b]
    for route in (route_a, route_b):
        mine = [e for e in entries if e["route"] == route]
        assert sum(e["path"] == "/_stcore/stream" and e["status"] == "101" for e in mine) >= 2  # websockets
        assert any(e["path"] == "/oauth2callback" for e in mine)  # sign-in came back to the same process
    assert sum(e["path"] == "/" and e["route"] == route_a for e in entries) >= 2  # the reload
    uploads = [e for e in entries if e["path"].startswith("/_stcore/upload_file") and e["route"] == route_b]
    assert uploads and all(e["status"] in {"200", "204"} for e in uploads)
    assert not any("?" in e["path"] for e in entries)  # no query string (case id, sign-in code) in the log


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
