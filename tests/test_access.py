"""Issue 22 without a browser: the sign-in rules (ui/signins.py), the gate around Streamlit's endpoints
(ui/gate.py, driven as ASGI), downloads made on the click (ui/downloads.py) and the reconnect check
(ui/resume.py). The same holes are tried end to end on the ward set-up in tests/browser/test_ward_access.py."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import time
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st_

import ui.gate as gate
import ui.signins as signins
from store import Actor
from ui.downloads import GRANT_S, Grants, make_on_click
from ui.resume import asked_to_resume
from ui.signins import (
    DEFAULT_HOURS,
    ID_TOKEN,
    SignIns,
    SignInState,
    cookie_max_age,
    ends_at,
    expired,
    read_user_cookie,
    sign_in_id,
    sign_in_limit,
)

SECRET = "0123456789abcdef" * 4
NOW = 1_800_000_000.0
ADA = {"is_logged_in": True, "provider": "default", "sub": "dr.ada", "iat": NOW - 60, "exp": NOW + 3540,
       "nonce": "n1", "email": "ada@ward.example"}
BOB = {**ADA, "sub": "dr.bob", "nonce": "n2", "email": "bob@ward.example"}


# -- the rules ---------------------------------------------------------------------------------------


def test_a_sign_in_is_named_by_its_identity_claims_only():
    assert sign_in_id(ADA) == sign_in_id({**ADA, "email": "changed@ward.example", "origin": "https://x"})
    assert sign_in_id(ADA) == sign_in_id({k: v for k, v in ADA.items() if k != "provider"})  # default provider
    assert sign_in_id(ADA) != sign_in_id(BOB)
    assert sign_in_id(ADA) != sign_in_id({**ADA, "iat": ADA["iat"] + 1, "nonce": "n3"})  # the next sign-in
    assert len(sign_in_id(ADA)) == 64 and "dr.ada" not in sign_in_id(ADA)


@pytest.mark.parametrize(
    ("value", "limit"),
    [(None, ID_TOKEN), ("", ID_TOKEN), ("shift", DEFAULT_HOURS), (" Shift ", DEFAULT_HOURS), ("12", 12.0), (" 8 ", 8.0),
     ("0.5", 0.5), ("720", 720.0),
     ("id-token", ID_TOKEN), (" ID-Token ", ID_TOKEN)],
)
def test_the_sign_in_limit_is_hours_or_the_id_token(value, limit):
    env = {} if value is None else {"COBALT_SIGN_IN_HOURS": value}
    assert sign_in_limit(env) == limit


@pytest.mark.parametrize("value", ["0", "-1", "720.01", "twelve", "nan", "inf", "12h"])
def test_a_wrong_sign_in_limit_is_refused_never_replaced(value):
    with pytest.raises(ValueError, match="COBALT_SIGN_IN_HOURS"):
        sign_in_limit({"COBALT_SIGN_IN_HOURS": value})


def test_a_sign_in_ends_a_shift_after_it_was_made_on_both_sides_of_the_boundary():
    claims = {"iat": NOW, "exp": NOW + 300}
    end = NOW + 12 * 3600
    assert ends_at(claims, 12.0) == end
    assert not expired(claims, end - 1, 12.0) and expired(claims, end, 12.0) and expired(claims, end + 1, 12.0)
    assert not expired(claims, NOW + 301, 12.0)  # the ID token's own expiry does not end the shift
    assert ends_at({"auth_time": NOW}, 1.0) == NOW + 3600  # auth_time when there is no iat


def test_with_id_token_the_sign_in_ends_at_the_tokens_expiry():
    claims = {"iat": NOW, "exp": NOW + 300}
    assert ends_at(claims, ID_TOKEN) == NOW + 300
    assert not expired(claims, NOW + 299, ID_TOKEN) and expired(claims, NOW + 300, ID_TOKEN)


@pytest.mark.parametrize("claims", [{}, {"iat": "yesterday"}, {"iat": True}, {"exp": NOW + 60}, {"iat": None}])
def test_a_token_that_names_no_time_of_sign_in_is_refused(claims):
    assert ends_at(claims, 12.0) is None and expired(claims, NOW, 12.0)


@given(st_.floats(min_value=0, max_value=4e9), st_.floats(min_value=0, max_value=1e6),
       st_.floats(min_value=0.01, max_value=720))
def test_once_expired_a_sign_in_stays_expired(iat, later, hours):
    claims = {"iat": iat}
    moment = iat + hours * 3600
    assert expired(claims, moment, hours) and expired(claims, moment + later, hours)


@given(st_.text(max_size=12))
def test_the_sign_in_limit_is_total_a_value_or_a_clear_refusal(text):
    try:
        limit = sign_in_limit({"COBALT_SIGN_IN_HOURS": text})
    except ValueError as exc:
        assert "COBALT_SIGN_IN_HOURS" in str(exc)
    else:
        assert limit == ID_TOKEN or 0 < limit <= 720


def test_the_cookie_lasts_a_shift_not_thirty_days():
    assert cookie_max_age(12.0) == 12 * 3600 and cookie_max_age(ID_TOKEN) == DEFAULT_HOURS * 3600


# -- Streamlit's cookie, read as Streamlit writes it ---------------------------------------------------


def _streamlit_cookies(claims: dict, secret: str = SECRET) -> dict[str, str]:
    """The cookies Streamlit's /oauth2callback sets for ``claims`` (its own signing and chunking)."""
    from streamlit.auth_util import set_cookie_with_chunks
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    jar: dict[str, str] = {}
    set_cookie_with_chunks(
        lambda name, value: jar.__setitem__(name, create_signed_value(secret, name, value).decode()),
        lambda name, value: create_signed_value(secret, name, value),
        "_streamlit_user", {**claims, "origin": "https://cobalt.example"}, cookie_attr_size=80,
    )
    return jar


