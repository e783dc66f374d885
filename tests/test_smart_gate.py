"""A session opened from the record (SMART launch) through issue 22's gate, without a browser: its sign-in
(ehr/smart_signins.py), the gate's case files, uploads, sign-out and session resumption (ui/gate.py, driven
as ASGI as tests/test_access.py does), the downloads made on the click (ui/downloads.py) and the app's runs
(ui/launch.py, ui/auth.py; AppTest). The same in Chromium: tests/browser/test_smart_launch_flow.py."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_
from streamlit.testing.v1 import AppTest

import ehr.smart_signins as smart_signins
import ui.gate as gate
from ehr.smart_signins import LaunchSignIns, launch_ends_at, launch_sign_in_id
from ehr.smart_store import HANDOVERS, browser_hash
from ehr.smart_token import LaunchContext
from store import Actor
from tests.test_access import ADA, NOW, SECRET, Clock, ExportStore, FakeStore, _call, _file, _streamlit_cookies
from ui.downloads import Grants, make_on_click
from ui.signins import SignIns

ANN = "a" * 43  # a browser's cobalt_smart cookie (random, URL-safe, as /launch sets it)
EVE = "e" * 43  # another browser's
HOUR = 3600.0


class Clocked(Clock):
    def __init__(self, now: float = NOW):
        self.now = now


# -- the launch's sign-in ------------------------------------------------------------------------------


def test_a_launch_is_named_by_its_browser_and_a_random_id_never_the_patient_or_the_token():
    one, two = launch_sign_in_id(browser_hash(ANN), "n1"), launch_sign_in_id(browser_hash(ANN), "n2")
    assert re.fullmatch(r"[0-9a-f]{64}", one) and one != two  # the next launch in that browser is another
    assert one != launch_sign_in_id(browser_hash(EVE), "n1") and ANN not in one
    held = LaunchSignIns(clock=Clocked())
    a, b = held.add("s1", browser_hash(ANN), NOW + HOUR), held.add("s2", browser_hash(ANN), NOW + HOUR)
    assert a.sign_in != b.sign_in and "s1" not in repr(a) and browser_hash(ANN) not in repr(a)


def test_a_launch_ends_when_the_records_access_token_expires_else_the_id_token_and_never_after_a_shift():
    claims = {"iat": NOW, "exp": NOW + 300}
    assert launch_ends_at(NOW + HOUR, claims, None) == NOW + HOUR  # the access token's expiry
    assert launch_ends_at(None, claims, None) == NOW + 300  # a record that gives no expires_in: the ID token's
    assert launch_ends_at(NOW + 20 * HOUR, claims, 12.0) == NOW + 12 * HOUR  # a shift caps it
    assert launch_ends_at(NOW + HOUR, claims, 12.0) == NOW + HOUR  # ...and never lengthens it
    assert launch_ends_at(NOW + HOUR, {"auth_time": NOW - 11.5 * HOUR}, 12.0) == NOW + 0.5 * HOUR
    assert launch_ends_at(None, {}, None) is None  # nothing says: refused
    assert launch_ends_at(NOW + HOUR, {"exp": NOW + 300}, 12.0) is None  # a shift and no time of sign-in
    assert launch_ends_at(None, {"exp": "tomorrow", "iat": NOW}, None) is None
    assert launch_ends_at(None, {"exp": True}, None) is None


def test_a_launch_holds_until_its_end_on_both_sides_of_the_boundary():
    clock = Clocked()
    held = LaunchSignIns(clock=clock)
    entry = held.add("s1", browser_hash(ANN), NOW + HOUR)
    clock.now = NOW + HOUR - 0.01
    assert held.state(entry) == "valid"
    clock.now = NOW + HOUR
    assert held.state(entry) == "expired"
    assert held.state(entry, now=NOW + HOUR + 1) == "expired" and held.state(None) == "ended"


@given(st_.floats(min_value=0, max_value=1e6), st_.floats(min_value=0, max_value=1e6))
def test_once_over_a_launch_stays_over(life, later):
    held = LaunchSignIns(clock=Clocked())
    entry = held.add("s1", browser_hash(ANN), NOW + life)
    assert held.state(entry, now=NOW + life + later) == "expired"


def test_sign_out_ends_every_launch_of_that_browser_and_no_other():
    held = LaunchSignIns(clock=Clocked())
    ann1, ann2 = held.add("s1", browser_hash(ANN), NOW + HOUR), held.add("s2", browser_hash(ANN), NOW + HOUR)
    eve = held.add("s3", browser_hash(EVE), NOW + HOUR)
    assert {e.session for e in held.end_browser(browser_hash(ANN))} == {"s1", "s2"}
    assert held.state(ann1) == held.state(ann2) == "ended" and held.state(eve) == "valid"
    assert held.end_browser(browser_hash(ANN)) == [] and held.end_browser(None) == []


def test_a_session_holds_one_launch_and_the_store_of_launches_is_bounded():
    held = LaunchSignIns(max_entries=3, clock=Clocked())
    first = held.add("s1", browser_hash(ANN), NOW + HOUR)
    again = held.add("s1", browser_hash(ANN), NOW + HOUR)  # a second launch redeemed in the same session
    assert held.state(first) == "ended" and held.state(again) == "valid" and held.of_session("s1") is again
    for i in range(2, 6):
        held.add(f"s{i}", browser_hash(EVE), NOW + HOUR)
    assert len(held) == 3 and held.state(again) == "ended"  # the oldest went first: refused from then on
    with pytest.raises(ValueError):
        held.add("", browser_hash(ANN), NOW + HOUR)


# -- the gate ---------------------------------------------------------------------------------------------


class World:
    """The gate with its Streamlit runtime replaced: files, connected sessions, launches and grants."""

    def __init__(self, monkeypatch):
        self.clock = Clocked()
        self.launches = LaunchSignIns(clock=self.clock)
        self.files: dict[str, object] = {}
        self.connected: set[str] = set()
        self.grants = Grants()
        self.records = SignIns(lambda: FakeStore(), Clock())
        monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")
        monkeypatch.delenv("COBALT_SIGN_IN_HOURS", raising=False)
        monkeypatch.setattr(gate, "_secret", lambda: SECRET)
        monkeypatch.setattr(gate, "media_file", self.files.get)
        monkeypatch.setattr(gate, "session_claims", lambda session: None)  # no session has a sign-in cookie
        monkeypatch.setattr(gate, "session_active", self.connected.__contains__)
        monkeypatch.setattr(smart_signins, "_SIGN_INS", self.launches)
        monkeypatch.setattr("ui.downloads._GRANTS", self.grants)
        monkeypatch.setattr("ui.signins._RECORDS", self.records)
        monkeypatch.setattr(time, "time", lambda: NOW)
        self.app = gate.AccessGate(None)

    def launch(self, session: str, cookie: str, life: float = HOUR):
        self.connected.add(session)
        return self.launches.add(session, browser_hash(cookie), NOW + life)

    def case_file(self, name: str, content: bytes, made_for) -> str:
        self.files[name] = _file("downloadable", content)
        self.grants.grant(hashlib.sha256(content).hexdigest(), made_for.sign_in)
        return f"/media/{name}.json"


@pytest.fixture
def world(monkeypatch) -> World:
    return World(monkeypatch)


def _smart(cookie: str, **more: str) -> dict[str, str]:
    return {"cobalt_smart": cookie, "_streamlit_xsrf": "2|a|b|1", **more}


def test_smart_case_file_is_served_to_the_launching_browser_only(world):
    anns = world.launch("s1", ANN)
    world.launch("s2", EVE)  # another clinician's browser, with a live launch of its own
    path = world.case_file("f1", b'{"label": "Bed 7"}', anns)
    assert _call(world.app, path, _smart(ANN)).reached is not None
    assert _call(world.app, path, _smart(EVE)).status == 403  # another browser's live launch
    assert _call(world.app, path).status == 403  # no cookie at all
    assert _call(world.app, path, {"_streamlit_xsrf": "2|a|b|1"}).status == 403
    assert _call(world.app, path, _smart("z" * 43)).status == 403  # a cookie bound to no launch
    assert _call(world.app, path, _streamlit_cookies(ADA)).status == 403  # signed in with a cookie, not granted
    assert _call(world.app, path, {**_streamlit_cookies(ADA), "cobalt_smart": EVE}).status == 403


def test_smart_case_file_only_while_the_launch_holds_on_both_sides_of_its_end(world):
    anns = world.launch("s1", ANN, life=HOUR)
    path = world.case_file("f1", b"{}", anns)
    world.clock.now = NOW + HOUR - 0.01
    assert _call(world.app, path, _smart(ANN)).reached is not None
    world.clock.now = NOW + HOUR  # the record's access token has expired
    assert _call(world.app, path, _smart(ANN)).status == 403


def test_smart_case_file_is_refused_once_its_session_is_gone_or_signed_out(world):
    anns = world.launch("s1", ANN)
    path = world.case_file("f1", b"{}", anns)
    world.connected.discard("s1")  # a reload: the launched session is no longer connected
    assert _call(world.app, path, _smart(ANN)).status == 403
    world.connected.add("s1")
    assert _call(world.app, path, _smart(ANN)).reached is not None
    _call(world.app, "/auth/logout", _smart(ANN))
    assert _call(world.app, path, _smart(ANN)).status == 403


def test_smart_cookie_bound_to_no_live_launch_is_signed_out_for_other_files(world):
    from streamlit.runtime.media_file_storage import MediaFileKind

    world.files["page"] = _file(MediaFileKind.MEDIA.value, b"<html>", "text/html")
    world.files["icon"] = _file(MediaFileKind.MEDIA.value, b"png", "image/png")
    assert _call(world.app, "/media/page.html", _smart(ANN)).status == 403  # no launch for it: signed out
    world.launch("s1", ANN)
    assert _call(world.app, "/media/page.html", _smart(ANN)).reached is not None
    assert _call(world.app, "/media/icon.png").reached is not None  # the page icon, as before


def test_smart_upload_only_from_the_launching_browser_into_its_own_session(world):
    world.launch("s1", ANN)
    world.launch("s2", EVE)
    mine, theirs = "/_stcore/upload_file/s1/file9", "/_stcore/upload_file/s2/file9"
    assert _call(world.app, mine, _smart(ANN)).reached is not None
    assert _call(world.app, mine, _smart(EVE)).status == 403  # Eve's cookie into Ann's session
    assert _call(world.app, theirs, _smart(ANN)).status == 403  # Ann's cookie into Eve's session
    assert _call(world.app, mine, {"_streamlit_xsrf": "2|a|b|1"}).status == 403  # signed out, own XSRF pair
    assert _call(world.app, mine, _streamlit_cookies(ADA)).status == 403  # a sign-in cookie is not the launch
    assert _call(world.app, "/_stcore/upload_file/nobody/file9", _smart(ANN)).status == 403


def test_smart_upload_is_refused_once_the_launch_ends(world):
    world.launch("s1", ANN, life=HOUR)
    path = "/_stcore/upload_file/s1/file9"
    world.clock.now = NOW + HOUR
    assert _call(world.app, path, _smart(ANN)).status == 403  # expired
    world.clock.now = NOW
    world.connected.discard("s1")
    assert _call(world.app, path, _smart(ANN)).status == 403  # its session is gone
    world.connected.add("s1")
    assert _call(world.app, path, _smart(ANN)).reached is not None
    answer = _call(world.app, "/auth/logout", _smart(ANN))
    assert answer.reached is not None  # Streamlit's sign-out goes on
    assert _call(world.app, path, _smart(ANN)).status == 403


def test_smart_sign_out_ends_that_browsers_launches_deletes_the_cookie_and_says_so(world):
    anns = world.launch("s1", ANN)
    eves = world.launch("s2", EVE)
    said = _call(world.app, "/auth/logout", _smart(ANN)).cookies_set()
    assert "cobalt_smart=; Max-Age=0; Path=/; HttpOnly; SameSite=lax" in said
    assert any(c.startswith("cobalt_sign_in=ended;") for c in said)
    assert world.launches.state(anns) == "ended" and world.launches.state(eves) == "valid"
    again = _call(world.app, "/auth/logout", _smart(ANN)).cookies_set()  # nothing live left: nothing to say
    assert not [c for c in again if c.startswith("cobalt_sign_in=")] and any(c.startswith("cobalt_smart=;")
                                                                            for c in again)  # fmt: skip
    assert not _call(world.app, "/auth/logout").cookies_set()  # no launch cookie: as before


def _resumes(world: World, session: str, cookies: dict[str, str] | None) -> str:
    protocol = (b"sec-websocket-protocol", f"streamlit, 2|a|b|1, {session}".encode())
    seen = _call(world.app, "/_stcore/stream", cookies, kind="websocket", extra=[protocol]).reached
    return dict(seen["headers"])[b"sec-websocket-protocol"].decode()


def test_smart_session_is_resumed_only_from_the_browser_that_launched_it(world):
    world.launch("s1", ANN)
    assert _resumes(world, "s1", _smart(ANN)) == "streamlit, 2|a|b|1, s1"  # a reconnect of its own browser
    assert _resumes(world, "s1", _smart(EVE)) == "streamlit, 2|a|b|1"  # another browser: a new session
    assert _resumes(world, "s1", None) == "streamlit, 2|a|b|1"
    assert _resumes(world, "s1", _streamlit_cookies(ADA)) == "streamlit, 2|a|b|1"
    assert _resumes(world, "other", None) == "streamlit, 2|a|b|1, other"  # not a launched session: Streamlit's


@settings(max_examples=60, deadline=None)
@given(st_.lists(st_.tuples(st_.integers(0, 2), st_.sampled_from(["live", "expired", "signed out", "gone"])),
                 min_size=1, max_size=5))
def test_smart_no_browser_reaches_another_sessions_files_or_uploads(launches):
    """Every launched session, of one of three browsers, live or ended one way or another: a browser's cookie
    opens a session's upload address and its case file exactly when that session is its own live launch."""
    cookies = [c * 43 for c in "xyz"]
    with pytest.MonkeyPatch.context() as monkeypatch:
        world = World(monkeypatch)
        owners = {}
        for i, (who, fate) in enumerate(launches):
            session = f"s{i}"
            entry = world.launch(session, cookies[who], life=1.0 if fate == "expired" else HOUR)
            world.case_file(f"f{i}", f"case {i}".encode(), entry)
            owners[session] = (who, fate)
        world.clock.now = NOW + 2.0  # the short ones have expired
        for i, (who, fate) in enumerate(launches):
            if fate == "signed out":
                world.launches.end_browser(browser_hash(cookies[who]))
            elif fate == "gone":
                world.connected.discard(f"s{i}")
        signed_out = {who for who, fate in launches if fate == "signed out"}
        for session, (who, fate) in owners.items():
            for browser, cookie in enumerate(cookies):
                expected = browser == who and fate == "live" and who not in signed_out
                upload = _call(world.app, f"/_stcore/upload_file/{session}/f", _smart(cookie)).reached is not None
                served = _call(world.app, f"/media/f{session[1:]}.json", _smart(cookie)).reached is not None
                assert upload == expected and served == expected, (session, browser, fate)


