"""Ownership is enforced by the repository: another user's case is refused on every call, on SQLite
and PostgreSQL; a team shares its cases; every version names its author."""

from __future__ import annotations

import inspect

import pytest

from store import LOCAL, Actor, AuditAction, NotFoundError, Store, StoreError

ADA = Actor("dr.ada", None, "ada@ward.example")
BOB = Actor("dr.bob", None, "bob@ward.example")
WARD7_ADA = Actor("dr.ada", "ward-7", "ada@ward.example")
WARD7_CY = Actor("dr.cy", "ward-7", "cy@ward.example")
WARD9_DEE = Actor("dr.dee", "ward-9", "dee@ward.example")


def _refused(call) -> str:
    with pytest.raises(NotFoundError) as refused:
        call()
    return str(refused.value)


def test_a_case_belongs_to_its_maker_and_is_listed_only_for_them(store, make_doc):
    mine = store.create_case(make_doc("Ada's bed 4"), actor=ADA)
    theirs = store.create_case(make_doc("Bob's bed 9"), actor=BOB)
    assert (mine.owner, mine.team, theirs.owner) == ("dr.ada", None, "dr.bob")
    assert [c.label for c in store.list_cases(actor=ADA)] == ["Ada's bed 4"]
    assert [c.label for c in store.list_cases(actor=BOB)] == ["Bob's bed 9"]
    assert store.list_cases("bed", include_deleted=True, actor=BOB) == [store.list_cases(actor=BOB)[0]]
    assert store.list_cases(actor=LOCAL) == []


def test_every_call_on_another_users_case_is_refused_and_changes_nothing(store, make_doc):
    case = store.create_case(make_doc("Ada's case"), actor=ADA)
    store.save(case.id, make_doc("Ada's case, v2"), expected_version=1, actor=ADA)
    calls = {
        "load": lambda: store.load(case.id, actor=BOB),
        "load_version": lambda: store.load_version(case.id, 1, actor=BOB),
        "versions": lambda: store.versions(case.id, actor=BOB),
        "recent_versions": lambda: store.recent_versions(case.id, 5, actor=BOB),
        "audit": lambda: store.audit(case.id, actor=BOB),
        "save": lambda: store.save(case.id, make_doc("Bob was here"), expected_version=2, actor=BOB),
        "revert": lambda: store.revert(case.id, 1, expected_version=2, actor=BOB),
        "duplicate": lambda: store.duplicate(case.id, "Bob's copy", actor=BOB),
        "delete": lambda: store.delete(case.id, actor=BOB),
        "restore": lambda: store.restore(case.id, actor=BOB),
        "record_export": lambda: store.record_export(case.id, "json", actor=BOB),
    }
    messages = {name: _refused(call) for name, call in calls.items()}
    # the words are those of an id that does not exist: a tried id says nothing
    unknown = "0" * 32
    assert set(messages.values()) == {_refused(lambda: store.load(unknown, actor=ADA)).replace(unknown, case.id)}
    head = store.load(case.id, actor=ADA)
    assert (head.version, head.label, head.deleted) == (2, "Ada's case, v2", False)
    assert [v.saved_by for v in store.versions(case.id, actor=ADA)] == ["dr.ada", "dr.ada"]
    assert store.list_cases(actor=BOB) == []  # no copy was made
    denied = [e for e in store.audit(case.id, actor=ADA) if e.action == AuditAction.DENIED]
    assert [(e.actor, e.actor_name) for e in denied] == [("dr.bob", "bob@ward.example")] * len(calls)


def test_a_deleted_case_of_another_user_is_refused_too(store, make_doc):
    case = store.create_case(make_doc(), actor=ADA)
    store.delete(case.id, actor=ADA)
    assert store.list_cases(include_deleted=True, actor=BOB) == []
    _refused(lambda: store.restore(case.id, actor=BOB))
    assert store.load(case.id, actor=ADA).deleted


def test_a_team_shares_its_cases_and_no_other_team_sees_them(store, make_doc):
    case = store.create_case(make_doc("Ward 7 bed 2"), actor=WARD7_ADA)
    assert case.team == "ward-7"
    assert [c.id for c in store.list_cases(actor=WARD7_CY)] == [case.id]
    saved = store.save(case.id, make_doc("Ward 7 bed 2, seen by Cy"), expected_version=1, actor=WARD7_CY)
    assert [(v.saved_by, v.saved_by_name) for v in store.versions(case.id, actor=WARD7_ADA)] == [
        ("dr.ada", "ada@ward.example"),
        ("dr.cy", "cy@ward.example"),
    ]
    assert saved.owner == "dr.ada"  # the maker stays the owner
    for outsider in (WARD9_DEE, BOB, Actor("dr.ada-impostor", "ward-9")):
        assert store.list_cases(actor=outsider) == []
        _refused(lambda outsider=outsider: store.load(case.id, actor=outsider))
    # the same person without the team claim sees only what they made themselves
    assert [c.id for c in store.list_cases(actor=ADA)] == [case.id]
    assert store.list_cases(actor=Actor("dr.cy")) == []


