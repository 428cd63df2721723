"""Unanswered and expired checks (issue 3 §3-4): state, meeting, control-room alert, audit, and what
the citizen and the officer are told. Clock controlled; timers delivered through app.run_timers."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import services
from chalicelib.domain.public import ADVICE, OFFICER_ADVICE
from chalicelib.domain.verification import Status
from tests.integration.escalation_helpers import START, deliver, events, pending, tune, types

OFFICER = {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}


def _start(stack, officer_id="MP4721"):
    status, body = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, body
    return body


def test_nobody_accepts_in_time_unanswered_meeting_deleted_control_room_alerted(stack, clock):
    started = _start(stack)
    vid, reference = started["verification_id"], started["reference"]
    meeting_id = started["meeting"]["Meeting"]["MeetingId"]
    (answer_timer,) = pending(stack, "answer_timeout")
    assert answer_timer.due_at == clock() + timedelta(seconds=90)

    stack.advance(89)
    assert stack.deps.verifications.get(vid).status is Status.AWAITING_SERGEANT
    assert stack.alerts() == [] and stack.standin.meetings[meeting_id]["deleted"] is False

    stack.advance(1)  # +90 s: the answer timeout

    stored = stack.deps.verifications.get(vid)
    assert stored.status is Status.UNANSWERED
    assert stored.decided_at == clock() and stored.sergeant is None
    assert stack.standin.meetings[meeting_id]["deleted"] is True
    assert stack.deps.verifications.active_verification_id("met", "MP4721") is None

    [record] = stack.deps.alert_store.board("met", 10, 10)  # stored, then published with its id
    assert (record.kind.value, record.verification_id, record.officer) == ("verification_unanswered", vid, OFFICER)
    assert stack.alerts() == [{
        "type": "verification_unanswered", "force": "met", "verification_id": vid, "reference": reference,
        "officer": OFFICER, "sergeant_id": None, "method": None, "location": START["location"],
        "area": "Camden High St",
        "at": "2026-11-28T02:48:30.000Z", "alert_id": record.alert_id, "kind": "verification_unanswered",
    }]
    recorded = events(stack, vid)
    assert [e["type"] for e in recorded][-2:] == ["verification.unanswered", "alert.sent"]
    assert recorded[-2]["actor"] == {"role": "system", "officer_id": None}
    assert recorded[-1]["data"] == {"alert_type": "verification_unanswered"}
    assert stored.audit_seq == len(recorded)

    stack.pump_audit()
    in_s3 = sorted((e for e in stack.audit_objects().values() if e["verification_id"] == vid), key=lambda e: e["seq"])
    assert [e["type"] for e in in_s3][-2:] == ["verification.unanswered", "alert.sent"]

    # The citizen is told what to do instead.
    status, public = stack.call("GET", f"/public/verifications/{reference}")
    assert status == 200 and public["status"] == "unanswered"
    assert public["advice"] == ADVICE[Status.UNANSWERED]
    assert "Call 999" in public["advice"] and "uniformed officer" in public["advice"]
    assert public["decided_at"] == "2026-11-28T02:48:30.000Z" and public["confirmed_by"] is None

    # And so is the officer.
    status, own = stack.call("GET", f"/verifications/{vid}", "MP4721")
    assert status == 200 and own["status"] == "unanswered"
    assert own["advice"] == OFFICER_ADVICE[Status.UNANSWERED]

    # A redelivered answer timeout alerts nobody twice; the officer can start a new check.
    clock.advance(seconds=5)
    deliver(answer_timer)
    assert services.handle_timer(stack.deps, answer_timer) == "noop"
    assert stack.alerts() == []
    assert types(stack, vid).count("verification.unanswered") == 1
    assert stack.deps.verifications.get(vid).decided_at == stored.decided_at
    assert _start(stack)["verification_id"] != vid


def test_accepted_but_not_decided_in_time_expires(stack, clock):
    started = _start(stack)
    vid, reference = started["verification_id"], started["reference"]
    meeting_id = started["meeting"]["Meeting"]["MeetingId"]
    stack.advance(30)
    status, _accepted = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert status == 200
    (decision_timer,) = pending(stack, "decision_timeout")
    assert decision_timer.due_at == clock() + timedelta(seconds=600)

    stack.advance(599)  # the answer timeout (+90) passed meanwhile and changed nothing
    assert stack.deps.verifications.get(vid).status is Status.CONNECTED
    assert stack.alerts() == [] and stack.standin.meetings[meeting_id]["deleted"] is False
    assert "verification.unanswered" not in types(stack, vid)

    stack.advance(1)  # +630 s: ten minutes after the accept

    stored = stack.deps.verifications.get(vid)
    assert stored.status is Status.EXPIRED and stored.decided_at == clock()
    assert stored.sergeant.officer_id == "MP2001"
    assert stack.standin.meetings[meeting_id]["deleted"] is True
    assert stack.deps.verifications.active_verification_id("met", "MP4721") is None
    [record] = stack.deps.alert_store.board("met", 10, 10)  # stored, then published with its id
    assert (record.kind.value, record.verification_id, record.officer) == ("verification_expired", vid, OFFICER)
    assert stack.alerts() == [{
        "type": "verification_expired", "force": "met", "verification_id": vid, "reference": reference,
        "officer": OFFICER, "sergeant_id": "MP2001", "method": None, "location": START["location"],
        "area": "Camden High St",
        "at": "2026-11-28T02:57:30.000Z", "alert_id": record.alert_id, "kind": "verification_expired",
    }]
    recorded = events(stack, vid)
    assert [e["type"] for e in recorded][-2:] == ["verification.expired", "alert.sent"]
    assert recorded[-1]["data"] == {"alert_type": "verification_expired"}

    status, public = stack.call("GET", f"/public/verifications/{reference}")
    assert (status, public["status"], public["advice"]) == (200, "expired", ADVICE[Status.EXPIRED])
    assert public["confirmed_by"] is None
    status, own = stack.call("GET", f"/verifications/{vid}", "MP4721")
    assert (own["status"], own["advice"]) == ("expired", OFFICER_ADVICE[Status.EXPIRED])

    # The same decision timer delivered again does nothing.
    deliver(decision_timer)
    assert stack.alerts() == [] and types(stack, vid).count("verification.expired") == 1


def test_a_decision_timeout_longer_than_fifteen_minutes_is_rearmed_not_fired_early(stack, clock, monkeypatch):
    tune(stack, monkeypatch, decision_timeout_seconds=1800)
    vid = _start(stack)["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    (decision_timer,) = pending(stack, "decision_timeout")
    assert decision_timer.delay_seconds(clock()) == 900  # SQS's maximum
    stack.deps.timers.scheduled.clear()
    seq_before = stack.deps.verifications.get(vid).audit_seq

    clock.advance(seconds=900)  # SQS delivers the message at its maximum delay
    assert services.handle_timer(stack.deps, decision_timer) == "rearmed"

    stored = stack.deps.verifications.get(vid)
    assert stored.status is Status.CONNECTED and stored.audit_seq == seq_before
    assert stack.deps.timers.scheduled == [decision_timer]  # armed again for the rest
    assert stack.alerts() == []

    stack.advance(899)
    assert stack.deps.verifications.get(vid).status is Status.CONNECTED
    stack.advance(1)
    assert stack.deps.verifications.get(vid).status is Status.EXPIRED
    assert [a["type"] for a in stack.alerts()] == ["verification_expired"]


def test_shorter_configured_timings_are_honoured(stack, clock, monkeypatch):
    tune(stack, monkeypatch, wave_size=1, wave_interval_seconds=1, answer_timeout_seconds=4)
    vid = _start(stack)["verification_id"]
    assert len(stack.sms()) == 1
    for second in range(1, 4):
        stack.advance(1)
        assert len(stack.sms()) == min(3, second + 1)
    assert stack.deps.verifications.get(vid).status is Status.AWAITING_SERGEANT
    stack.advance(1)  # +4 s
    assert stack.deps.verifications.get(vid).status is Status.UNANSWERED
    assert [w["data"]["recipients"] for w in events(stack, vid) if w["type"] == "sergeants.notified"] == [
        ["MP2001"], ["MP2002"], ["MP2003"],
    ]
    assert [a["type"] for a in stack.alerts()] == ["verification_unanswered"]
