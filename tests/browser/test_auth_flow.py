"""Sign-in in a real browser against a local OpenID Connect provider (oidc-provider-mock): each user
sees only their own cases, another user's case address is refused, a refused sign-in says so, and
sign-out ends the session. The laptop default (SQLite, sign-in off) still opens without sign-in."""

from __future__ import annotations

import re

from store import Actor, Store
from tests.browser.bedside import wait_field, wait_saved
from tests.browser.conftest import shot, sign_in, wait_idle

SIDEBAR = "[data-testid='stSidebar']"


def type_into(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def open_library(page) -> None:
    page.get_by_role("link", name="Case library").click()
    wait_idle(page)


def case_address(page) -> str:
    """The open case's address as the Case library shows it (…/?case=ID)."""
    text = page.locator("[data-testid='stCode']").first.inner_text()
    found = re.search(r"\?case=([0-9a-f]{32})", text)
    assert found, text
    return found.group(1)


def test_each_user_sees_only_their_own_cases_and_not_another_users_address(signin_server, browser):
    ada_ctx, bob_ctx = browser.new_context(), browser.new_context()
    try:
        ada, bob = ada_ctx.new_page(), bob_ctx.new_page()
        sign_in(ada, signin_server.url, "dr.ada")
        assert "Signed in as ada@ward.example" in ada.locator(SIDEBAR).inner_text()
        type_into(ada, "case_label", "Ada bed 3")
        type_into(ada, "case_lab_platelets", "38")
        wait_saved(ada)  # "Saved · version N" once the burst of edits is saved
        open_library(ada)
        case_id = case_address(ada)
        assert ada.locator(".st-key-lib_pick input").input_value().startswith("Ada bed 3")
        shot(ada, "signed-in-library")

        sign_in(bob, signin_server.url, "dr.bob")
        open_library(bob)
        assert "No saved cases yet" in bob.inner_text("body")
        assert bob.locator(".st-key-lib_pick").count() == 0
        bob.goto(f"{signin_server.url}/?case={case_id}")  # Ada's case by its address
        wait_idle(bob)
        body = bob.inner_text("body")
        assert "No case at that address among the cases you can open" in body
        assert "Ada bed 3" not in body
        assert bob.locator(".st-key-case_label input").input_value() != "Ada bed 3"  # a blank case
        shot(bob, "other-users-address-refused")

        ada.goto(f"{signin_server.url}/?case={case_id}")  # the owner opens it by the same address
        wait_idle(ada)
        assert wait_field(ada, "case_label", "Ada bed 3") == "Ada bed 3"  # a new load: polled
        trail = Store.open(f"sqlite:///{signin_server.data_dir / 'cobalt.sqlite3'}")
        try:
            rows = [(e.action, e.actor) for e in trail.audit(case_id, actor=Actor("dr.ada"))]
        finally:
            trail.close()
        assert rows[0] == ("create", "dr.ada") and ("denied", "dr.bob") in rows and rows[-1] == ("view", "dr.ada")
    finally:
        ada_ctx.close()
        bob_ctx.close()


def test_a_refused_sign_in_says_so_clearly(signin_server, page):
    page.goto(signin_server.url)
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("button[value='deny']", timeout=30_000)
    page.locator("button[value='deny']").click()  # the provider refuses
    page.wait_for_url(signin_server.url + "/**", timeout=30_000)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Sign-in did not complete: the hospital's identity provider refused it" in body
    assert "Signed in as" not in body and "Current case" not in body
    shot(page, "sign-in-refused")
    # trying again and completing it clears the message
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("button[name='sub']", timeout=30_000)
    page.locator("button[name='sub'][value='dr.ada']").click()
    page.wait_for_selector(f"{SIDEBAR} :text('Signed in as')", timeout=30_000)
    assert "did not complete" not in page.inner_text("body")


def test_sign_out_ends_the_session(signin_server, page):
    sign_in(page, signin_server.url, "dr.ada")
    type_into(page, "case_label", "Ada bed 8")
    page.locator(SIDEBAR).get_by_role("button", name="Sign out").click()
    # the provider's end-of-session page (RP-initiated logout), then back to the app
    page.wait_for_selector("text=End Session", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(signin_server.url + "/**", timeout=30_000)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Sign in with your hospital account" in body
    assert "Ada bed 8" not in body and "Signed in as" not in body
    assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    page.reload()  # nothing brings the session back
    wait_idle(page)
    assert "Sign in with your hospital account" in page.inner_text("body")
    assert "did not complete" not in page.inner_text("body")  # signing out is not a refused sign-in


def test_the_sqlite_default_needs_no_sign_in(app_server, page):
    page.goto(app_server.url)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Sign in" not in body and "Signed in as" not in body
    type_into(page, "case_label", "Laptop bed 1")
    wait_saved(page)
