"""SPEC §4's who-may-do-what table, route x role x own/other force, through the real routing.

Each case names the caller by seeded officer id (their token carries their role and force).
A record the caller may not see is 404 (existence is never revealed); a role that may never use
a route is 403.
"""

from __future__ import annotations

import pytest

START = {"location": {"lat": 51.5390, "lon": -0.1426}, "area": "Camden High St"}
OWNER = "MP4721"  # met officer who owns the verification under test

OFFICER_OWN, OFFICER_SAME_FORCE, OFFICER_OTHER_FORCE = "MP4721", "MP5102", "WP1187"
SERGEANT, SERGEANT_2, SERGEANT_OTHER_FORCE = "MP2001", "MP2002", "WP3001"
ADMIN, ADMIN_OTHER_FORCE = "MP0001", "WP0101"
AUDITOR, AUDITOR_OTHER_FORCE = "MP0002", "WP0102"
CONTROL, CONTROL_OTHER_FORCE = "MP0003", "WP0103"
EVERYONE = [
    OFFICER_OWN, OFFICER_SAME_FORCE, OFFICER_OTHER_FORCE, SERGEANT, SERGEANT_OTHER_FORCE,
    ADMIN, ADMIN_OTHER_FORCE, AUDITOR, AUDITOR_OTHER_FORCE, CONTROL, CONTROL_OTHER_FORCE,
]
# The control room uses only its own routes (SPEC §7.3): every route of SPEC §4 refuses it.
NOT_CONTROL_ROOM = {CONTROL: 403, CONTROL_OTHER_FORCE: 403}


def _start(stack) -> dict:
    status, body = stack.call("POST", "/verifications", OWNER, START)
    assert status == 201, body
    return body


def _connected(stack) -> dict:
    body = _start(stack)
    status, accepted = stack.call("POST", f"/verifications/{body['verification_id']}/accept", SERGEANT, {})
    assert status == 200, accepted
    return body


GET_ONE = {
    OFFICER_OWN: 200, OFFICER_SAME_FORCE: 404, OFFICER_OTHER_FORCE: 404,
    SERGEANT: 200, SERGEANT_OTHER_FORCE: 404, ADMIN: 200, ADMIN_OTHER_FORCE: 404,
    AUDITOR: 200, AUDITOR_OTHER_FORCE: 404,
    **NOT_CONTROL_ROOM,
}
ACCEPT = {
    OFFICER_OWN: 403, OFFICER_SAME_FORCE: 403, OFFICER_OTHER_FORCE: 403,
    SERGEANT: 200, SERGEANT_OTHER_FORCE: 404, ADMIN: 403, ADMIN_OTHER_FORCE: 403,
    AUDITOR: 403, AUDITOR_OTHER_FORCE: 403,
    **NOT_CONTROL_ROOM,
}
OUTCOME = {  # the verification is connected with SERGEANT
    OFFICER_OWN: 403, OFFICER_SAME_FORCE: 403, OFFICER_OTHER_FORCE: 403,
    SERGEANT: 200, SERGEANT_2: 403, SERGEANT_OTHER_FORCE: 404, ADMIN: 403, ADMIN_OTHER_FORCE: 403,
    AUDITOR: 403, AUDITOR_OTHER_FORCE: 403,
    **NOT_CONTROL_ROOM,
}
CANCEL = {
    OFFICER_OWN: 200, OFFICER_SAME_FORCE: 404, OFFICER_OTHER_FORCE: 404,
    SERGEANT: 403, SERGEANT_OTHER_FORCE: 403, ADMIN: 403, ADMIN_OTHER_FORCE: 403,
    AUDITOR: 403, AUDITOR_OTHER_FORCE: 403,
    **NOT_CONTROL_ROOM,
}
START_ROUTE = {  # callers without an active verification of their own
    OFFICER_SAME_FORCE: 201, OFFICER_OTHER_FORCE: 201, SERGEANT: 403, ADMIN: 403, AUDITOR: 403,
    **NOT_CONTROL_ROOM,
}
LIST = {
    OFFICER_OWN: 403, SERGEANT: 200, SERGEANT_OTHER_FORCE: 200, ADMIN: 403, AUDITOR: 403,
    **NOT_CONTROL_ROOM,
}
DUTY = {OFFICER_OWN: 403, SERGEANT: 200, SERGEANT_OTHER_FORCE: 200, ADMIN: 403, AUDITOR: 403, **NOT_CONTROL_ROOM}
GET_OFFICER = {  # reading met's MP4721
    OFFICER_OWN: 403, SERGEANT: 403, ADMIN: 200, AUDITOR: 200,
    ADMIN_OTHER_FORCE: 404, AUDITOR_OTHER_FORCE: 404,
    **NOT_CONTROL_ROOM,
}
PUT_OFFICER = {OFFICER_OWN: 403, SERGEANT: 403, AUDITOR: 403, ADMIN: 200, ADMIN_OTHER_FORCE: 200, **NOT_CONTROL_ROOM}
# SPEC §7.3: the control room of the check's force only.
RADIO_CONFIRMATION = {caller: 403 for caller in EVERYONE} | {CONTROL: 200, CONTROL_OTHER_FORCE: 404}


