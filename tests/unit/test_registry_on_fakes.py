"""Duty and the registry on fakes: sergeants set their own duty; an admin's change of a record is
stored, carried to the person's sign-in account and audited (names only, never values)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.errors import Forbidden, NotFound, OfficerNotServing, ValidationFailed
from chalicelib.domain.registry import Duty, OfficerStatus, Role
from chalicelib.domain.sign_in import SignInAccount
from chalicelib.schemas import DutyRequest, OfficerRecordRequest
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, principal, sergeant
from tests.unit.factories import record, sergeant_record

ADMIN = principal("AD0001", Role.ADMIN)
PHOTO = b"\xff\xd8\xff\xe0 a photo"


def duty_of(result: Any) -> str:
    """The duty a set_duty answered with (a dict body today)."""
    return result["duty"] if isinstance(result, dict) else result.duty.value


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [
        record(), sergeant_record(), sergeant_record(officer_id="MS0002", status=OfficerStatus.SUSPENDED),
        record(officer_id="MS0003", rank="PS"),  # a sergeant's token, an officer's record
    ])


def _registry_events(deps) -> list[dict[str, Any]]:
    return [event for pk in sorted(deps.verifications.chains) if pk.startswith("A#")
            for event in deps.verifications.attempt_events(pk[2:])]


def _request(**changes: Any) -> OfficerRecordRequest:
    body = {"given_name": "Sam", "family_name": "Jones", "rank": "PC", "status": "serving", "role": "officer",
            "phone": None, "photo": None, "duty": None, **changes}
    return OfficerRecordRequest.model_validate(body)


def test_a_serving_sergeant_sets_their_own_duty(deps):
    result = services.set_duty(deps, sergeant("MS0815"), DutyRequest(status="off_duty"))

    assert duty_of(result) == "off_duty"
    assert deps.registry.get("met", "MS0815").duty is Duty.OFF_DUTY
    assert deps.registry.available_sergeants("met") == []


def test_duty_is_refused_to_officers_non_sergeants_and_the_suspended(deps):
    with pytest.raises(Forbidden):
        services.set_duty(deps, officer("MP4721"), DutyRequest(status="available"))
    with pytest.raises(Forbidden):
        services.set_duty(deps, sergeant("MS0003"), DutyRequest(status="available"))
    with pytest.raises(OfficerNotServing):
        services.set_duty(deps, sergeant("MS0002"), DutyRequest(status="available"))
    with pytest.raises(OfficerNotServing):
        services.set_duty(deps, sergeant("MS9999"), DutyRequest(status="available"))

    assert deps.registry.get("met", "MS0002").duty is Duty.AVAILABLE
    assert deps.registry.get("met", "MS0003").duty is None


def test_an_admin_adds_a_record_and_the_change_is_audited_by_field_name(deps):
    services.put_officer(deps, ADMIN, "MP0100", _request(given_name="Priya", family_name="Shah"))

    stored = deps.registry.get("met", "MP0100")
    assert (stored.given_name, stored.family_name, stored.role) == ("Priya", "Shah", Role.OFFICER)
    [changed] = _registry_events(deps)
    assert changed["type"] == "registry.changed"
    assert changed["actor"] == {"role": "admin", "officer_id": "AD0001"}
    assert changed["data"]["officer_id"] == "MP0100" and changed["data"]["created"] is True
    assert "given_name" in changed["data"]["changed_fields"]
    assert "Priya" not in repr(changed)  # names of fields, never values
    assert deps.users.accounts_by_name == {}  # the API carries no address: no account is made


def test_a_new_photo_is_pinned_to_the_version_now_stored(deps):
    version = deps.photo_store.put("met/MP4721.jpg", PHOTO, "image/jpeg", hashlib.sha256(PHOTO).hexdigest())

    services.put_officer(deps, ADMIN, "MP4721", _request(photo="met/MP4721.jpg"))

    stored = deps.registry.get("met", "MP4721")
    assert (stored.photo, stored.photo_version_id, stored.photo_sha256) == (
        "met/MP4721.jpg", version, hashlib.sha256(PHOTO).hexdigest())
    [changed] = _registry_events(deps)
    assert changed["data"]["photo"]["to"]["version_id"] == version


def test_a_photo_that_is_not_in_the_bucket_is_refused_and_nothing_is_stored(deps):
    before = deps.registry.get("met", "MP4721")

    with pytest.raises(ValidationFailed):
        services.put_officer(deps, ADMIN, "MP4721", _request(photo="met/missing.jpg"))

    assert deps.registry.get("met", "MP4721") == before
    assert _registry_events(deps) == []


def test_a_suspension_signs_the_person_out_and_disables_their_account(deps):
    deps.users.add(SignInAccount("mp4721", "met", "MP4721", "sam@met.example", True, frozenset({"officer"})))

    services.put_officer(deps, ADMIN, "MP4721", _request(status="suspended"))

    assert deps.registry.get("met", "MP4721").status is OfficerStatus.SUSPENDED
    assert deps.users.get("mp4721").enabled is False
    assert deps.users.signed_out == ["mp4721"]
    [changed] = _registry_events(deps)
    assert changed["data"]["changed_fields"] == ["status"]
    assert changed["data"]["sign_in"] == ["signed_out", "disabled"]


def test_another_forces_account_of_the_same_name_is_left_alone(deps):
    deps.users.add(SignInAccount("mp4721", "kent", "MP4721", "x@kent.example", True, frozenset({"officer"})))

    services.put_officer(deps, ADMIN, "MP4721", _request(status="left"))

    assert deps.users.get("mp4721").enabled is True and deps.users.signed_out == []
    assert "sign_in" not in _registry_events(deps)[0]["data"]


def test_an_unchanged_record_writes_and_audits_nothing(deps):
    services.put_officer(deps, ADMIN, "MP4721", _request())

    assert _registry_events(deps) == []


def test_only_admins_change_the_registry_and_admins_and_auditors_read_it_audited(deps):
    with pytest.raises(Forbidden):
        services.put_officer(deps, sergeant("MS0815"), "MP4721", _request(status="left"))
    assert deps.registry.get("met", "MP4721").status is OfficerStatus.SERVING

    services.get_officer(deps, principal("AU0001", Role.AUDITOR), "MP4721")
    with pytest.raises(NotFound):
        services.get_officer(deps, ADMIN, "MP9999")

    [viewed] = _registry_events(deps)
    assert (viewed["type"], viewed["data"]["officer_id"], viewed["data"]["reason"]) == (
        "registry.viewed", "MP4721", "audit")