def test_the_sign_in_cookie_is_read_as_streamlit_writes_it_chunks_included():
    assert read_user_cookie(_streamlit_cookies(ADA), SECRET)["sub"] == "dr.ada"
    big = {**ADA, "groups": [hashlib.sha256(str(i).encode()).hexdigest() for i in range(150)]}  # ~10 kB: chunks
    jar = _streamlit_cookies(big)
    assert len(jar) > 1 and read_user_cookie(jar, SECRET)["groups"] == big["groups"]
    del jar[sorted(jar)[-1]]
    assert read_user_cookie(jar, SECRET) is None  # a missing chunk


def test_a_cookie_signed_with_another_secret_or_tampered_with_is_not_a_sign_in():
    jar = _streamlit_cookies(ADA)
    assert read_user_cookie(_streamlit_cookies(ADA, "f" * 64), SECRET) is None
    assert read_user_cookie({"_streamlit_user": jar["_streamlit_user"][:-2] + "xx"}, SECRET) is None
    assert read_user_cookie(jar, None) is None and read_user_cookie({}, SECRET) is None
    signed_out = _streamlit_cookies({**ADA, "is_logged_in": False})
    assert read_user_cookie(signed_out, SECRET) is None


# -- the record of ended sign-ins ------------------------------------------------------------------------


class FakeStore:
    def __init__(self):
        self.ended: dict[str, str] = {}
        self.down = False
        self.asked = 0

    def sign_in_ended(self, sign_in: str) -> bool:
        self.asked += 1
        if self.down:
            raise OSError("the database cannot be reached")
        return sign_in in self.ended

    def end_sign_in(self, sign_in: str, subject: str, expires_at=None) -> None:
        self.ended[sign_in] = subject


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def records(monkeypatch):
    store, clock = FakeStore(), Clock()
    made = SignIns(lambda: store, clock)
    monkeypatch.setattr(signins, "_RECORDS", made)
    return made, store, clock


def test_a_sign_out_ends_that_sign_in_and_no_other(records):
    made, store, _clock = records
    assert made.state(ADA, now=NOW) is SignInState.VALID
    made.end(ADA, 12.0)
    assert made.state(ADA, now=NOW) is SignInState.ENDED
    assert made.state(BOB, now=NOW) is SignInState.VALID
    assert made.state({**ADA, "iat": NOW, "nonce": "n9"}, now=NOW) is SignInState.VALID  # signing in again
    assert list(store.ended.values()) == ["dr.ada"]


def test_a_sign_out_in_another_process_is_seen_within_two_seconds(records):
    made, store, clock = records
    assert made.state(ADA, now=NOW) is SignInState.VALID
    store.ended[sign_in_id(ADA)] = "dr.ada"  # another process recorded it
    clock.now += signins.RECHECK_S - 0.01
    assert made.state(ADA, now=NOW) is SignInState.VALID
    clock.now += 0.02
    assert made.state(ADA, now=NOW) is SignInState.ENDED