@pytest.mark.parametrize("caller,expected", GET_ONE.items())
def test_get_verification(stack, caller, expected):
    vid = _start(stack)["verification_id"]
    status, body = stack.call("GET", f"/verifications/{vid}", caller)
    assert status == expected, body
    if expected == 200:
        assert body["verification_id"] == vid and body["officer"]["officer_id"] == OWNER
    else:
        assert body["error"]["code"] == {403: "forbidden", 404: "not_found"}[expected]


@pytest.mark.parametrize("caller,expected", ACCEPT.items())
def test_accept(stack, caller, expected):
    vid = _start(stack)["verification_id"]
    status, body = stack.call("POST", f"/verifications/{vid}/accept", caller, {})
    assert status == expected, body
    stored = stack.deps.verifications.get(vid)
    if expected == 200:
        assert stored.status.value == "connected" and stored.sergeant.officer_id == caller
    else:
        assert body["error"]["code"] == {403: "forbidden", 404: "not_found"}[expected]
        assert stored.status.value == "awaiting_sergeant" and stored.sergeant is None


@pytest.mark.parametrize("caller,expected", OUTCOME.items())
def test_outcome(stack, caller, expected):
    vid = _connected(stack)["verification_id"]
    status, body = stack.call("POST", f"/verifications/{vid}/outcome", caller, {"outcome": "confirmed"})
    assert status == expected, body
    stored = stack.deps.verifications.get(vid)
    assert stored.status.value == ("confirmed" if expected == 200 else "connected")


@pytest.mark.parametrize("caller,expected", CANCEL.items())
def test_cancel(stack, caller, expected):
    vid = _start(stack)["verification_id"]
    status, body = stack.call("POST", f"/verifications/{vid}/cancel", caller, {})
    assert status == expected, body
    stored = stack.deps.verifications.get(vid)
    assert stored.status.value == ("cancelled" if expected == 200 else "awaiting_sergeant")


@pytest.mark.parametrize("caller,expected", START_ROUTE.items())
def test_start(stack, caller, expected):
    status, body = stack.call("POST", "/verifications", caller, START)
    assert status == expected, body
    if expected == 201:
        assert body["officer"]["officer_id"] == caller
        assert body["force"] == stack.person(caller).force
    else:
        assert body["error"]["code"] == "forbidden"
        assert stack.sms() == []


@pytest.mark.parametrize("caller,expected", LIST.items())
def test_list_awaiting(stack, caller, expected):
    vid = _start(stack)["verification_id"]
    status, body = stack.call("GET", "/verifications?status=awaiting_sergeant", caller)
    assert status == expected, body
    if expected == 200:
        ids = [item["verification_id"] for item in body["items"]]
        same_force = stack.person(caller).force == "met"
        assert (vid in ids) is same_force
        assert all(item["force"] == stack.person(caller).force for item in body["items"])


@pytest.mark.parametrize("caller,expected", DUTY.items())
def test_set_duty(stack, caller, expected):
    status, body = stack.call("PUT", "/me/duty", caller, {"status": "off_duty"})
    assert status == expected, body
    if expected == 200:
        assert body == {"officer_id": caller, "duty": "off_duty"}
        person = stack.person(caller)
        assert stack.deps.registry.get(person.force, caller).duty.value == "off_duty"


