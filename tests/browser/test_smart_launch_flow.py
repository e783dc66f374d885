"""The SMART EHR launch in Chromium: the test EHR (tests/smart_server.py, in front of sekmet-fhir) opens
Cobalt, the clinician allows it at the record, and Cobalt lands on the Hospital record page with the
patient's recent results previewed; one click adds them, one click opens TTP or B12? and the leaning
shows. Sign-in is on (as on a ward): the clinician of the launch owns the saved case. The patient's id is
in no address the browser visited, not in the app's log and not in the saved case. Each refusal (the
clinician denies, an iss not configured, an expired launch, a token without a patient) is a clear page
and stores nothing. Through issue 22's gate, the launched session downloads its case (audited as the
launch's clinician) and uploads a file; another browser, launched or not, gets neither, nor the session
by its id; after Sign out a copy of the cookie gets neither."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from store import Actor, Store
from tests.browser.bedside import SIDEBAR, wait_saved
from tests.browser.conftest import Server, _need_browser, shot, wait_idle
from tests.browser.ward import cookie_header, request
from tests.fhir_support import MRN, FhirServer
from tests.smart_server import SmartEHR
from tests.smart_support import PICTURE, load_launch_patient, smart_env


class World:
    def __init__(self, app: Server, ehr: SmartEHR, pid: str):
        self.app, self.ehr, self.pid = app, ehr, pid

    @property
    def database(self) -> Path:
        return self.app.data_dir / "cobalt.sqlite3"

    def cases(self) -> int:
        if not self.database.exists():
            return 0
        with sqlite3.connect(self.database) as db:
            return db.execute("SELECT count(*) FROM cases").fetchone()[0]


@pytest.fixture(scope="module")
def world():
    _need_browser()
    fhir = FhirServer().start()
    data_dir = Path(tempfile.mkdtemp(prefix="cobalt-smart-"))
    app = Server(data_dir)
    ehr = SmartEHR(fhir.base_url, (f"{app.url}/launch/callback",)).start()
    try:
        pid = load_launch_patient(fhir, date.today())
        app.extra_env = {**smart_env(ehr, app.url), "COBALT_REQUIRE_LOGIN": "1"}
        app.start()
        yield World(app, ehr, pid)
    finally:
        if app.proc is not None:
            app.stop()
        ehr.stop()
        fhir.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def _record_addresses(page) -> list[str]:
    """Every address the browser asks for or shows: navigations, requests, websockets."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.on("framenavigated", lambda f: seen.append(f.url))
    page.on("websocket", lambda ws: seen.append(ws.url))
    return seen


def _at_the_record(page, decision: str) -> None:
    """The sign-in at the provider (not one of Cobalt's interactions): the clinician allows or denies."""
    page.wait_for_selector(f"#{decision}", timeout=30_000)
    page.locator(f"#{decision}").click()


