"""SPEC §7.2: the registry, not the token a caller still holds, decides on every request.

Every authenticated route of the SPEC tables is tried by a caller of the role that may use it,
after the registry stopped listing them as serving: 403 officer_not_serving, and nothing stored but
the audited refusal. A change made in this container applies at once; one made elsewhere (another
container, an import) within the registry cache's 60 s. A sergeant who stops serving while a
check waits for their decision cannot decide it: the check is handed back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from chalicelib.domain.registry import OfficerStatus

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
ADMIN = "MP0001"


def _start(stack, officer: str = "MP4721") -> dict[str, Any]:
    status, body = stack.call("POST", "/verifications", officer, START)
    assert status == 201, body
    return body


def _connected(stack, sergeant: str = "MP2001") -> dict[str, Any]:
    body = _start(stack)
    status, accepted = stack.call("POST", f"/verifications/{body['verification_id']}/accept", sergeant, {})
    assert status == 200, accepted
    return body


# Every authenticated route of SPEC §4, with a caller whose role may use it: (method, path, caller, body).
def _routes(stack) -> list[tuple[str, str, str, Any]]:
    connected = _connected(stack)["verification_id"]
    return [
        ("GET", f"/verifications/{connected}", "MP4721", None),
        ("POST", f"/verifications/{connected}/cancel", "MP4721", {}),
        ("POST", "/verifications", "MP5102", START),
        ("GET", "/verifications?status=awaiting_sergeant", "MP2002", None),
        # (the accepting sergeant's own refusal also hands the check back: tested below)
        ("POST", f"/verifications/{connected}/outcome", "MP2002", {"outcome": "confirmed"}),
        ("POST", f"/verifications/{connected}/accept", "MP2003", {}),
        ("PUT", "/me/duty", "MP2003", {"status": "off_duty"}),
        ("GET", "/officers/MP4721", "MP0002", None),
        ("PUT", "/officers/MP5102", ADMIN, {"given_name": "Priya", "family_name": "Shah", "rank": "DC",
                                            "status": "serving", "role": "officer", "phone": "+447700900011",
                                            "photo": None, "duty": None}),
        ("GET", "/control/board", "MP0003", None),
        ("POST", "/control/alerts/some-chain.some-alert/acknowledge", "MP0003", {}),
    ]


ROUTE_NAMES = ["get", "cancel", "start", "list", "outcome", "accept", "duty", "get_officer", "put_officer",
               "control_board", "acknowledge_alert"]


def _stop_serving_elsewhere(stack, officer_id: str, status: OfficerStatus = OfficerStatus.SUSPENDED) -> None:
    """What another container or an import does: the registry changes, this container's cache does not."""
    record = stack.deps.registry.get("met", officer_id)
    stack.deps.registry.put(dataclasses.replace(record, status=status))


def _refusal_types(stack) -> list[str]:
    import json

    return [json.loads(item["event_json"]["S"])["type"] for item in stack.stored_items()
            if item.get("kind", {}).get("S") == "audit_event"]


@pytest.mark.parametrize("index", range(len(ROUTE_NAMES)), ids=ROUTE_NAMES)
def test_every_route_refuses_a_caller_suspended_elsewhere_within_a_minute(stack, clock, index):
    method, path, caller, body = _routes(stack)[index]
    stack.deps.registry_cache.lookup("met", caller)  # as an earlier request of theirs would have
    _stop_serving_elsewhere(stack, caller)

    clock.advance(seconds=stack.settings.registry_cache_seconds + 1)
    items_before = stack.stored_items()
    sms_before = len(stack.sms())
    stack.alerts()
    status, answer = stack.call(method, path, caller, body)

    assert status == 403 and answer["error"]["code"] == "officer_not_serving", (status, answer)
    new_items = [item for item in stack.stored_items() if item not in items_before]
    # The audited refusal and nothing else (a refused start also keeps the key sealing where it was,
    # and the control room's alert record: SPEC §3 alerts a refused start).
    expected = ["alert", "audit_event", "data_key", "retention"] if path == "/verifications" else ["audit_event"]
    assert sorted(item["kind"]["S"] for item in new_items) == expected
    assert "officer_not_serving.attempt" in _refusal_types(stack)
    assert len(stack.sms()) == sms_before
    if path != "/verifications":  # a refused start is alerted (SPEC §3); no other refusal is
        assert stack.alerts() == []


