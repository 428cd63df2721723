"""Escalation over HTTP against the `make run` stack with short timings (issue 3):
waves of one sergeant a second, an answer timeout of 8 s (slack for a loaded 2-core machine) and a
decision timeout of 3 s."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import wait_for

pytestmark = pytest.mark.e2e


def _start(stack, officer_id: str, area: str) -> dict:
    status, body = stack.call("POST", "/verifications", officer_id,
                              {"location": {"lat": 51.5072, "lon": -0.1276}, "area": area})
    assert status == 201, body
    return body


def _texts_for(stack, verification_id: str) -> list[dict]:
    return [m for m in stack.sms() if m["message"].endswith(f"/s/{verification_id}")]


def test_waves_then_unanswered_raises_the_alarm(fast_stack):
    started = _start(fast_stack, "MP4721", "Strand")
    vid = started["verification_id"]
    assert len(_texts_for(fast_stack, vid)) == 1  # wave 1: one sergeant

    status = wait_for(lambda: (
        (s := fast_stack.call("GET", f"/verifications/{vid}", "MP4721")[1]["status"]) != "awaiting_sergeant" and s
    ), timeout=15)
    assert status == "unanswered"

    texts = _texts_for(fast_stack, vid)
    phones = [m["phone_number"] for m in texts]
    available = {u["phone"] for u in fast_stack.users(force="met", role="sergeant", status="serving", duty="available")}
    assert len(phones) == len(set(phones)) == 3 and set(phones) == available  # distinct, in waves, all of them

    alerts = wait_for(lambda: fast_stack.alerts_for(vid), timeout=10)
    assert len(alerts) == 1
    assert alerts[0]["type"] == "verification_unanswered" and alerts[0]["force"] == "met"
    assert alerts[0]["officer"]["officer_id"] == "MP4721" and alerts[0]["location"]["lat"] == 51.5072
    _, public = fast_stack.call("GET", f"/public/verifications/{started['reference']}")
    assert public["status"] == "unanswered" and "999" in public["advice"] and "uniformed officer" in public["advice"]
    # Wait for the terminal event itself (the stream copies events to S3 a moment after the change).
    types = wait_for(lambda: (t := sorted(json.loads(body)["type"] for body in fast_stack.audit_events(vid).values()))
                     and "verification.unanswered" in t and t, timeout=10)
    assert types.count("sergeants.notified") == 3 and "verification.unanswered" in types
    meeting_id = started["meeting"]["Meeting"]["MeetingId"]
    assert fast_stack.meetings()[meeting_id]["deleted"]
    assert fast_stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[1]["error"]["code"] == "invalid_state"


def test_a_sergeant_texted_in_wave_two_wins_normally(fast_stack):
    started = _start(fast_stack, "MP5102", "Aldwych")
    vid = started["verification_id"]
    texts = wait_for(lambda: (t := _texts_for(fast_stack, vid)) and len(t) >= 2 and t, timeout=5)
    second = next(u for u in fast_stack.details["users"] if u["phone"] == texts[1]["phone_number"])
    status, accepted = fast_stack.call("POST", f"/verifications/{vid}/accept", second["officer_id"], {})
    assert status == 200 and accepted["sergeant"]["officer_id"] == second["officer_id"]
    status, decided = fast_stack.call("POST", f"/verifications/{vid}/outcome", second["officer_id"],
                                      {"outcome": "confirmed"})
    assert status == 200 and decided["status"] == "confirmed"
    sent_at_decision = len(_texts_for(fast_stack, vid))
    time.sleep(5)  # past the answer timeout: nothing more happens to a decided check
    assert len(_texts_for(fast_stack, vid)) == sent_at_decision <= 3
    assert fast_stack.call("GET", f"/verifications/{vid}", "MP5102")[1]["status"] == "confirmed"
    assert fast_stack.alerts_for(vid, wait_seconds=0) == []


def test_accepted_but_undecided_expires_with_an_alert(fast_stack):
    started = _start(fast_stack, "WP1187", "Devizes Market Place")
    vid = started["verification_id"]
    assert fast_stack.call("POST", f"/verifications/{vid}/accept", "WP3001", {})[0] == 200
    status = wait_for(lambda: (
        (s := fast_stack.call("GET", f"/verifications/{vid}", "WP1187")[1]["status"]) != "connected" and s
    ), timeout=15)
    assert status == "expired"
    alerts = wait_for(lambda: fast_stack.alerts_for(vid), timeout=10)
    assert [a["type"] for a in alerts] == ["verification_expired"] and alerts[0]["sergeant_id"] == "WP3001"
    status, body = fast_stack.call("POST", f"/verifications/{vid}/outcome", "WP3001", {"outcome": "confirmed"})
    assert (status, body["error"]["code"]) == (409, "invalid_state")