def test_smart_launch_to_the_leaning_in_two_clicks_and_no_patient_id_anywhere(world, page):
    seen = _record_addresses(page)
    page.goto(world.ehr.launch_url(world.app.url, world.ehr.new_launch(world.pid)))  # the record opens Cobalt
    _at_the_record(page, "allow")
    page.wait_for_url(re.compile(r".*/record.*"), timeout=30_000)
    page.get_by_text("result(s) found").wait_for(timeout=30_000)
    wait_idle(page)
    page.wait_for_function("() => !window.location.search.includes('smart=')", timeout=10_000)
    main = page.locator("[data-testid='stMain']")
    assert "The patient opened from the record" in main.inner_text()
    sidebar = page.locator(SIDEBAR).inner_text()
    assert "Signed in as" in sidebar and "Dr Meredith Grey" in sidebar
    picks = page.locator("[class*='st-key-ehr_pick_'] input[type='checkbox']")
    assert picks.count() == len(PICTURE)
    shot(page, "smart-launch-preview")

    interactions = 0
    page.locator(".st-key-ehr_add button").click()
    interactions += 1
    page.get_by_text("from the hospital record to the case").wait_for(timeout=30_000)
    wait_idle(page)
    page.locator(SIDEBAR).get_by_role("link", name="TTP or B12?", exact=True).click()
    interactions += 1
    box = page.locator(".st-key-ttp_leaning")
    box.wait_for(timeout=30_000)
    wait_idle(page)
    assert "Leans B12 pseudo-TMA" in box.inner_text()
    assert interactions <= 3
    shot(page, "smart-launch-leaning")
    wait_saved(page)

    tickets = [u for u in seen if "smart=" in u]
    assert tickets, "the hand-over ticket was never in an address"
    assert [u for u in seen + [page.url] if world.pid in u or MRN in u] == []
    owner = Actor(f"smart:{world.ehr.fhir_user('dr.grey')}")
    store = Store.open(f"sqlite:///{world.database}")
    try:
        mine = store.list_cases(actor=owner)
        assert len(mine) == 1
        doc = store.load(mine[0].id, actor=owner).document
    finally:
        store.close()
    imported = [o for o in doc["observations"] if "source" in o]
    assert len(imported) == len(PICTURE) and {o["source"]["server"] for o in imported} == {world.ehr.iss}
    for path in world.app.data_dir.rglob("*"):  # the database (and its WAL) and the app's log
        if path.is_file():
            raw = path.read_bytes()
            assert world.pid.encode() not in raw and MRN.encode() not in raw, path.name
    assert (world.app.data_dir / "server.log").stat().st_size > 0

    again = page.context.new_page()  # the ticket's address opened again: it was spent
    again.goto(tickets[0])
    wait_idle(again)
    assert "already been used" in again.inner_text("body")
    assert "Signed in as" not in again.inner_text("body")
    again.close()


def _refused(world: World, page, start: str, decision: str | None, words: str, name: str) -> None:
    seen = _record_addresses(page)
    before = world.cases()
    response = page.goto(start)
    if decision is None:  # refused before the sign-in: the refusal page is the navigation's answer
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]  # served with the app's headers
        assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"
    else:
        _at_the_record(page, decision)
    page.wait_for_selector("text=Cobalt could not open the record", timeout=30_000)
    body = page.inner_text("body")
    assert words in body and "Nothing was opened or saved." in body
    shot(page, f"smart-refused-{name}")
    assert world.cases() == before
    assert [u for u in seen if world.pid in u] == []


def test_smart_launch_the_clinician_denies(world, page):
    url = world.ehr.launch_url(world.app.url, world.ehr.new_launch(world.pid))
    _refused(world, page, url, "deny", "refused or cancelled", "denied")


def test_smart_launch_from_an_iss_not_configured(world, page):
    before = len(world.ehr.seen)
    url = world.ehr.launch_url(world.app.url, world.ehr.new_launch(world.pid), iss=f"{world.ehr.url}/other-fhir")
    _refused(world, page, url, None, "not one this Cobalt is set up to trust", "wrong-iss")
    assert world.ehr.seen[before:] == []  # nothing was asked of it


def test_smart_launch_expired(world, page):
    url = world.ehr.launch_url(world.app.url, world.ehr.new_launch(world.pid, ttl_s=-1))
    _refused(world, page, url, None, "launch expired", "expired")


def test_smart_launch_token_without_patient(world, page):
    url = world.ehr.launch_url(world.app.url, world.ehr.new_launch(None))
    _refused(world, page, url, "allow", "without a patient in context", "no-patient")


def test_smart_sign_out_ends_the_launched_session(world, page):
    page.goto(world.ehr.launch_url(world.app.url, world.ehr.new_launch(world.pid)))
    _at_the_record(page, "allow")
    page.get_by_text("result(s) found").wait_for(timeout=30_000)
    wait_idle(page)
    page.locator(SIDEBAR).get_by_role("button", name="Sign out").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Signed in as" not in body and "The patient opened from the record" not in body
    assert "result(s) found" not in body
    shot(page, "smart-signed-out")


# -- the launched session through issue 22's gate: its case files, its uploads, its end ---------------------


