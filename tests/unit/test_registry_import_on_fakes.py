"""`registry import` on fakes: the file becomes records and sign-in accounts, each change audited;
a file whose rows would take over someone else's account is refused before anything is written."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.registry import Duty, OfficerStatus
from chalicelib.domain.sign_in import SignInAccount
from chalicelib.services.registry_import import ImportRefused, import_registry
from tests.fakes import fake_dependencies

HEADER = "officer_id,given_name,family_name,rank,role,status,phone,email,duty,photo\n"
ROWS = (
    "MP4721,Sam,Jones,PC,officer,serving,,sam.jones@met.example,,\n"
    "MS0815,Ana,Okafor,PS,sergeant,serving,+447700900815,ana.okafor@met.example,available,\n"
    "MP0003,Lee,Grant,PC,officer,left,,lee.grant@met.example,,\n"
)


def counts(summary: Any) -> tuple[int, int, int, int]:
    """(created, updated, unchanged, disabled) of an import."""
    return summary.created, summary.updated, summary.unchanged, summary.disabled


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock)


def _changes(deps) -> list[dict[str, Any]]:
    return [e for pk in sorted(deps.verifications.chains) if pk.startswith("A#")
            for e in deps.verifications.attempt_events(pk[2:])]


def test_an_import_creates_records_and_accounts_and_audits_each_person(deps):
    summary = import_registry(deps, "met", (HEADER + ROWS).encode())

    assert counts(summary) == (3, 0, 0, 1)
    assert deps.registry.get("met", "MS0815").duty is Duty.AVAILABLE
    assert deps.registry.get("met", "MP0003").status is OfficerStatus.LEFT
    users = deps.users
    assert users.get("mp4721").groups == frozenset({"officer"}) and users.get("mp4721").enabled
    assert users.get("ms0815").groups == frozenset({"sergeant"})
    assert users.get("mp0003").enabled is False  # not serving: made disabled, never invited
    assert sorted(i["username"] for i in users.invitations) == ["mp4721", "ms0815"]
    changes = _changes(deps)
    assert sorted(c["data"]["officer_id"] for c in changes) == ["MP0003", "MP4721", "MS0815"]
    assert all(c["type"] == "registry.changed" and c["data"]["created"] for c in changes)
    assert "sam.jones" not in repr(changes)


def test_importing_the_same_file_again_changes_nothing(deps):
    import_registry(deps, "met", (HEADER + ROWS).encode())
    records, audited = dict(deps.registry.records), len(_changes(deps))

    summary = import_registry(deps, "met", (HEADER + ROWS).encode())

    assert counts(summary) == (0, 0, 3, 0)
    assert deps.registry.records == records and len(_changes(deps)) == audited


def test_a_suspension_in_the_file_disables_the_account(deps):
    import_registry(deps, "met", (HEADER + ROWS).encode())

    suspended = ROWS.replace("Jones,PC,officer,serving", "Jones,PC,officer,suspended")
    summary = import_registry(deps, "met", (HEADER + suspended).encode())

    assert counts(summary) == (0, 1, 2, 1)
    assert deps.users.get("mp4721").enabled is False and deps.users.signed_out == ["mp4721"]
    [change] = [c for c in _changes(deps) if not c["data"]["created"]]
    assert change["data"]["changed_fields"] == ["status"] and change["data"]["sign_in"] == ["signed_out", "disabled"]


def test_a_row_whose_sign_in_name_is_someone_elses_account_refuses_the_whole_file(deps):
    deps.users.add(SignInAccount("mp4721", "kent", "MP4721", "x@kent.example", True, frozenset({"officer"})))

    with pytest.raises(ImportRefused):
        import_registry(deps, "met", (HEADER + ROWS).encode())

    assert deps.registry.records == {} and _changes(deps) == []
    assert sorted(deps.users.accounts_by_name) == ["mp4721"]


def test_an_invalid_row_refuses_the_whole_file(deps):
    with pytest.raises(ImportRefused):
        import_registry(deps, "met", (HEADER + ROWS + "MP9,Bad,Row,XX,officer,serving,,bad,,\n").encode())

    assert deps.registry.records == {} and deps.users.accounts_by_name == {}
