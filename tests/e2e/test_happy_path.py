"""The whole story over HTTP against the stack `make run` starts: officer, SMS, race, confirm,
public view, S3 audit chain, meeting deleted. Then the not-confirmed alarm and a refused officer."""

from __future__ import annotations

import hashlib
import json
import threading
import time

import pytest

from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

START = {"location": {"lat": 51.5390, "lon": -0.1426, "accuracy_m": 15}, "area": "Camden High St"}


def _chain_is_valid(objects: dict[str, bytes]) -> list[dict]:
    events = sorted((json.loads(body) for body in objects.values()), key=lambda e: e["seq"])
    previous = "0" * 64
    for position, (key, _event) in enumerate(sorted(((k, json.loads(v)) for k, v in objects.items())), start=1):
        assert key.endswith(f"/{position:06d}.json")
    for position, event in enumerate(events, start=1):
        unhashed = {k: v for k, v in event.items() if k != "hash"}
        digest = hashlib.sha256(
            json.dumps(unhashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        assert (event["seq"], event["prev_hash"], event["hash"]) == (position, previous, digest)
        previous = event["hash"]
    return events


def test_health(live_stack):
    assert live_stack.call("GET", "/health") == (200, {"status": "ok"})


def test_officer_to_confirmation_end_to_end(live_stack):
    sms_before = len(live_stack.sms())
    status, started = live_stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, started
    vid, reference = started["verification_id"], started["reference"]
    assert started["status"] == "awaiting_sergeant"
    assert started["meeting"]["Meeting"]["MeetingId"] and started["meeting"]["Attendee"]["JoinToken"]
    assert started["citizen_url"].endswith(f"/v/{reference}")

    # Exactly the available serving sergeants of the Met got one SMS each.
    expected_phones = {u["phone"] for u in live_stack.users(force="met", role="sergeant", status="serving",
                                                            duty="available")}
    assert len(expected_phones) == 3
    sent = live_stack.sms()[sms_before:]
    assert sorted(m["phone_number"] for m in sent) == sorted(expected_phones)
    for message in sent:
        assert message["message"] == (
            f"Safe Connection: PC Jones (MP4721) asks for ID verification near Camden High St. "
            f"Open {live_stack.api}/s/{vid}"
        )
        assert len(message["message"]) <= 160

    # Two sergeants tap the link at the same moment: exactly one wins.
    for officer_id in ("MP2001", "MP2002"):
        live_stack.sign_in(officer_id)
    results: dict[str, tuple[int, dict]] = {}
    barrier = threading.Barrier(2)

    def accept(officer_id: str) -> None:
        barrier.wait()
        results[officer_id] = live_stack.call("POST", f"/verifications/{vid}/accept", officer_id, {})

    threads = [threading.Thread(target=accept, args=(o,)) for o in ("MP2001", "MP2002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 409], results
    winner = next(o for o, (s, _) in results.items() if s == 200)
    loser = next(o for o, (s, _) in results.items() if s == 409)
    assert results[loser][1]["error"]["code"] == "already_accepted"
    accepted = results[winner][1]
    assert accepted["sergeant"]["officer_id"] == winner
    assert accepted["officer_record"]["family_name"] == "Jones" and accepted["officer_record"]["photo_url"]
    assert accepted["meeting"]["Meeting"]["MeetingId"] == started["meeting"]["Meeting"]["MeetingId"]

    status, decided = live_stack.call("POST", f"/verifications/{vid}/outcome", winner, {"outcome": "confirmed"})
    assert status == 200 and decided["status"] == "confirmed"

    status, public = live_stack.call("GET", f"/public/verifications/{reference}")
    assert status == 200 and public["status"] == "confirmed"
    assert public["confirmed_by"]["officer_id"] == winner
    assert "location" not in public and "51.539" not in json.dumps(public)

    # The photo link works from a phone with no credentials.
    import urllib.request

    # The citizen_url the officer shows her is a plain HTML page (no JavaScript needed).
    with urllib.request.urlopen(started["citizen_url"], timeout=10) as page:
        html = page.read().decode("utf-8")
        assert page.headers["Content-Type"].startswith("text/html")
    assert "Confirmed police officer" in html and f"({winner})" in html and "<script" not in html

    with urllib.request.urlopen(public["officer"]["photo_url"], timeout=10) as photo:
        assert photo.read(8) == b"\x89PNG\r\n\x1a\n"

    objects = wait_for(lambda: (o := live_stack.audit_events(vid)) and len(o) >= 6 and o, timeout=15)
    events = _chain_is_valid(objects)
    assert [e["type"] for e in events] == [
        "verification.requested", "sergeants.notified", "sms.sent", "verification.accepted",
        "registry.disclosed", "verification.confirmed",
    ]
    assert sorted(events[1]["data"]["recipients"]) == ["MP2001", "MP2002", "MP2003"]
    assert sorted(events[2]["data"]["recipients"]) == ["MP2001", "MP2002", "MP2003"]
    assert "+44" not in json.dumps(events)
    assert all(f"audit/force=met/date={started['created_at'][:10]}/{vid}/" in key for key in objects)

    meeting_id = started["meeting"]["Meeting"]["MeetingId"]
    assert wait_for(lambda: live_stack.meetings().get(meeting_id, {}).get("deleted"), timeout=5)


def test_not_confirmed_raises_the_alarm_with_location(live_stack):
    live_stack.alerts(wait_seconds=0)  # drain anything earlier tests caused
    status, started = live_stack.call("POST", "/verifications", "WP1187", {
        "location": {"lat": 51.3498, "lon": -1.9941}, "area": "Devizes Market Place",
    })
    assert status == 201
    vid = started["verification_id"]
    assert live_stack.call("POST", f"/verifications/{vid}/accept", "WP3002", {})[0] == 200
    status, decided = live_stack.call("POST", f"/verifications/{vid}/outcome", "WP3002",
                                      {"outcome": "not_confirmed", "note": "face does not match"})
    assert status == 200 and decided["status"] == "not_confirmed"
    alerts = wait_for(lambda: live_stack.alerts(), timeout=10)
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["type"] == "verification_not_confirmed" and alert["force"] == "wiltshire"
    assert alert["location"] == {"lat": 51.3498, "lon": -1.9941, "accuracy_m": None}
    assert alert["reference"] == started["reference"]
    _, public = live_stack.call("GET", f"/public/verifications/{started['reference']}")
    assert "Call 999" in public["advice"]


def test_suspended_officer_is_refused_and_nothing_is_sent(live_stack):
    live_stack.alerts(wait_seconds=0)
    sms_before = len(live_stack.sms())
    status, body = live_stack.call("POST", "/verifications", "MP3390", START)
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")
    time.sleep(0.5)
    assert len(live_stack.sms()) == sms_before
    alerts = wait_for(lambda: live_stack.alerts(), timeout=10)
    assert alerts[0]["type"] == "officer_not_serving" and alerts[0]["officer_id"] == "MP3390"


def test_stack_json_follows_the_spec_layout(live_stack):
    details = live_stack.details
    for key in ("api_url", "aws_endpoint_url", "region", "cognito", "audit_bucket", "alerts_topic_arn", "users"):
        assert key in details
    assert details["region"] == "eu-west-2"
    assert set(details["cognito"]) == {"user_pool_id", "client_id"}
    for user in details["users"]:
        assert {"username", "password", "role", "force", "officer_id", "status", "duty", "phone"} <= set(user)
    for force in ("met", "wiltshire"):
        people = live_stack.users(force=force)
        assert len([u for u in people
                    if u["role"] == "sergeant" and u["duty"] == "available" and u["status"] == "serving"]) >= 3
        assert any(u["role"] == "sergeant" and u["duty"] == "off_duty" for u in people)
        assert any(u["status"] == "suspended" for u in people)
        assert any(u["role"] == "admin" for u in people)
        assert len([u for u in people if u["role"] == "control_room"]) == 1  # SPEC §7.3
        assert all(u["phone"] for u in people)
        assert any(u["role"] == "officer" and u["status"] == "serving" for u in people)
