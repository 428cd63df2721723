"""SPEC §7.3: the control room confirms by radio; every decision says how it was made (`method`).

Through the real routing with real JWTs; the control-room operators are added to the seeded registry.
"""

from __future__ import annotations

import pytest

from chalicelib.domain.registry import OfficerStatus, RegistryRecord, Role

START = {"location": {"lat": 51.5390, "lon": -0.1426}, "area": "Camden High St"}
OWNER, SERGEANT, SERGEANT_2 = "MP4721", "MP2001", "MP2002"
CONTROL, CONTROL_OTHER_FORCE = "MP7001", "WP7001"


def add_control_room(stack, force: str, officer_id: str, status: OfficerStatus = OfficerStatus.SERVING) -> None:
    stack.deps.registry.put(RegistryRecord(
        force=force, officer_id=officer_id, given_name="Tariq", family_name="Osei", rank="PC", status=status,
        role=Role.CONTROL_ROOM,
    ))


@pytest.fixture
def radio(stack):
    add_control_room(stack, "met", CONTROL)
    add_control_room(stack, "wiltshire", CONTROL_OTHER_FORCE)

    def call(vid: str, body: dict, officer_id: str = CONTROL, force: str = "met"):
        header = stack.tokens.header("control_room", force, officer_id)
        return stack.call("POST", f"/verifications/{vid}/radio-confirmation", body=body, headers=header)

    return call


def _start(stack) -> dict:
    status, body = stack.call("POST", "/verifications", OWNER, START)
    assert status == 201, body
    return body


def _connected(stack) -> dict:
    body = _start(stack)
    status, accepted = stack.call("POST", f"/verifications/{body['verification_id']}/accept", SERGEANT, {})
    assert status == 200, accepted
    return body


OPERATOR = {"officer_id": CONTROL, "rank": "PC", "family_name": "Osei", "role": "control_room"}


def test_radio_confirmation_while_waiting_ends_the_check(stack, radio):
    started = _start(stack)
    vid = started["verification_id"]
    meeting_id = stack.deps.verifications.get(vid).meeting_id

    status, body = radio(vid, {"outcome": "confirmed", "note": "Call sign answered on channel 3"})

    assert status == 200, body
    assert (body["status"], body["method"], body["sergeant"]) == ("confirmed", "radio", None)
    assert body["decided_by"] == OPERATOR and body["decided_at"].endswith("Z")
    assert body["outcome_note"] == "Call sign answered on channel 3"
    stored = stack.deps.verifications.get(vid)
    assert stored.status.value == "confirmed" and stored.method.value == "radio"
    assert stack.standin.meetings[meeting_id]["deleted"] is True  # the call ended
    assert stack.deps.verifications.active_verification_id("met", OWNER) is None
    [event] = [e for e in stack.deps.verifications.events(vid) if e["type"] == "verification.confirmed"]
    assert event["actor"] == {"role": "control_room", "officer_id": CONTROL}
    assert event["data"]["method"] == "radio"
    assert "channel" not in repr(event)  # the note is sealed
    # The officer sees it too.
    status, own = stack.call("GET", f"/verifications/{vid}", OWNER)
    assert (own["status"], own["method"], own["decided_by"]) == ("confirmed", "radio", OPERATOR)


def test_radio_confirmation_while_connected_keeps_the_sergeant(stack, radio):
    vid = _connected(stack)["verification_id"]

    status, body = radio(vid, {"outcome": "confirmed"})

    assert status == 200, body
    assert body["sergeant"]["officer_id"] == SERGEANT and body["decided_by"] == OPERATOR
    # The sergeant is now too late.
    status, late = stack.call("POST", f"/verifications/{vid}/outcome", SERGEANT, {"outcome": "not_confirmed"})
    assert status == 409 and late["error"]["code"] == "invalid_state"
    assert stack.deps.verifications.get(vid).status.value == "confirmed"


def test_radio_not_confirmed_alerts_the_control_room_topic(stack, radio):
    vid = _start(stack)["verification_id"]
    stack.alerts()  # drain

    status, body = radio(vid, {"outcome": "not_confirmed"})

    assert status == 200 and body["status"] == "not_confirmed" and body["method"] == "radio"
    [alert] = stack.alerts()
    assert alert["type"] == "verification_not_confirmed" and alert["verification_id"] == vid
    assert alert["location"]["lat"] == 51.539
    assert [e["type"] for e in stack.deps.verifications.events(vid)][-2:] == [
        "verification.not_confirmed", "alert.sent"]


def test_public_view_says_the_control_room_confirmed_by_radio(stack, radio):
    started = _start(stack)
    radio(started["verification_id"], {"outcome": "confirmed", "note": "secret note"})

    status, view = stack.call("GET", f"/public/verifications/{started['reference']}")

    assert status == 200
    assert view["confirmed_by"] == {"officer_id": CONTROL, "rank": "PC", "family_name": "Osei"}
    assert (view["method"], view["decided_by_role"]) == ("radio", "control_room")
    assert view["advice"] == "This person is a serving police officer, confirmed by the force's control room by radio."
    assert "secret" not in str(view) and "Tariq" not in str(view)