# -- downloads --------------------------------------------------------------------------------------------


def test_smart_download_is_made_on_the_click_audited_as_the_launchs_clinician_and_granted_to_it(world):
    anns = world.launch("s1", ANN)
    store = ExportStore()
    owner = Actor("smart:Practitioner/x")
    build = make_on_click(lambda: '{"label": "Bed 7"}', "case-json", (owner, anns, store, "c" * 32))
    assert store.rows == []
    data = build()
    assert store.rows == [("c" * 32, "case-json", "smart:Practitioner/x")]
    digest = hashlib.sha256(data).hexdigest()
    assert world.grants.allowed(digest, anns.sign_in)
    assert not world.grants.allowed(digest, launch_sign_in_id(browser_hash(EVE), "x"))


def test_smart_download_after_the_launch_ends_gives_no_file_and_no_row(world):
    anns = world.launch("s1", ANN, life=HOUR)
    store = ExportStore()
    build = make_on_click(lambda: "x", "case-json", (Actor("smart:Practitioner/x"), anns, store, "c" * 32))
    world.clock.now = NOW + HOUR
    with pytest.raises(PermissionError):
        build()
    world.clock.now = NOW
    world.launches.end_browser(browser_hash(ANN))
    with pytest.raises(PermissionError):
        build()
    assert store.rows == []