@pytest.mark.parametrize("caller,expected", GET_OFFICER.items())
def test_get_officer(stack, caller, expected):
    status, body = stack.call("GET", "/officers/MP4721", caller)
    assert status == expected, body
    if expected == 200:
        assert body["officer_id"] == "MP4721" and body["force"] == "met" and body["status"] == "serving"


NEW_RECORD = {
    "given_name": "Ffion", "family_name": "Rees", "rank": "PC", "status": "serving", "role": "officer",
    "phone": None, "photo": None, "duty": None,
}


@pytest.mark.parametrize("caller,expected", PUT_OFFICER.items())
def test_put_officer_only_in_own_force(stack, caller, expected):
    status, body = stack.call("PUT", "/officers/NEW001", caller, NEW_RECORD)
    assert status == expected, body
    caller_force = stack.person(caller).force
    other_force = "wiltshire" if caller_force == "met" else "met"
    stored = stack.deps.registry.get(caller_force, "NEW001")
    assert (stored is not None) is (expected == 200)
    # An admin can never write into another force's registry.
    assert stack.deps.registry.get(other_force, "NEW001") is None


def test_admin_cannot_change_another_forces_officer(stack):
    """Wiltshire's admin writing MP4721 creates a Wiltshire record; the Met's record is untouched."""
    status, _ = stack.call("PUT", "/officers/MP4721", ADMIN_OTHER_FORCE, {**NEW_RECORD, "status": "suspended"})
    assert status == 200
    assert stack.deps.registry.get("met", "MP4721").status.value == "serving"


@pytest.mark.parametrize("path", ["/verifications/abc", "/verifications?status=awaiting_sergeant", "/officers/MP4721"])
def test_unknown_role_gets_nothing(stack, path):
    header = stack.tokens.header("visitor", "met", "MP9999")
    status, body = stack.call("GET", path, headers=header)
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_public_and_health_need_no_token(stack):
    reference = _start(stack)["reference"]
    assert stack.call("GET", "/health") == (200, {"status": "ok"})
    status, body = stack.call("GET", f"/public/verifications/{reference}")
    assert status == 200 and body["reference"] == reference


# ---- control room (SPEC §7.3) ------------------------------------------------------------------

BOARD = {caller: 403 for caller in EVERYONE} | {CONTROL: 200, CONTROL_OTHER_FORCE: 200}
ACKNOWLEDGE = {caller: 403 for caller in EVERYONE} | {CONTROL: 200, CONTROL_OTHER_FORCE: 404}


def _not_confirmed_alert(stack) -> tuple[str, str]:
    """A met check the sergeant could not confirm: (verification id, the control room's alert id)."""
    vid = _connected(stack)["verification_id"]
    status, body = stack.call("POST", f"/verifications/{vid}/outcome", SERGEANT, {"outcome": "not_confirmed"})
    assert status == 200, body
    [alert] = [a for a in stack.deps.alert_store.board("met", 10, 10) if a.verification_id == vid]
    return vid, alert.alert_id


@pytest.mark.parametrize("caller,expected", BOARD.items())
def test_control_board(stack, caller, expected):
    decided, alert_id = _not_confirmed_alert(stack)
    waiting = _start(stack)["verification_id"]  # its owner's first check has ended
    status, body = stack.call("GET", "/control/board", caller)
    assert status == expected, body
    if expected != 200:
        assert body["error"]["code"] == "forbidden"
        return
    own_force = stack.person(caller).force == "met"
    assert [v["verification_id"] for v in body["active"]] == ([waiting] if own_force else [])
    assert [a["alert_id"] for a in body["alerts"]] == ([alert_id] if own_force else [])
    if own_force:
        [active], [alert] = body["active"], body["alerts"]
        assert active["status"] == "awaiting_sergeant" and active["waves_sent"] == 1
        assert active["waiting_seconds"] >= 0 and active["sergeant"] is None
        assert alert["kind"] == "verification_not_confirmed" and alert["verification_id"] == decided
        assert alert["officer"] == {"officer_id": OWNER, "rank": "PC", "given_name": "Sam", "family_name": "Jones"}
        assert alert["location"]["lat"] == 51.539 and alert["acknowledged_by"] is None