@pytest.mark.parametrize("state", ["confirmed", "not_confirmed", "cancelled"])
def test_from_a_decided_or_withdrawn_check_is_invalid_state(stack, radio, state):
    vid = _connected(stack)["verification_id"] if state != "cancelled" else _start(stack)["verification_id"]
    if state == "cancelled":
        stack.call("POST", f"/verifications/{vid}/cancel", OWNER, {})
    else:
        stack.call("POST", f"/verifications/{vid}/outcome", SERGEANT, {"outcome": state})
    before = stack.deps.verifications.get(vid)

    status, body = radio(vid, {"outcome": "confirmed"})

    assert status == 409 and body["error"]["code"] == "invalid_state"
    after = stack.deps.verifications.get(vid)
    assert (after.status, after.method, after.audit_seq) == (before.status, before.method, before.audit_seq)


def test_another_forces_check_is_not_found(stack, radio):
    vid = _start(stack)["verification_id"]
    status, body = radio(vid, {"outcome": "confirmed"}, CONTROL_OTHER_FORCE, "wiltshire")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = radio("no-such-check", {"outcome": "confirmed"})
    assert status == 404 and body["error"]["code"] == "not_found"
    assert stack.deps.verifications.get(vid).status.value == "awaiting_sergeant"


@pytest.mark.parametrize("body", [
    {}, {"outcome": "maybe"}, {"outcome": "confirmed", "method": "radio"}, {"outcome": "confirmed", "extra": 1},
    {"outcome": "confirmed", "note": "x" * 501},
])
def test_bad_bodies_are_refused(stack, radio, body):
    vid = _start(stack)["verification_id"]
    status, answer = radio(vid, body)
    assert status == 400 and answer["error"]["code"] == "validation_error", answer
    assert stack.deps.verifications.get(vid).status.value == "awaiting_sergeant"


def test_a_suspended_operator_is_refused_by_the_registry(stack, radio):
    add_control_room(stack, "met", "MP7002", OfficerStatus.SUSPENDED)
    vid = _start(stack)["verification_id"]
    status, body = radio(vid, {"outcome": "confirmed"}, "MP7002")
    assert status == 403 and body["error"]["code"] == "officer_not_serving"
    assert stack.deps.verifications.get(vid).status.value == "awaiting_sergeant"


def test_a_token_claiming_control_room_for_a_sergeant_is_forbidden(stack, radio):
    vid = _start(stack)["verification_id"]
    status, body = radio(vid, {"outcome": "confirmed"}, SERGEANT_2)
    assert status == 403 and body["error"]["code"] == "forbidden"


# ---- `method` on a sergeant's decision ---------------------------------------------------------

@pytest.mark.parametrize(("sent", "recorded"), [(None, "video"), ("video", "video"), ("audio", "audio")])
def test_a_sergeants_outcome_records_the_method(stack, sent, recorded):
    started = _connected(stack)
    vid = started["verification_id"]
    body = {"outcome": "confirmed", **({"method": sent} if sent else {})}

    status, decided = stack.call("POST", f"/verifications/{vid}/outcome", SERGEANT, body)

    assert status == 200 and decided["method"] == recorded
    assert decided["decided_by"] == {"officer_id": SERGEANT, "rank": "PS", "family_name": "Patel", "role": "sergeant"}
    [event] = [e for e in stack.deps.verifications.events(vid) if e["type"] == "verification.confirmed"]
    assert event["data"]["method"] == recorded
    _, view = stack.call("GET", f"/public/verifications/{started['reference']}")
    assert (view["method"], view["decided_by_role"]) == (recorded, "sergeant")


@pytest.mark.parametrize("method", ["radio", "phone", None, 1])
def test_outcome_refuses_radio_and_unknown_methods(stack, method):
    vid = _connected(stack)["verification_id"]
    status, body = stack.call("POST", f"/verifications/{vid}/outcome", SERGEANT,
                              {"outcome": "confirmed", "method": method})
    assert status == 400 and body["error"]["code"] == "validation_error"
    assert body["error"]["message"].startswith("method")
    assert stack.deps.verifications.get(vid).status.value == "connected"


def test_method_stays_null_until_decided_and_for_undecided_ends(stack):
    vid = _start(stack)["verification_id"]
    _, waiting = stack.call("GET", f"/verifications/{vid}", OWNER)
    assert (waiting["method"], waiting["decided_by"]) == (None, None)
    _, cancelled = stack.call("POST", f"/verifications/{vid}/cancel", OWNER, {})
    assert (cancelled["status"], cancelled["method"], cancelled["decided_by"]) == ("cancelled", None, None)