# -- the app's runs (AppTest): a launch redeemed with its ticket, as the browser's first run does --------

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _context(expires_in: float = HOUR) -> LaunchContext:
    claims = {"sub": "grey", "name": "Dr Meredith Grey", "iat": time.time(), "exp": time.time() + 300}
    return LaunchContext("https://ehr.example/fhir", "p-17", "tok", "https://ehr.example/fhir/Practitioner/pg",
                         claims, time.time() + expires_in, "launch openid fhirUser")  # fmt: skip


@pytest.fixture
def redeemed(monkeypatch):
    """Sign-in on, no identity provider of Cobalt's own (a deployment opened from the record only)."""
    monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")
    monkeypatch.delenv("COBALT_SIGN_IN_HOURS", raising=False)
    monkeypatch.setattr("ui.launch.browser_cookie", lambda: ANN)
    held = LaunchSignIns()
    monkeypatch.setattr(smart_signins, "_SIGN_INS", held)

    def run(context: LaunchContext) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["smart"] = HANDOVERS.put(context, browser_hash(ANN))
        return at.run()

    return run, held


def _said(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.warning, *at.error, *at.markdown, *at.title])


def test_smart_launch_signs_in_until_its_access_expires_then_the_session_forgets_it(redeemed):
    run, held = redeemed
    at = run(_context())
    assert [e.message for e in at.exception] == []
    assert "Signed in as `Dr Meredith Grey`" in " ".join(c.value for c in at.sidebar.caption)
    (entry,) = held.of_browser(browser_hash(ANN))
    assert entry.ends_at == pytest.approx(time.time() + HOUR, abs=60)  # the access token's, not the ID token's
    held.clock = lambda: entry.ends_at  # the record's access token expires
    at.run()
    assert "Signed in as" not in " ".join(c.value for c in at.sidebar.caption)
    assert "The record's permission for this session has ended" in _said(at)
    assert "ehr_smart" not in at.session_state and "ehr_smart_sign_in" not in at.session_state