def test_a_change_elsewhere_is_trusted_from_the_cache_for_at_most_a_minute(stack, clock):
    verification = _start(stack)["verification_id"]
    assert stack.call("GET", f"/verifications/{verification}", "MP4721")[0] == 200
    _stop_serving_elsewhere(stack, "MP4721", OfficerStatus.LEFT)

    clock.advance(seconds=stack.settings.registry_cache_seconds - 1)
    assert stack.call("GET", f"/verifications/{verification}", "MP4721")[0] == 200  # within the minute
    clock.advance(seconds=2)
    status, body = stack.call("GET", f"/verifications/{verification}", "MP4721")
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")


def test_a_suspension_by_an_admin_applies_at_once_in_the_same_container(stack):
    verification = _start(stack)["verification_id"]
    assert stack.call("GET", f"/verifications/{verification}", "MP0002")[0] == 200
    record = stack.call("GET", "/officers/MP0002", ADMIN)[1]
    fields = {k: v for k, v in record.items() if k not in ("officer_id", "force", "photo_url", "updated_at")}
    assert stack.call("PUT", "/officers/MP0002", ADMIN, {**fields, "status": "suspended"})[0] == 200

    status, body = stack.call("GET", f"/verifications/{verification}", "MP0002")
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")


def test_a_caller_missing_from_the_registry_is_not_serving(stack):
    header = stack.tokens.header("auditor", "met", "MP7777")
    status, body = stack.call("GET", "/officers/MP4721", headers=header)
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")


def test_a_token_whose_role_differs_from_the_registry_is_forbidden(stack):
    """MP4721 is an officer in the registry; a token claiming sergeant gets nothing."""
    header = stack.tokens.header("sergeant", "met", "MP4721")
    status, body = stack.call("GET", "/verifications?status=awaiting_sergeant", headers=header)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert "access.refused" in _refusal_types(stack)


# ---- a sergeant who stops serving cannot decide what they accepted --------------------------


def _sergeant_on_duty(stack, officer_id: str) -> None:
    assert stack.call("PUT", "/me/duty", officer_id, {"status": "available"})[0] == 200


def _suspend_by_admin(stack, officer_id: str) -> None:
    record = stack.call("GET", f"/officers/{officer_id}", ADMIN)[1]
    fields = {k: v for k, v in record.items() if k not in ("officer_id", "force", "photo_url", "updated_at")}
    status, body = stack.call("PUT", f"/officers/{officer_id}", ADMIN, {**fields, "status": "suspended"})
    assert status == 200, body


def _event_types(stack, verification_id: str) -> list[str]:
    return [e["type"] for e in stack.deps.verifications.events(verification_id)]


