"""The ward deployment, running: Debian's nginx with deploy/nginx/ (TLS with a certificate made
here) in front of two `streamlit run` processes and a throwaway PostgreSQL (migrated by its owner role,
used by the apps as the restricted app role), sign-in through a local OpenID provider, all on 127.0.0.1
and free ports, all stopped at the end (tests/browser/ward.py). The holes of issue 22 are tried on the
same set-up in tests/browser/test_ward_access.py.

Two browsers work through the proxy; each stays on its process across reruns and a reload (nginx's
own log says which process answered every request, by route cookie); a case saved through one
process is read through the other; a file upload succeeds. Under CI=true a missing nginx or
PostgreSQL fails the test instead of skipping it (`make test` installs both when run as root).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import defaultdict

import pytest

from tests.browser.bedside import wait_saved
from tests.browser.conftest import shot, wait_idle
from tests.browser.ward import (
    SIDEBAR,
    _NoRedirect,
    sign_in_through,
    type_into,
)


def test_two_browsers_through_nginx_stay_on_their_processes_and_share_the_database(ward, browser, tmp_path):
    proxy, apps = ward.proxy, ward.apps
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