def test_smart_sign_out_elsewhere_in_the_browser_ends_the_session_on_its_next_run(redeemed):
    run, held = redeemed
    at = run(_context())
    assert "Signed in as" in " ".join(c.value for c in at.sidebar.caption)
    held.end_browser(browser_hash(ANN))  # Sign out in another tab of this browser
    at.run()
    assert "Signed in as" not in " ".join(c.value for c in at.sidebar.caption)
    assert "The session opened from the hospital record has ended" in _said(at)
    assert "Sign-in is required here" not in _said(at)  # not the "no identity provider" error


def test_smart_launch_that_names_no_end_is_refused(redeemed):
    run, _held = redeemed
    context = _context()
    endless = LaunchContext(context.iss, context.patient, context.access_token, context.fhir_user, {"sub": "g"},
                            None, context.scope)  # fmt: skip
    at = run(endless)
    assert "did not say how long its permission lasts" in _said(at)
    assert "Signed in as" not in " ".join(c.value for c in at.sidebar.caption)


def test_smart_browser_whose_launch_is_gone_is_told_to_open_cobalt_again(redeemed):
    run, _held = redeemed
    at = AppTest.from_file(APP, default_timeout=60).run()  # a reload: the launch's cookie, no launch here
    assert "The session opened from the hospital record has ended" in _said(at)
    assert "Open Cobalt again from the patient's record" in _said(at)


def test_smart_another_tab_of_a_launched_browser_is_told_where_the_patient_is(redeemed):
    run, _held = redeemed
    launched = run(_context())
    assert "Signed in as" in " ".join(c.value for c in launched.sidebar.caption)
    tab = AppTest.from_file(APP, default_timeout=60).run()  # the same browser (its cookie), a new tab at Cobalt
    assert "This tab was not opened from the hospital record" in _said(tab)
    assert "Signed in as" not in " ".join(c.value for c in tab.sidebar.caption)