@pytest.mark.parametrize("caller,expected", ACKNOWLEDGE.items())
def test_acknowledge_alert(stack, caller, expected):
    _, alert_id = _not_confirmed_alert(stack)
    status, body = stack.call("POST", f"/control/alerts/{alert_id}/acknowledge", caller, {"note": "Units sent"})
    assert status == expected, body
    stored = stack.deps.alert_store.get(alert_id)
    if expected == 200:
        assert body["alert_id"] == alert_id and body["note"] == "Units sent"
        assert body["acknowledged_by"] == {"officer_id": CONTROL, "rank": "PC", "family_name": "Osei"}
        assert stored.acknowledged_at is not None and body["acknowledged_at"].endswith("Z")
        again = stack.call("POST", f"/control/alerts/{alert_id}/acknowledge", caller, {})
        assert again[0] == 409 and again[1]["error"]["code"] == "invalid_state"
    else:
        assert body["error"]["code"] == {403: "forbidden", 404: "not_found"}[expected]
        assert stored.acknowledged_at is None


@pytest.mark.parametrize("alert_id", ["no-such.alert", "nodot", "a.b.c"])
def test_acknowledging_an_unknown_alert_is_not_found(stack, alert_id):
    status, body = stack.call("POST", f"/control/alerts/{alert_id}/acknowledge", CONTROL, {})
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_acknowledge_rejects_unknown_fields(stack):
    _, alert_id = _not_confirmed_alert(stack)
    status, body = stack.call("POST", f"/control/alerts/{alert_id}/acknowledge", CONTROL, {"colour": "red"})
    assert (status, body["error"]["code"]) == (400, "validation_error")
    assert stack.deps.alert_store.get(alert_id).acknowledged_at is None


@pytest.mark.parametrize("caller,expected", RADIO_CONFIRMATION.items())
def test_radio_confirmation(stack, caller, expected):
    vid = _start(stack)["verification_id"]
    path, body = f"/verifications/{vid}/radio-confirmation", {"outcome": "confirmed"}
    status, answer = stack.call("POST", path, caller, body)
    assert status == expected, answer
    stored = stack.deps.verifications.get(vid)
    if expected == 200:
        assert answer["method"] == "radio" and answer["decided_by"]["officer_id"] == caller
        assert stored.status.value == "confirmed"
    else:
        assert answer["error"]["code"] == {403: "forbidden", 404: "not_found"}[expected]
        assert stored.status.value == "awaiting_sergeant" and stored.method is None


@pytest.mark.parametrize("route", ["accept", "outcome", "cancel"])
def test_the_control_room_confirms_only_by_radio(stack, route):
    """A control-room operator cannot use the sergeant's or the officer's routes on a check."""
    vid = _connected(stack)["verification_id"] if route == "outcome" else _start(stack)["verification_id"]
    body = {"outcome": "confirmed"} if route == "outcome" else {}
    status, answer = stack.call("POST", f"/verifications/{vid}/{route}", CONTROL, body)
    assert status in (403, 404) and answer["error"]["code"] in ("forbidden", "not_found"), answer
    assert stack.deps.verifications.get(vid).method is None


@pytest.mark.parametrize("route", ["board", "acknowledge", "radio-confirmation"])
def test_an_unknown_role_gets_none_of_the_control_rooms_routes(stack, route):
    """A signed token whose group is no role at all is refused the control room's three routes too."""
    _, alert_id = _not_confirmed_alert(stack)
    waiting = _start(stack)["verification_id"]
    method, path, body = {
        "board": ("GET", "/control/board", None),
        "acknowledge": ("POST", f"/control/alerts/{alert_id}/acknowledge", {"note": "x"}),
        "radio-confirmation": ("POST", f"/verifications/{waiting}/radio-confirmation", {"outcome": "confirmed"}),
    }[route]
    header = stack.tokens.header("visitor", "met", "MP9999")
    status, answer = stack.call(method, path, body=body, headers=header)
    assert (status, answer["error"]["code"]) == (403, "forbidden"), answer
    assert stack.deps.alert_store.get(alert_id).acknowledged_at is None
    assert stack.deps.verifications.get(waiting).status.value == "awaiting_sergeant"
