"""Lifecycle rules through the API: one active check per officer, late actions, duty, self-checks."""

from __future__ import annotations

import chalicelib.services.reading

START = {"location": {"lat": 51.5390, "lon": -0.1426}, "area": "Camden High St"}


def _start(stack, officer="MP4721"):
    status, body = stack.call("POST", "/verifications", officer, START)
    assert status == 201, body
    return body["verification_id"]


def test_one_active_verification_per_officer(stack):
    vid = _start(stack)
    status, body = stack.call("POST", "/verifications", "MP4721", START)
    assert (status, body["error"]["code"], body["error"]["verification_id"]) == (409, "active_verification_exists", vid)
    assert stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {})[0] == 200
    assert _start(stack) != vid


def test_suspended_officer_is_refused_audited_and_alerted_but_nothing_sent(stack):
    status, body = stack.call("POST", "/verifications", "MP3390", START)
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")
    assert stack.sms() == []
    assert stack.standin.meetings == {}
    stack.pump_audit()
    events = list(stack.audit_objects().values())
    assert [e["type"] for e in events] == ["officer_not_serving.attempt"]
    assert events[0]["data"]["officer_id"] == "MP3390" and events[0]["data"]["registry_status"] == "suspended"
    alerts = stack.alerts()
    assert len(alerts) == 1 and alerts[0]["type"] == "officer_not_serving"
    assert alerts[0]["officer_id"] == "MP3390" and alerts[0]["location"]["lat"] == 51.539


def test_unknown_officer_counts_as_not_serving(stack):
    header = stack.tokens.header("officer", "met", "MP9999")
    status, body = stack.call("POST", "/verifications", body=START, headers=header)
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")


def test_late_and_repeated_actions_are_invalid_state(stack):
    vid = _start(stack)
    assert (
        stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})[1]["error"]["code"]
        == "invalid_state"
    )
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})[0] == 200
    for method, path, caller, body in [
        ("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"}),
        ("POST", f"/verifications/{vid}/cancel", "MP4721", {}),
        ("POST", f"/verifications/{vid}/accept", "MP2002", {}),
    ]:
        status, reply = stack.call(method, path, caller, body)
        assert (status, reply["error"]["code"]) == (409, "invalid_state"), path
    assert stack.deps.verifications.get(vid).status.value == "confirmed"


def test_accept_after_cancel_is_invalid_state(stack):
    vid = _start(stack)
    stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {})
    status, body = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert (status, body["error"]["code"]) == (409, "invalid_state")


def test_second_sergeant_gets_already_accepted_and_winner_can_rejoin(stack):
    vid = _start(stack)
    status, first = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert status == 200
    status, body = stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})
    assert (status, body["error"]["code"]) == (409, "already_accepted")
    status, again = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert status == 200 and again["meeting"]["Attendee"] == first["meeting"]["Attendee"]
    types = [e["type"] for e in stack.deps.verifications.events(vid)]
    assert types.count("verification.accepted") == 1 and types.count("registry.disclosed") == 2


def test_accept_returns_meeting_and_registry_record(stack):
    vid = _start(stack)
    status, body = stack.call("POST", f"/verifications/{vid}/accept", "MP2003", {})
    assert status == 200
    assert set(body["meeting"]) == {"Meeting", "Attendee"}
    assert body["meeting"]["Attendee"]["ExternalUserId"] == "sergeant-MP2003"
    record = body["officer_record"]
    assert {k: record[k] for k in ("officer_id", "rank", "given_name", "family_name", "status")} == {
        "officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones", "status": "serving",
    }
    assert "photos/met/MP4721.png" in record["photo_url"]
    assert body["sergeant"]["officer_id"] == "MP2003" and body["accepted_at"].endswith("Z")


def test_off_duty_sergeant_cannot_accept_until_available(stack):
    vid = _start(stack)
    status, body = stack.call("POST", f"/verifications/{vid}/accept", "MP2004", {})
    assert (status, body["error"]["code"]) == (403, "not_on_duty")
    assert stack.call("PUT", "/me/duty", "MP2004", {"status": "available"}) == (
        200,
        {"officer_id": "MP2004", "duty": "available"},
    )
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2004", {})[0] == 200


def test_suspended_sergeant_cannot_accept_or_go_on_duty(stack):
    stack.call("PUT", "/officers/MP2001", "MP0001", {
        "given_name": "Aisha", "family_name": "Patel", "rank": "PS", "status": "suspended",
        "role": "sergeant", "phone": "+447700900004", "photo": "photos/met/MP2001.png", "duty": "available",
    })
    vid = _start(stack)
    assert "+447700900004" not in [phone for phone, _ in stack.sms()]
    status, body = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")
    status, body = stack.call("PUT", "/me/duty", "MP2001", {"status": "available"})
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")


def test_cannot_verify_self(stack):
    """A sergeant in plain clothes starts a check as an officer; they can't then accept it."""
    officer_header = stack.tokens.header("officer", "met", "MP2003")
    status, started = stack.call("POST", "/verifications", body=START, headers=officer_header)
    assert status == 201
    assert "+447700900006" not in [phone for phone, _ in stack.sms()]
    status, body = stack.call("POST", f"/verifications/{started['verification_id']}/accept", "MP2003", {})
    assert (status, body["error"]["code"]) == (403, "cannot_verify_self")


def test_list_filters_and_validates_status(stack):
    vid = _start(stack)
    status, body = stack.call("GET", "/verifications", "MP2001")
    assert status == 200 and [i["verification_id"] for i in body["items"]] == [vid]
    status, body = stack.call("GET", "/verifications?status=connected", "MP2001")
    assert status == 200 and body["items"] == []
    status, body = stack.call("GET", "/verifications?status=everything", "MP2001")
    assert (status, body["error"]["code"]) == (400, "validation_error")


def test_internal_errors_never_leak_details(stack, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("table safe-connection-verifications password=hunter2")

    monkeypatch.setattr(chalicelib.services.reading, "get_verification", explode)
    response = stack.client.http.get("/verifications/abc", headers=stack.headers("MP4721"))
    assert response.status_code == 500
    assert b"hunter2" not in response.body and b"Traceback" not in response.body
    assert b'"internal_error"' in response.body
