"""deploy/: the Kubernetes manifests validate against the Kubernetes schemas (kubernetes-validate,
strict), and the nginx, Kubernetes and sign-in files say what a ward deployment needs (cookie
stickiness, websocket, timeouts, upload size, probes, one cookie_secret, no committed secret).
The running proxy is tested in tests/browser/test_deploy_proxy.py."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
K8S_VERSION = "1.37.0"
NGINX = "\n".join(  # the directives, without comments
    line.split("#", 1)[0]
    for name in ("cobalt.conf", "cobalt-proxy.conf", "cobalt-headers.conf")
    for line in (DEPLOY / "nginx" / name).read_text().splitlines()
)


def upload_limit_mb() -> int:
    return int(tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"])


def need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        msg = f"{module} is not installed: pip install -r requirements-dev.txt"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


def manifests() -> dict[str, dict]:
    need("yaml")
    import yaml

    found = {}
    for path in K8S:
        for doc in yaml.safe_load_all(path.read_text()):
            found[doc["kind"]] = doc
    return found


# -- Kubernetes -----------------------------------------------------------------------------


def test_every_manifest_validates_strictly_against_the_kubernetes_schemas():
    need("kubernetes_validate")
    import kubernetes_validate

    kinds = manifests()
    assert set(kinds) == {"Namespace", "Secret", "Deployment", "Service", "Ingress"}
    for kind, doc in kinds.items():
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)  # raises on any error
        assert doc["metadata"].get("namespace", "cobalt") == "cobalt", kind


def test_the_validator_catches_a_misspelt_field_and_a_wrong_type():
    need("kubernetes_validate")
    import copy

    import kubernetes_validate

    deployment = manifests()["Deployment"]
    misspelt = copy.deepcopy(deployment)
    misspelt["spec"]["replica"] = 3
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "three"
    for bad in (misspelt, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(bad, K8S_VERSION, strict=True)


def test_the_deployment_probes_health_and_mounts_the_one_auth_secret():
    kinds = manifests()
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health", probe
    env = {e["name"]: e for e in container["env"]}
    assert env["COBALT_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "cobalt-auth", "key": "database-url"}
    (mount,) = container["volumeMounts"]
    (volume,) = pod["volumes"]
    assert volume["secret"]["secretName"] == kinds["Secret"]["metadata"]["name"] == "cobalt-auth"
    secrets_path = f"{mount['mountPath']}/{volume['secret']['items'][0]['path']}"
    assert f'"--secrets.files", "{secrets_path}"' in (DEPLOY / "Dockerfile").read_text()
    assert kinds["Deployment"]["spec"]["replicas"] >= 2


def test_the_secret_holds_a_complete_auth_section():
    stored = tomllib.loads(manifests()["Secret"]["stringData"]["secrets.toml"])["auth"]
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(stored)
    assert stored["redirect_uri"].startswith("https://") and stored["redirect_uri"].endswith("/oauth2callback")
    assert stored["client_kwargs"] == {"prompt": "login"}


def test_the_ingress_keeps_a_browser_on_one_replica_by_cookie_with_long_timeouts():
    ingress = manifests()["Ingress"]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(notes["nginx.ingress.kubernetes.io/proxy-body-size"].rstrip("m")) > upload_limit_mb()
    assert ingress["spec"]["tls"][0]["secretName"]
    assert "upstream-hash-by" not in " ".join(notes)  # no hashing on the client address


# -- nginx ---------------------------------------------------------------------------------


def test_nginx_sticks_by_route_cookie_not_by_address():
    assert re.search(r"hash \$cobalt_route consistent;", NGINX)
    assert re.search(r"map \$cookie_cobalt_route \$cobalt_route \{", NGINX)
    assert "ip_hash" not in NGINX and "$remote_addr consistent" not in NGINX
    assert "add_header Set-Cookie $cobalt_route_cookie always;" in NGINX


def test_nginx_passes_websockets_with_long_timeouts_and_takes_uploads():
    assert "proxy_http_version 1.1;" in NGINX
    assert "proxy_set_header Upgrade $http_upgrade;" in NGINX
    assert "proxy_set_header Connection $connection_upgrade;" in NGINX
    assert int(re.search(r"proxy_read_timeout (\d+)s;", NGINX).group(1)) >= 3600
    assert int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1)) > upload_limit_mb()
    assert "location = /_stcore/health" in NGINX
    assert re.search(r"listen 443 ssl", NGINX) and "ssl_certificate " in NGINX and "return 301 https://" in NGINX
    assert "$request_uri" not in NGINX.split("log_format", 1)[1].split(";", 1)[0]  # no query string logged


def test_nginx_sends_the_apps_security_headers_once_on_every_answer_of_its_own():
    """Issue 22, hole 7: nginx's own answers (a redirect, a 403, a 502) carry the headers too, with the
    same values as the app's (ui/security.py); the app's copies are hidden so each is sent once."""
    from ui.security import HEADERS

    added = {name.lower(): (name, value) for name, value in re.findall(r'add_header (\S+) "([^"]*)" always;', NGINX)}
    for name, value in HEADERS:
        assert name.decode() in added and added[name.decode()][1] == value.decode(), name
        assert f"proxy_hide_header {added[name.decode()][0]};" in NGINX, name
    conf = (DEPLOY / "nginx" / "cobalt.conf").read_text()
    assert conf.count("include /etc/nginx/snippets/cobalt-headers.conf;") == 2  # both server blocks
    assert conf.count("server_tokens off;") == 2


def test_nginx_marks_every_cookie_it_passes_secure():
    """Issue 22, hole 7: Streamlit sets its sign-in, session and XSRF cookies without Secure."""
    locations = re.findall(r"location [^{]*\{[^}]*\}", NGINX)
    assert locations and all("proxy_cookie_flags ~ secure;" in block for block in locations if "proxy_pass" in block)
    assert "Secure" in re.search(r'"cobalt_route=[^"]*"', NGINX).group(0)


def test_nginx_logs_neither_query_strings_nor_upload_and_file_ids():
    """Issue 22, hole 6: the access log names no case, session or file; the error log, which names the
    request with its query string, keeps only critical errors."""
    log_format = NGINX.split("log_format", 1)[1].split(";", 1)[0]
    assert "$request_uri" not in log_format and "$request " not in log_format and "$args" not in log_format
    assert "$cobalt_logged_uri" in log_format and "$uri" not in log_format.replace("$cobalt_logged_uri", "")
    assert re.search(r"~\^/_stcore/upload_file/\s+/_stcore/upload_file/-;", NGINX)
    assert re.search(r"~\^/media/\s+/media/-;", NGINX)
    error_logs = re.findall(r"error_log (\S+) (\w+);", NGINX)
    assert len(error_logs) == 2 and {level for _path, level in error_logs} == {"crit"}


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        msg = "nginx is missing: `make test` installs Debian's nginx when run as root"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
         "-days", "1", "-subj", "/CN=cobalt.hospital.example"],
        cwd=tmp_path, check=True, capture_output=True,
    )
    conf = (DEPLOY / "nginx" / "cobalt.conf").read_text()
    conf = conf.replace("/etc/ssl/cobalt/fullchain.pem", str(tmp_path / "cert.pem"))
    conf = conf.replace("/etc/ssl/cobalt/privkey.pem", str(tmp_path / "key.pem"))
    conf = conf.replace("/etc/nginx/snippets/", f"{tmp_path}/").replace("/var/log/nginx/", f"{tmp_path}/")
    for snippet in (DEPLOY / "nginx").glob("cobalt-*.conf"):
        (tmp_path / snippet.name).write_text(snippet.read_text().replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "cobalt.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/cobalt.conf;\n}}\n"
    )
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- sign-in settings ------------------------------------------------------------------------------


def test_the_example_secrets_are_complete_and_hold_no_real_secret():
    auth = tomllib.loads((DEPLOY / "secrets.example.toml").read_text())["auth"]
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(auth)
    assert auth["redirect_uri"].endswith("/oauth2callback") and auth["redirect_uri"].startswith("https://")
    assert auth["server_metadata_url"].endswith("/.well-known/openid-configuration")
    assert auth["client_kwargs"] == {"prompt": "login"}
    assert not re.fullmatch(r"[0-9a-f]{64}", auth["cookie_secret"])  # a placeholder, not a usable secret
    assert "replace" in auth["client_secret"]


def test_no_secrets_file_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert not [f for f in tracked.splitlines() if f.endswith("secrets.toml")]
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text().splitlines()


# -- two database roles (issue 22, hole 4) -------------------------------------------------------------


def test_the_app_connects_as_the_app_role_and_only_the_migration_as_the_owner():
    kinds = manifests()
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    assert init["command"][-4:] == ["store", "migrate", "--app-role", "cobalt_app"]
    (app,) = pod["containers"]
    key = {c["name"]: {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in c["env"] if "valueFrom" in e}
           for c in (init, app)}
    assert key == {"migrate": {"COBALT_DATABASE_URL": "owner-database-url"},
                   "cobalt": {"COBALT_DATABASE_URL": "database-url"}}
    urls = kinds["Secret"]["stringData"]
    assert urls["database-url"].startswith("postgresql://cobalt_app:")
    assert urls["owner-database-url"].startswith("postgresql://cobalt_owner:")
    unit = (DEPLOY / "systemd" / "cobalt@.service").read_text()
    assert "Requires=cobalt-migrate.service" in unit and "cobalt-migrate.service" in unit.split("After=", 1)[1]
    assert "store migrate --app-role cobalt_app" in (DEPLOY / "systemd" / "cobalt-migrate.service").read_text()
    sql = (DEPLOY / "postgresql" / "roles.sql").read_text()
    assert "\\set owner cobalt_owner" in sql and "\\set app cobalt_app" in sql
    assert not re.search(r"CREATE ROLE[^;]*(SUPERUSER|CREATEROLE|BYPASSRLS)", sql, re.I)