def test_a_case_made_without_a_team_stays_private_to_its_maker(store, make_doc):
    case = store.create_case(make_doc(), actor=ADA)
    assert store.list_cases(actor=WARD7_CY) == []
    _refused(lambda: store.load(case.id, actor=WARD7_CY))


def test_a_duplicate_belongs_to_whoever_made_it(store, make_doc):
    case = store.create_case(make_doc("Ward 7 bed 5"), actor=WARD7_ADA)
    copy = store.duplicate(case.id, "Cy's what-if", actor=WARD7_CY)
    assert (copy.owner, copy.team) == ("dr.cy", "ward-7")
    assert store.versions(copy.id, actor=WARD7_CY)[0].saved_by == "dr.cy"


def test_every_version_carries_its_author(store, make_doc):
    case = store.create_case(make_doc("v1"), actor=WARD7_ADA)
    store.save(case.id, make_doc("v2"), expected_version=1, actor=WARD7_CY)
    store.revert(case.id, 1, expected_version=2, actor=WARD7_ADA)
    history = store.versions(case.id, actor=WARD7_CY)
    assert [(v.version, v.action, v.saved_by, v.saved_by_name) for v in history] == [
        (1, "create", "dr.ada", "ada@ward.example"),
        (2, "save", "dr.cy", "cy@ward.example"),
        (3, "revert", "dr.ada", "ada@ward.example"),
    ]
    old = store.load_version(case.id, 2, actor=WARD7_ADA)
    assert (old.saved_by, old.saved_by_name) == ("dr.cy", "cy@ward.example")


def test_with_sign_in_off_the_local_actor_owns_everything(store, make_doc):
    case = store.create_case(make_doc(), actor=LOCAL)
    assert (case.owner, store.versions(case.id, actor=LOCAL)[0].saved_by) == ("local", "local")
    assert [c.id for c in store.list_cases(actor=LOCAL)] == [case.id]


# -- the actor argument ---------------------------------------------------------------

PUBLIC_CALLS = {
    "audit", "create_case", "delete", "duplicate", "list_cases", "load", "load_version", "record_export",
    "recent_versions", "restore", "revert", "save", "versions",
}


def test_every_store_call_takes_a_required_keyword_actor():
    public = {
        name for name, member in inspect.getmembers(Store, inspect.isfunction) if not name.startswith("_")
    } - {"close", "open", "end_sign_in", "sign_in_ended"}  # sign-in records hold no case (store/signins.py)
    assert public == PUBLIC_CALLS  # a new call needs an actor (and a place in this list)
    for name in PUBLIC_CALLS:
        param = inspect.signature(getattr(Store, name)).parameters["actor"]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is inspect.Parameter.empty, name


def test_a_call_without_an_actor_or_with_a_bare_string_is_refused(store, make_doc):
    with pytest.raises(TypeError):
        store.create_case(make_doc())  # type: ignore[call-arg]
    with pytest.raises(StoreError, match="Actor"):
        store.list_cases(actor="dr.ada")  # type: ignore[arg-type]
    assert store.list_cases(actor=LOCAL) == []


@pytest.mark.parametrize("subject", ["", "   ", "x" * 256])
def test_an_actor_needs_a_subject_of_1_to_255_characters(subject):
    with pytest.raises(StoreError, match="subject"):
        Actor(subject)


def test_an_actor_of_255_characters_and_a_team_of_120_are_accepted(store, make_doc):
    actor = Actor("s" * 255, "t" * 120, "n" * 255)
    case = store.create_case(make_doc(), actor=actor)
    assert store.load(case.id, actor=actor).owner == "s" * 255
    with pytest.raises(StoreError, match="team"):
        Actor("s", "t" * 121)
    with pytest.raises(StoreError, match="team"):
        Actor("s", "")


def test_recent_versions_reads_the_newest_documents_oldest_first_without_an_audit_row(store, make_doc):
    case = store.create_case(make_doc("v1"), actor=ADA)
    for n in (2, 3, 4):
        store.save(case.id, make_doc(f"v{n}"), expected_version=n - 1, actor=ADA)
    views_before = sum(e.action == AuditAction.VIEW for e in store.audit(case.id, actor=ADA))
    found = store.recent_versions(case.id, 3, actor=ADA)
    assert [(v.version, v.document["label"]) for v in found] == [(2, "v2"), (3, "v3"), (4, "v4")]
    assert [v.version for v in store.recent_versions(case.id, 10, actor=ADA)] == [1, 2, 3, 4]
    views = [e for e in store.audit(case.id, actor=ADA) if e.action == AuditAction.VIEW]
    assert len(views) == views_before  # a list of what the user has open, like versions(): not a new view