def _multipart(name: str, text: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n{text}\r\n--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _put(url: str, cookies: str, xsrf: str, text: str) -> int:
    """An upload into ``url`` (a browser session's upload address) with these cookies and XSRF token."""
    body, kind = _multipart("labs.csv", text)
    return request(url, cookie=cookies, method="PUT", data=body,
                   headers={"Content-Type": kind, "X-Xsrftoken": xsrf}).status  # fmt: skip


def _own_xsrf(app_url: str, cookies: str = "") -> tuple[str, str]:
    """A client's own XSRF pair from Streamlit (what anyone can get): the Cookie header with it, and the token."""
    pair = next(c.split(";")[0] for c in request(f"{app_url}/_stcore/health", cookie=cookies or None).all(
        "set-cookie") if c.startswith("_streamlit_xsrf="))  # fmt: skip
    return "; ".join(p for p in (cookies, pair) if p), pair.split("=", 1)[1]


def _run_as(app_url: str, cookies: str, xsrf: str, resume: str, timeout_s: float = 30) -> str:
    """A raw websocket (no browser) presenting ``cookies`` that asks to resume the session ``resume``, as
    Streamlit's client does on a reconnect: the text of one script run's elements (protobuf text format)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    texts: list[str] = []
    with connect(app_url.replace("http://", "ws://", 1) + "/_stcore/stream", subprotocols=["streamlit", xsrf, resume],
                 additional_headers={"Cookie": cookies, "Origin": app_url}, open_timeout=15) as ws:  # fmt: skip
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        ws.send(rerun.SerializeToString())
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            message = ForwardMsg()
            message.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.WhichOneof("type") == "delta":
                texts.append(str(message.delta))
            elif message.WhichOneof("type") == "script_finished":
                break
    return "\n".join(texts)


def _launch_in(page, world: World, login: str = "dr.grey") -> None:
    page.goto(world.ehr.launch_url(world.app.url, world.ehr.new_launch(world.pid)))
    page.wait_for_selector("#allow", timeout=30_000)
    page.select_option("select[name='login']", login)
    page.locator("#allow").click()
    page.get_by_text("result(s) found").wait_for(timeout=30_000)
    wait_idle(page)


def _download_case(page) -> tuple[dict, str]:
    """Download this case (JSON) on the Case page: the document, and the /media/ path it was served from."""
    served: list[str] = []
    page.on("request", lambda r: served.append(urlsplit(r.url).path) if "/media/" in r.url and r.url.endswith(
        ".json") else None)  # fmt: skip
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name="Download this case (JSON)").click()
    document = json.loads(open(got.value.path()).read())
    assert len(set(served)) == 1, served
    return document, served[-1]


def test_smart_session_downloads_and_uploads_through_the_gate_for_its_browser_only_and_not_after_it_ends(
        world, browser, tmp_path):  # fmt: skip
    ann_ctx = browser.new_context(accept_downloads=True)
    eve_ctx = browser.new_context(accept_downloads=True)
    try:
        ann = ann_ctx.new_page()
        puts: list[str] = []
        ann.on("request", lambda r: puts.append(r.url) if r.method == "PUT" and "/upload_file/" in r.url else None)
        _launch_in(ann, world)
        ann.locator(".st-key-ehr_add button").click()
        ann.get_by_text("from the hospital record to the case").wait_for(timeout=30_000)
        wait_saved(ann)
        case_id = re.search(r"[?&]case=([0-9a-f]{32})", ann.url).group(1)
        assert "_streamlit_user" not in {c["name"] for c in ann_ctx.cookies()}  # signed in at the record only

        # the case file: made on the click, served to this browser, audited as the launch's clinician
        ann.locator(SIDEBAR).get_by_role("link", name="Case", exact=True).click()
        wait_idle(ann)
        ann.get_by_text("Open or save a case file (JSON)").click()
        wait_idle(ann)
        document, path = _download_case(ann)
        assert len([o for o in document["observations"] if "source" in o]) == len(PICTURE)
        url = f"{world.app.url}{path}"
        anns = cookie_header(ann_ctx)  # what this browser sends (a thief's copy, later)
        assert request(url, cookie=anns).status == 200  # this browser, within the minute
        # ...and nobody else: no cookie; a signed-out client with its own XSRF pair; another launched browser
        assert request(url).status == 403
        assert request(url, cookie=_own_xsrf(world.app.url)[0]).status == 403
        _launch_in(eve_ctx.new_page(), world, login="dr.yang")
        eves = cookie_header(eve_ctx)
        assert "cobalt_smart=" in eves and eves != anns
        assert request(url, cookie=eves).status == 403
        shot(ann, "smart-gate-download")

        # an upload into the launched session: accepted from this browser
        ann.locator(SIDEBAR).get_by_role("link", name="Case library", exact=True).click()
        wait_idle(ann)
        ann.get_by_role("tab", name="Lab files in and out").click()
        labs = tmp_path / "labs.csv"
        labs.write_text(f"date,analyte,value,unit\n{date.today() - timedelta(days=1)},platelets,118,10^9/L\n")
        ann.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(labs))
        ann.wait_for_selector("text=1 result(s) ready to add", timeout=30_000)
        (target,) = puts
        hostile = f"date,analyte,value,unit\n{date.today() - timedelta(days=1)},platelets,5,10^9/L\n"
        assert _put(target, *_own_xsrf(world.app.url), hostile) == 403  # signed out, its own XSRF pair
        assert _put(target, *_own_xsrf(world.app.url, eves), hostile) == 403  # another launched browser
        ann.get_by_role("button", name="Add 1 result(s) to the case").click()
        ann.wait_for_selector("text=Added 1 result(s) to the case.", timeout=30_000)
        wait_saved(ann)
        shot(ann, "smart-gate-upload")

        # the session itself: another client that knows its id (it is in upload addresses) and asks to resume
        # it gets a session of its own, signed out; the launched session goes on in its browser
        session = urlsplit(target).path.split("/")[3]
        taken = _run_as(world.app.url, *_own_xsrf(world.app.url), resume=session)
        assert "Signed in as" not in taken and "Meredith Grey" not in taken and "has ended" not in taken
        taken = _run_as(world.app.url, *_own_xsrf(world.app.url, eves), resume=session)  # launched elsewhere
        assert "Signed in as" not in taken and "Meredith Grey" not in taken

        # a second case file, then the launch ends (Sign out in another tab of this browser): the file, the
        # upload address and the session's next run are refused, also to a copy of the cookie from before
        ann.locator(SIDEBAR).get_by_role("link", name="Case", exact=True).click()
        wait_idle(ann)
        ann.get_by_text("Open or save a case file (JSON)").click()
        wait_idle(ann)
        _second, path2 = _download_case(ann)
        url2 = f"{world.app.url}{path2}"
        anns = cookie_header(ann_ctx)
        assert request(url2, cookie=anns).status == 200
        tab = ann_ctx.new_page()
        tab.goto(f"{world.app.url}/auth/logout")  # what Sign out does (st.logout)
        wait_idle(tab)
        assert "cobalt_smart" not in {c["name"] for c in ann_ctx.cookies()}  # taken out of the browser
        shot(tab, "smart-gate-signed-out")
        assert "You signed out" in tab.inner_text("body")
        assert request(url2, cookie=anns).status == 403  # the file still held, refused to the copied cookie
        xsrf = re.search(r"_streamlit_xsrf=([^;]+)", anns).group(1)
        assert _put(target, anns, xsrf, hostile) == 403
        ann.get_by_role("link", name="Case library").first.click()  # the launched session's next run
        ann.get_by_text("has ended").first.wait_for(timeout=30_000)
        assert "Signed in as" not in ann.inner_text("body")
        shot(ann, "smart-gate-ended")
    finally:
        ann_ctx.close()
        eve_ctx.close()

    owner = Actor(f"smart:{world.ehr.fhir_user('dr.grey')}")
    store = Store.open(f"sqlite:///{world.database}")
    try:
        trail = [(e.action, e.detail, e.actor) for e in store.audit(case_id, actor=owner)]
        saved = store.load(case_id, actor=owner).document
    finally:
        store.close()
    assert trail.count(("export", "case-json", owner.subject)) == 2  # the two clicks; the fetches made no file
    platelets = sorted(o["value"] for o in saved["observations"] if o["analyte"] == "platelets")
    assert 118 in platelets and 5 not in platelets