def test_a_suspended_sergeants_check_is_handed_back_texted_anew_and_alerted(stack, clock):
    check = _connected(stack, "MP2001")
    vid = check["verification_id"]
    meeting_id = stack.deps.verifications.get(vid).meeting_id
    assert any(
        a["ExternalUserId"] == "sergeant-MP2001" for a in stack.standin.meetings[meeting_id]["attendees"].values()
    )
    _sergeant_on_duty(stack, "MP2004")  # not texted in wave 1 (off duty then): the next wave is theirs
    stack.alerts()
    texted_before = len(stack.sms())

    clock.advance(seconds=60)
    _suspend_by_admin(stack, "MP2001")

    stored = stack.deps.verifications.get(vid)
    assert stored.status.value == "awaiting_sergeant" and stored.sergeant is None and stored.accepted_at is None
    assert stored.search_started_at == clock() and stored.first_wave_of_search == 2
    assert not any(a["ExternalUserId"] == "sergeant-MP2001"
                   for a in stack.standin.meetings[meeting_id]["attendees"].values())  # out of the call
    new_texts = stack.sms()[texted_before:]
    assert [phone for phone, _ in new_texts] == [stack.person("MP2004").phone]
    assert f"/s/{vid}" in new_texts[0][1]
    (alert,) = [a for a in stack.alerts() if a["type"] == "officer_not_serving"]
    assert alert["handed_back"] is True and alert["sergeant_id"] == "MP2001"
    assert alert["verification_id"] == vid and alert["location"] == START["location"]
    assert "verification.handed_back" in _event_types(stack, vid)

    status, body = stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")
    status, accepted = stack.call("POST", f"/verifications/{vid}/accept", "MP2004", {})
    assert status == 200 and accepted["sergeant"]["officer_id"] == "MP2004"
    status, decided = stack.call("POST", f"/verifications/{vid}/outcome", "MP2004", {"outcome": "confirmed"})
    assert status == 200 and decided["status"] == "confirmed"
    assert decided["sergeant"]["officer_id"] == "MP2004"


def test_the_old_timers_of_a_handed_back_check_change_nothing(stack, clock):
    """The first acceptance's decision timeout and the start's answer timeout fire into a new search."""
    vid = _connected(stack, "MP2001")["verification_id"]
    clock.advance(seconds=30)
    _suspend_by_admin(stack, "MP2001")
    # The start's answer timeout (90 s after the start) is due now; the new search's is not.
    stack.advance(seconds=61)
    assert stack.deps.verifications.get(vid).status.value == "awaiting_sergeant"
    status, _ = stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})
    assert status == 200
    # The first acceptance's decision timeout (600 s after it) must not end the second.
    stack.advance(seconds=600 - 91 + 1)
    assert stack.deps.verifications.get(vid).status.value == "connected"
    stack.advance(seconds=stack.settings.decision_timeout_seconds)
    assert stack.deps.verifications.get(vid).status.value == "expired"


def test_a_handed_back_check_nobody_takes_ends_unanswered_from_the_new_search(stack, clock):
    vid = _connected(stack, "MP2001")["verification_id"]
    clock.advance(seconds=200)
    _suspend_by_admin(stack, "MP2001")
    stack.advance(seconds=stack.settings.answer_timeout_seconds - 1)
    assert stack.deps.verifications.get(vid).status.value == "awaiting_sergeant"
    stack.advance(seconds=2)
    assert stack.deps.verifications.get(vid).status.value == "unanswered"


def test_a_sergeant_suspended_elsewhere_hands_back_when_they_next_call(stack, clock):
    """The registry changed by other means (another container, an import): their refused request
    hands the check back, once."""
    vid = _connected(stack, "MP2001")["verification_id"]
    _stop_serving_elsewhere(stack, "MP2001")
    clock.advance(seconds=stack.settings.registry_cache_seconds + 1)
    status, body = stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")
    assert stack.deps.verifications.get(vid).status.value == "awaiting_sergeant"
    assert _event_types(stack, vid).count("verification.handed_back") == 1
    stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})
    assert _event_types(stack, vid).count("verification.handed_back") == 1


def test_only_the_suspended_sergeants_checks_are_handed_back(stack):
    mine = _connected(stack, "MP2001")["verification_id"]
    other = _start(stack, "MP5102")["verification_id"]
    assert stack.call("POST", f"/verifications/{other}/accept", "MP2002", {})[0] == 200
    _suspend_by_admin(stack, "MP2001")
    assert stack.deps.verifications.get(mine).status.value == "awaiting_sergeant"
    assert stack.deps.verifications.get(other).status.value == "connected"
    assert stack.deps.verifications.get(other).sergeant.officer_id == "MP2002"