def test_without_an_answer_the_last_minutes_answer_stands_else_the_sign_in_is_refused(records):
    made, store, clock = records
    store.down = True
    assert made.state(BOB, now=NOW) is SignInState.UNCHECKED  # never checked: refused
    store.down = False
    assert made.state(ADA, now=NOW) is SignInState.VALID
    store.down = True
    clock.now += signins.OUTAGE_GRACE_S - 1
    assert made.state(ADA, now=NOW) is SignInState.VALID
    clock.now += 2
    assert made.state(ADA, now=NOW) is SignInState.UNCHECKED


def test_expiry_is_checked_before_the_record(records):
    made, store, _clock = records
    assert made.state(ADA, now=ADA["iat"] + 12 * 3600) is SignInState.EXPIRED
    assert store.asked == 0


# -- the gate, as ASGI ------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int | None
    headers: list[tuple[bytes, bytes]]
    reached: dict | None  # the scope the app behind the gate saw (None: refused before it)

    def cookies_set(self) -> list[str]:
        return [v.decode() for k, v in self.headers if k == b"set-cookie"]


def run_async(coro) -> object:
    """``asyncio.run`` in a thread of its own: after the browser tests, Playwright's sync API keeps an event loop
    running in the main thread for the rest of the session, where ``asyncio.run`` refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _cookie_header(jar: dict[str, str]) -> bytes:
    return "; ".join(f"{k}={v}" for k, v in jar.items()).encode()


def _call(app: gate.AccessGate, path: str, jar: dict[str, str] | None = None, kind: str = "http",
          extra: list[tuple[bytes, bytes]] | None = None, set_cookie: bytes | None = None) -> Answer:
    reached: dict = {}
    sent: list[dict] = []

    async def inner(scope, receive, send):
        reached.update(scope)
        if kind == "http":
            headers = [(b"set-cookie", set_cookie)] if set_cookie else []
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    app.app = inner
    headers = [(b"cookie", _cookie_header(jar))] if jar else []
    scope = {"type": kind, "path": path, "headers": headers + (extra or []), "scheme": "http"}
    run_async(app(scope, receive, send))
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    return Answer(start and start["status"], list(start["headers"]) if start else [], reached or None)


@pytest.fixture
def gated(monkeypatch, records):
    monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")
    monkeypatch.delenv("COBALT_SIGN_IN_HOURS", raising=False)
    monkeypatch.setattr(gate, "_secret", lambda: SECRET)
    files: dict[str, object] = {}
    sessions: dict[str, dict] = {}
    monkeypatch.setattr(gate, "media_file", files.get)
    monkeypatch.setattr(gate, "session_claims", sessions.get)
    monkeypatch.setattr(time, "time", lambda: NOW)
    return gate.AccessGate(None), files, sessions, records[0]


def _file(kind: str, content: bytes = b'{"label": "Bed 4"}', mimetype: str = "application/json"):
    from streamlit.runtime.media_file_storage import MediaFileKind

    return SimpleNamespace(kind=MediaFileKind(kind), content=content, mimetype=mimetype)


def test_media_file_made_for_a_download_is_served_to_its_owners_sign_in_only(gated, monkeypatch):
    app, files, _sessions, _records = gated
    grants = Grants()
    monkeypatch.setattr("ui.downloads._GRANTS", grants)
    files["f1"] = _file("downloadable")
    ada, bob = _streamlit_cookies(ADA), _streamlit_cookies(BOB)
    assert _call(app, "/media/f1.json", ada).status == 403  # no grant yet
    grants.grant(hashlib.sha256(files["f1"].content).hexdigest(), sign_in_id(ADA))
    assert _call(app, "/media/f1.json", ada).reached is not None
    assert _call(app, "/media/f1.json", bob).status == 403
    assert _call(app, "/media/f1.json").status == 403
    assert _call(app, "/media/f1.json", _streamlit_cookies(ADA, "f" * 64)).status == 403
    assert _call(app, "/media/missing.json", ada).reached is not None  # Streamlit's own 404


def test_media_file_images_are_open_other_media_need_a_sign_in(gated):
    app, files, _sessions, _records = gated
    files["icon"] = _file("media", b"png", "image/png")
    files["other"] = _file("media", b"<html>", "text/html")
    assert _call(app, "/media/icon.png").reached is not None  # the page icon on the sign-in screen
    assert _call(app, "/media/other.html").status == 403
    assert _call(app, "/media/other.html", _streamlit_cookies(ADA)).reached is not None
    assert _call(app, "/media/../_stcore/health").status == 403


def test_media_file_of_an_ended_sign_in_is_refused(gated, monkeypatch):
    app, files, _sessions, made = gated
    grants = Grants()
    monkeypatch.setattr("ui.downloads._GRANTS", grants)
    files["f1"] = _file("downloadable")
    grants.grant(hashlib.sha256(files["f1"].content).hexdigest(), sign_in_id(ADA))
    made.end(ADA, 12.0)
    assert _call(app, "/media/f1.json", _streamlit_cookies(ADA)).status == 403


def test_upload_hijack_needs_the_very_sign_in_of_the_session(gated):
    app, _files, sessions, made = gated
    sessions["s1"] = ADA
    path = "/_stcore/upload_file/s1/file9"
    assert _call(app, path, _streamlit_cookies(ADA)).reached is not None
    assert _call(app, path, {"_streamlit_xsrf": "2|a|b|1"}).status == 403  # signed out, own XSRF pair
    assert _call(app, path, _streamlit_cookies(BOB)).status == 403  # another user's sign-in
    assert _call(app, path, _streamlit_cookies({**ADA, "nonce": "other"})).status == 403  # Ada, another sign-in
    assert _call(app, "/_stcore/upload_file/nobody/file9", _streamlit_cookies(ADA)).status == 403
    made.end(ADA, 12.0)
    assert _call(app, path, _streamlit_cookies(ADA)).status == 403  # after her sign-out


def test_revoked_sign_in_is_taken_off_a_connection_and_a_page_load(gated):
    app, _files, _sessions, made = gated
    ada = {**_streamlit_cookies(ADA), "_streamlit_xsrf": "x", "cobalt_route": "r"}
    live = _call(app, "/_stcore/stream", ada, kind="websocket").reached
    assert b"_streamlit_user=" in dict(live["headers"])[b"cookie"]
    assert _call(app, "/auth/logout", ada).reached is not None  # the sign-out is recorded...
    assert made.state(ADA, now=NOW) is SignInState.ENDED  # ...for every process
    seen = _call(app, "/_stcore/stream", ada, kind="websocket").reached
    headers = dict(seen["headers"])
    assert b"_streamlit_user" not in headers[b"cookie"] and b"_streamlit_xsrf=x" in headers[b"cookie"]
    assert headers[b"x-cobalt-sign-in"] == b"ended"
    page = _call(app, "/", ada)
    assert b"_streamlit_user" not in dict(page.reached["headers"]).get(b"cookie", b"")
    deleted = page.cookies_set()
    assert "_streamlit_user=; Max-Age=0; Path=/; HttpOnly; SameSite=lax" in deleted
    assert any(c.startswith("cobalt_sign_in=ended;") for c in deleted)
    asset = _call(app, "/static/js/index.js", ada)
    assert asset.reached is not None and not asset.cookies_set()  # assets are not checked


def test_expired_sign_in_is_taken_off_and_said_so(gated, monkeypatch):
    """By default a sign-in ends with its ID token: one that expired two hours ago (hole 3) is taken off."""
    app, _files, _sessions, _made = gated
    old = _streamlit_cookies({**ADA, "iat": NOW - 3 * 3600, "exp": NOW - 2 * 3600})
    seen = _call(app, "/_stcore/stream", old, kind="websocket").reached
    assert dict(seen["headers"])[b"x-cobalt-sign-in"] == b"expired"


def test_with_a_shift_a_sign_in_older_than_the_shift_is_taken_off(monkeypatch, records):
    monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")
    monkeypatch.setenv("COBALT_SIGN_IN_HOURS", "shift")
    monkeypatch.setattr(gate, "_secret", lambda: SECRET)
    monkeypatch.setattr(time, "time", lambda: NOW)
    app = gate.AccessGate(None)
    old = _streamlit_cookies({**ADA, "iat": NOW - 13 * 3600, "exp": NOW + 60})  # token valid, shift over
    assert dict(_call(app, "/_stcore/stream", old, kind="websocket").reached["headers"])[b"x-cobalt-sign-in"] == (
        b"expired")
    within = _streamlit_cookies({**ADA, "iat": NOW - 11 * 3600, "exp": NOW - 3600})  # within the shift
    assert b"x-cobalt-sign-in" not in dict(_call(app, "/_stcore/stream", within, kind="websocket").reached["headers"])


def test_a_client_cannot_send_the_gates_own_header(gated):
    app, _files, _sessions, _made = gated
    seen = _call(app, "/", _streamlit_cookies(ADA), extra=[(b"x-cobalt-sign-in", b"ended")]).reached
    assert b"x-cobalt-sign-in" not in dict(seen["headers"])


def test_expired_token_with_id_token_mode(monkeypatch, records):
    monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")
    monkeypatch.setenv("COBALT_SIGN_IN_HOURS", "id-token")
    monkeypatch.setattr(gate, "_secret", lambda: SECRET)
    monkeypatch.setattr(time, "time", lambda: NOW)
    app = gate.AccessGate(None)
    stale = _streamlit_cookies({**ADA, "iat": NOW - 3 * 3600, "exp": NOW - 2 * 3600})  # expired two hours ago
    assert dict(_call(app, "/", stale).reached["headers"])[b"x-cobalt-sign-in"] == b"expired"
    fresh = _streamlit_cookies({**ADA, "iat": NOW - 3 * 3600, "exp": NOW + 60})
    assert b"x-cobalt-sign-in" not in dict(_call(app, "/", fresh).reached["headers"])


def test_secure_cookie_and_a_shift_long_sign_in_cookie_behind_tls(gated):
    app, _files, _sessions, _made = gated
    tls = [(b"x-forwarded-proto", b"https")]
    set_user = b"_streamlit_user=abc; HttpOnly; Max-Age=2592000; Path=/; SameSite=lax"
    (cookie,) = _call(app, "/oauth2callback", extra=tls, set_cookie=set_user).cookies_set()
    assert "Max-Age=43200" in cookie and cookie.endswith("; Secure")
    (xsrf,) = _call(app, "/_stcore/health", extra=tls, set_cookie=b"_streamlit_xsrf=2|a|b|1; Path=/").cookies_set()
    assert xsrf.endswith("; Secure")
    (plain,) = _call(app, "/oauth2callback", set_cookie=set_user).cookies_set()  # loopback, no TLS
    assert "Max-Age=43200" in plain and "Secure" not in plain
    (gone,) = _call(app, "/auth/logout", extra=tls, set_cookie=b"_streamlit_user=; Max-Age=0; Path=/").cookies_set()
    assert "Max-Age=0" in gone


def test_with_sign_in_off_the_gate_lets_everything_through(monkeypatch):
    monkeypatch.delenv("COBALT_REQUIRE_LOGIN", raising=False)
    monkeypatch.delenv("COBALT_DATABASE_URL", raising=False)
    app = gate.AccessGate(None)
    assert _call(app, "/media/f1.json").reached is not None
    assert _call(app, "/_stcore/upload_file/s1/f").reached is not None


# -- downloads ------------------------------------------------------------------------------------------


class ExportStore:
    def __init__(self, fail: bool = False):
        self.rows: list[tuple] = []
        self.fail = fail

    def record_export(self, case_id, fmt, *, actor):
        if self.fail:
            raise OSError("the database cannot be reached")
        self.rows.append((case_id, fmt, actor.subject))


def test_download_audit_the_file_is_made_on_the_click_audited_and_granted_to_the_sign_in(records, monkeypatch):
    grants = Grants()
    monkeypatch.setattr("ui.downloads._GRANTS", grants)
    store, made = ExportStore(), []
    build = make_on_click(lambda: made.append(1) or "a,b\n", "regimen-csv", (Actor("dr.ada"), ADA, store, "c" * 32))
    assert made == [] and store.rows == []  # nothing made by drawing the button
    data = build()
    assert data == b"a,b\n" and store.rows == [("c" * 32, "regimen-csv", "dr.ada")]
    assert grants.allowed(hashlib.sha256(data).hexdigest(), sign_in_id(ADA))
    assert not grants.allowed(hashlib.sha256(data).hexdigest(), sign_in_id(BOB))


def test_download_audit_no_audit_no_file_and_no_file_after_sign_out(records):
    made_records = records[0]
    with pytest.raises(OSError):
        make_on_click(lambda: "x", "case-json", (Actor("dr.ada"), ADA, ExportStore(fail=True), "c" * 32))()
    store = ExportStore()
    build = make_on_click(lambda: "x", "case-json", (Actor("dr.ada"), ADA, store, "c" * 32))
    made_records.end(ADA, 12.0)
    with pytest.raises(PermissionError):
        build()
    assert store.rows == []


def test_download_of_an_unsaved_or_teaching_case_has_no_trail_to_write(records):
    store = ExportStore()
    assert make_on_click(lambda: b"%PDF", "schedule-pdf", (Actor("dr.ada"), ADA, store, None))() == b"%PDF"
    assert make_on_click(lambda: "x", "json", (Actor("local"), None, store, None))() == b"x"  # sign-in off
    assert store.rows == []


def test_a_download_grant_lasts_a_minute_on_both_sides_of_the_boundary():
    clock = Clock()
    grants = Grants(clock)
    grants.grant("d1", "s1")
    grants.grant("d1", "s2")  # the same file made for two users: each keeps their own grant
    clock.now += GRANT_S - 0.01
    assert grants.allowed("d1", "s1") and grants.allowed("d1", "s2") and not grants.allowed("d1", "s3")
    clock.now += 0.02
    assert not grants.allowed("d1", "s1")


# -- reconnects -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "asked"),
    [("streamlit, 2|a|b|1, 6f1c", "6f1c"), ("streamlit, 2|a|b|1", None), ("streamlit, , 6f1c", "6f1c"),
     ("streamlit, 2|a|b|1, ", None), (None, None), ("", None)],
)
def test_lost_edit_check_reads_the_session_a_browser_asks_to_resume(header, asked):
    assert asked_to_resume(header) == asked


def test_every_download_button_goes_through_the_helper():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sources = [*root.glob("app_pages/**/*.py"), *root.glob("ui/**/*.py"), root / "app.py"]
    direct = [str(p.relative_to(root)) for p in sources if ".download_button(" in p.read_text()]
    assert direct == ["ui/downloads.py"]


# -- every run of an open session (AppTest) ---------------------------------------------------------------


@pytest.fixture
def sign_in_on(monkeypatch):
    """Sign-in on, as tests/test_auth.py has it (Authlib comes with streamlit[auth], pinned)."""
    monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")


@pytest.mark.usefixtures("sign_in_on")
def test_revoked_sign_in_of_an_open_session_ends_it_on_its_next_run(records):
    from tests.test_auth import app, texts

    now = time.time()
    user = {"is_logged_in": True, "sub": "dr.ada", "email": "ada@ward.example", "iat": now - 60, "exp": now + 3600}
    at = app(user)
    assert "Signed in as" in texts(at)
    records[0].end(user, 12.0)  # signed out in another tab or process
    at.run()
    assert "Signed in as" not in texts(at) and "Sign in with your hospital account" in texts(at)
    assert [w.value for w in at.warning] == [signins.WHY[SignInState.ENDED]]


@pytest.mark.usefixtures("sign_in_on")
def test_expired_shift_of_an_open_session_ends_it_on_its_next_run(records):
    from tests.test_auth import app, texts

    old = time.time() - 12 * 3600 - 1
    at = app({"is_logged_in": True, "sub": "dr.ada", "iat": old, "exp": old + 3600})
    assert "Signed in as" not in texts(at) and [w.value for w in at.warning] == [signins.WHY[SignInState.EXPIRED]]


def test_a_cookie_that_is_not_genuine_is_taken_off_without_a_reason(gated):
    app, _files, _sessions, _made = gated
    seen = _call(app, "/", _streamlit_cookies(ADA, "f" * 64))
    assert b"_streamlit_user" not in dict(seen.reached["headers"]).get(b"cookie", b"")
    assert b"x-cobalt-sign-in" not in dict(seen.reached["headers"])
    assert not [c for c in seen.cookies_set() if c.startswith("cobalt_sign_in=")]


def test_a_sign_out_the_database_cannot_record_still_signs_the_browser_out(gated, records):
    app, _files, _sessions, _made = gated
    records[1].end_sign_in = lambda *a: (_ for _ in ()).throw(OSError("down"))
    assert _call(app, "/auth/logout", _streamlit_cookies(ADA)).reached is not None
