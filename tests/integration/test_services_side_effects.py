"""Use cases on moto with the real adapters: who is texted, what is alerted and audited, and which
side-effect failures must not undo (or block) a stored state change."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from chalicelib import services
from chalicelib.api import presenters
from chalicelib.domain.audit import verify_chain
from chalicelib.domain.errors import ActiveVerificationExists, OfficerNotServing
from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role
from chalicelib.domain.verification import Status
from chalicelib.schemas import OutcomeRequest
from tests.integration.helpers import START_BODY, officer, sergeant, start_request

LINK = "https://verify.police.example/s/{vid}"


def _phones(stack, *officer_ids):
    return {stack.person(officer_id).phone for officer_id in officer_ids}


def _events(stack, vid):
    events = stack.deps.verifications.events(vid)
    assert verify_chain(events) == []
    return events


def _only(events, event_type):
    matching = [e for e in events if e["type"] == event_type]
    assert len(matching) == 1, [e["type"] for e in events]
    return matching[0]


def _no_phone_numbers(stack, events):
    text = json.dumps(events)
    for person in stack.people("met") + stack.people("wiltshire"):
        assert person.phone not in text and person.phone[1:] not in text


def _started_body(stack, principal, request):
    """The 201 body of a start, as the route presents it."""
    started = services.start_verification(stack.deps, principal, request)
    return presenters.started_body(started, stack.deps.settings.public_base_url)


# ---- start: who gets a text ----------------------------------------------------------------


def test_start_texts_each_available_sergeant_of_the_force_once(stack):
    body = _started_body(stack, officer("MP4721"), start_request())
    vid = body["verification_id"]

    sms = stack.sms()
    expected = (
        f"Safe Connection: PC Jones (MP4721) asks for ID verification near Camden High St. Open {LINK.format(vid=vid)}"
    )
    assert sorted(sms) == sorted((phone, expected) for phone in _phones(stack, "MP2001", "MP2002", "MP2003"))
    assert len(expected) <= 160
    # Not the off-duty sergeant, not wiltshire, not the officer, no one twice.
    assert stack.person("MP2004").phone not in {phone for phone, _ in sms}

    events = _events(stack, vid)
    assert [e["type"] for e in events] == ["verification.requested", "sergeants.notified", "sms.sent"]
    assert events[2]["data"] == {
        "wave": 1,
        "recipients": ["MP2001", "MP2002", "MP2003"],
        "reason": "identity_verification_request",
    }
    notified = events[1]
    assert notified["data"] == {"wave": 1, "recipients": ["MP2001", "MP2002", "MP2003"]}
    assert notified["actor"] == {"role": "system", "officer_id": None}
    _no_phone_numbers(stack, events)
    assert body["status"] == "awaiting_sergeant"
    assert body["citizen_url"] == f"https://verify.police.example/v/{body['reference']}"


def test_start_in_another_force_texts_only_that_force(stack):
    started = _started_body(stack, officer("WP1187", "wiltshire"), start_request(area=None))
    vid = started["verification_id"]

    assert {phone for phone, _ in stack.sms()} == _phones(stack, "WP3001", "WP3002", "WP3003")
    assert all("PC Morgan (WP1187) asks for ID verification near 51.5390,-0.1426." in text for _, text in stack.sms())
    assert sorted(_only(_events(stack, vid), "sergeants.notified")["data"]["recipients"]) == [
        "WP3001",
        "WP3002",
        "WP3003",
    ]


def test_the_officer_is_never_texted_about_their_own_check(stack):
    # MP2001 is an available sergeant in the registry but signs in with an officer token.
    vid = services.start_verification(stack.deps, officer("MP2001"), start_request()).verification.verification_id

    assert {phone for phone, _ in stack.sms()} == _phones(stack, "MP2002", "MP2003")
    assert sorted(_only(_events(stack, vid), "sergeants.notified")["data"]["recipients"]) == ["MP2002", "MP2003"]


def test_sergeants_who_went_off_duty_are_not_texted(stack):
    assert stack.deps.registry.set_duty("met", "MP2002", Duty.OFF_DUTY)
    assert stack.deps.registry.set_duty("met", "MP2004", Duty.AVAILABLE)

    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id

    assert {phone for phone, _ in stack.sms()} == _phones(stack, "MP2001", "MP2003", "MP2004")
    assert sorted(_only(_events(stack, vid), "sergeants.notified")["data"]["recipients"]) == [
        "MP2001",
        "MP2003",
        "MP2004",
    ]


def test_one_failed_sms_still_texts_the_others_and_is_audited(stack, monkeypatch):
    send_sms = stack.deps.sms.send_sms
    broken = stack.person("MP2002").phone

    def flaky(phone, message):
        if phone == broken:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish")
        return send_sms(phone, message)

    monkeypatch.setattr(stack.deps.sms, "send_sms", flaky)

    body = _started_body(stack, officer("MP4721"), start_request())

    assert {phone for phone, _ in stack.sms()} == _phones(stack, "MP2001", "MP2003")
    events = _events(stack, body["verification_id"])
    # The wave is claimed for all three before sending; the one that failed is audited separately.
    notified = _only(events, "sergeants.notified")
    assert sorted(notified["data"]["recipients"]) == ["MP2001", "MP2002", "MP2003"]
    failed = _only(events, "sms.failed")
    assert failed["data"] == {"wave": 1, "failed": ["MP2002"], "errors": {"MP2002": "Throttling"}}
    _no_phone_numbers(stack, events)
    assert stack.deps.verifications.get(body["verification_id"]).status is Status.AWAITING_SERGEANT


def test_a_sergeant_with_a_malformed_number_is_audited_as_failed(stack):
    stack.deps.registry.put(RegistryRecord(
        force="met", officer_id="MP2005", given_name="Old", family_name="Number", rank="PS",
        status=OfficerStatus.SERVING, role=Role.SERGEANT, phone="07700900555", duty=Duty.AVAILABLE,
    ))

    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    stack.advance(stack.settings.wave_interval_seconds)  # MP2005 is in the second wave

    assert "07700900555" not in {phone for phone, _ in stack.sms()}
    assert len(stack.sms()) == 3
    events = _events(stack, vid)
    waves = [e["data"] for e in events if e["type"] == "sergeants.notified"]
    assert waves == [{"wave": 1, "recipients": ["MP2001", "MP2002", "MP2003"]}, {"wave": 2, "recipients": ["MP2005"]}]
    assert _only(events, "sms.failed")["data"] == {
        "wave": 2,
        "failed": ["MP2005"],
        "errors": {"MP2005": "ValidationFailed"},
    }
    assert "07700900555" not in json.dumps(events)


# ---- not serving ---------------------------------------------------------------------------


@pytest.mark.parametrize("officer_id, registry_status", [("MP3390", "suspended"), ("MP9999", "unknown")])
def test_not_serving_officer_is_refused_audited_and_alerted(stack, officer_id, registry_status):
    with pytest.raises(OfficerNotServing):
        services.start_verification(stack.deps, officer(officer_id), start_request())

    # Nothing was started: no verification, no lock, no reference, no meeting, no SMS; only the
    # audited attempt (and the data key sealing its location, with its retention entry), and the
    # control room's alert record.
    assert sorted(i["kind"]["S"] for i in stack.stored_items()) == ["alert", "audit_event", "data_key", "retention"]
    (item,) = [i for i in stack.stored_items() if i["kind"]["S"] == "audit_event"]
    assert item["pk"]["S"].startswith("A#") and item["sk"]["S"] == "EVENT#000001"
    assert stack.sms() == []
    assert stack.standin.meetings == {}
    assert stack.deps.verifications.active_verification_id("met", officer_id) is None

    attempt_id = item["pk"]["S"].removeprefix("A#")
    assert attempt_id == f"refusals-met-{officer_id}-2026-11-28"  # the caller's refusals of the day
    event = json.loads(item["event_json"]["S"])
    assert event["type"] == "officer_not_serving.attempt"
    assert event["verification_id"] == attempt_id and event["seq"] == 1
    assert event["actor"] == {"role": "officer", "officer_id": officer_id}
    plain = dict(event["data"])
    sealed = {k: plain.pop(k) for k in ("location", "area")}
    assert plain == {"officer_id": officer_id, "registry_status": registry_status, "alert": "raised"}
    assert stack.deps.envelope.open(attempt_id, sealed["location"]) == {
        **START_BODY["location"],
        "accuracy_m": START_BODY["location"].get("accuracy_m"),
    }
    assert stack.deps.envelope.open(attempt_id, sealed["area"]) == "Camden High St"
    assert verify_chain([event]) == []

    (alert,) = stack.alerts()
    [record] = stack.deps.alert_store.board("met", 10, 10)  # stored, then published with its id
    assert (record.kind.value, record.chain_id, record.verification_id) == ("officer_not_serving", attempt_id, None)
    assert alert == {
        "type": "officer_not_serving", "force": "met", "attempt_id": attempt_id, "officer_id": officer_id,
        "registry_status": registry_status, "location": START_BODY["location"], "area": "Camden High St",
        "at": "2026-11-28T02:47:00.000Z", "audit_seq": 1, "attempts": 1, "previous_alert_at": None,
        "alert_id": record.alert_id, "kind": "officer_not_serving",
    }


# ---- outcomes: alerts and the meeting ------------------------------------------------------


def _started_and_accepted(stack, by="MP2001"):
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    services.accept_verification(stack.deps, sergeant(by), vid)
    return vid


def test_not_confirmed_alerts_the_control_room_with_the_location(stack, clock):
    vid = _started_and_accepted(stack)
    clock.advance(minutes=3)
    meeting_id = stack.deps.verifications.get(vid).meeting_id

    body = services.record_outcome(
        stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="not_confirmed", note="Face does not match")
    )

    assert body.status.value == "not_confirmed" and body.outcome_note == "Face does not match"
    stored = stack.deps.verifications.get(vid)
    (alert,) = stack.alerts()
    assert alert == {
        "type": "verification_not_confirmed", "force": "met", "verification_id": vid,
        "reference": stored.reference,
        "officer": {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"},
        "sergeant_id": "MP2001", "method": "video", "location": START_BODY["location"],
        "area": "Camden High St",
        "at": "2026-11-28T02:50:00.000Z", "alert_id": alert["alert_id"], "kind": "verification_not_confirmed",
    }
    [record] = stack.deps.alert_store.board("met", 10, 10)
    assert (record.alert_id, record.verification_id, record.reference) == (alert["alert_id"], vid, stored.reference)
    events = _events(stack, vid)
    assert [e["type"] for e in events][-2:] == ["verification.not_confirmed", "alert.sent"]
    assert events[-1]["data"] == {"alert_type": "verification_not_confirmed"}
    assert stored.status is Status.NOT_CONFIRMED and stored.audit_seq == len(events)
    assert stack.standin.meetings[meeting_id]["deleted"] is True
    assert stack.deps.verifications.active_verification_id("met", "MP4721") is None


def test_confirmed_sends_no_alert(stack):
    vid = _started_and_accepted(stack)
    services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="confirmed"))

    assert stack.alerts() == []
    assert not {"alert.sent", "alert.failed"} & {e["type"] for e in _events(stack, vid)}


def test_failed_alert_keeps_the_decision_and_is_audited(stack):
    vid = _started_and_accepted(stack)
    stack.session.client("sns").delete_topic(TopicArn=stack.settings.alerts_topic_arn)

    body = services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="not_confirmed"))

    assert body.status.value == "not_confirmed"
    assert stack.deps.verifications.get(vid).status is Status.NOT_CONFIRMED
    events = _events(stack, vid)
    assert [e["type"] for e in events][-2:] == ["verification.not_confirmed", "alert.failed"]
    assert events[-1]["data"] == {"alert_type": "verification_not_confirmed"}
    assert "alert.sent" not in [e["type"] for e in events]
    assert stack.alerts() == []


@pytest.mark.parametrize("outcome", ["confirmed", "not_confirmed", "cancelled"])
def test_terminal_outcome_deletes_the_meeting(stack, outcome):
    vid = _started_and_accepted(stack)
    meeting_id = stack.deps.verifications.get(vid).meeting_id
    assert stack.standin.meetings[meeting_id]["deleted"] is False

    if outcome == "cancelled":
        services.cancel_verification(stack.deps, officer("MP4721"), vid)
    else:
        services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome=outcome))

    assert stack.standin.meetings[meeting_id]["deleted"] is True
    assert stack.deps.verifications.get(vid).status.value == outcome


def test_cancel_while_awaiting_deletes_the_meeting(stack):
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    meeting_id = stack.deps.verifications.get(vid).meeting_id

    services.cancel_verification(stack.deps, officer("MP4721"), vid)

    assert stack.standin.meetings[meeting_id]["deleted"] is True
    assert _events(stack, vid)[-1]["type"] == "verification.cancelled"


def test_chime_delete_failure_does_not_undo_the_decision(stack, monkeypatch):
    vid = _started_and_accepted(stack)
    meeting_id = stack.deps.verifications.get(vid).meeting_id
    calls = []

    def chime_down(mid):
        calls.append(mid)
        raise ClientError({"Error": {"Code": "ServiceUnavailableException", "Message": "down"}}, "DeleteMeeting")

    monkeypatch.setattr(stack.deps.meetings, "delete_meeting", chime_down)

    body = services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="not_confirmed"))

    assert calls == [meeting_id]
    assert body.status.value == "not_confirmed"
    assert stack.deps.verifications.get(vid).status is Status.NOT_CONFIRMED
    assert stack.standin.meetings[meeting_id]["deleted"] is False
    assert [e["type"] for e in _events(stack, vid)][-2:] == ["verification.not_confirmed", "alert.sent"]
    assert len(stack.alerts()) == 1  # the alert still went out after the Chime failure
    assert stack.deps.verifications.active_verification_id("met", "MP4721") is None
    # The officer can start again.
    services.start_verification(stack.deps, officer("MP4721"), start_request())


def test_meeting_already_gone_is_fine(stack):
    vid = _started_and_accepted(stack)
    meeting_id = stack.deps.verifications.get(vid).meeting_id
    stack.deps.meetings.delete_meeting(meeting_id)  # e.g. Chime ended the idle meeting itself

    body = services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="confirmed"))

    assert body.status.value == "confirmed"
    assert stack.deps.verifications.get(vid).status is Status.CONFIRMED


def test_chime_failure_at_start_falls_back_to_voice(stack, monkeypatch):
    """Chime down: the check still starts (no meeting), and the SMS says to use the radio."""
    def chime_down(verification_id):
        raise ClientError({"Error": {"Code": "ServiceFailureException", "Message": "down"}}, "CreateMeeting")

    monkeypatch.setattr(stack.deps.meetings, "create_meeting", chime_down)

    body = _started_body(stack, officer("MP4721"), start_request())

    assert body["meeting"] is None and body["voice_fallback"] is True
    stored = stack.deps.verifications.get(body["verification_id"])
    assert stored.voice_fallback and stored.meeting is None and stored.status is Status.AWAITING_SERGEANT
    texts = [text for _, text in stack.sms()]
    assert len(texts) == 3 and all("No video: call the officer on radio." in t for t in texts)
    assert all(len(t) <= 160 for t in texts)
    requested = _only(_events(stack, body["verification_id"]), "verification.requested")
    assert requested["data"]["voice_fallback"] is True and requested["data"]["meeting_id"] is None


def test_chime_attendee_failure_also_falls_back_and_closes_the_empty_meeting(stack, monkeypatch):
    def attendee_down(meeting_id, external_user_id):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "CreateAttendee")

    monkeypatch.setattr(stack.deps.meetings, "create_attendee", attendee_down)
    body = _started_body(stack, officer("MP4721"), start_request())
    assert body["meeting"] is None and body["voice_fallback"] is True
    assert [m["deleted"] for m in stack.standin.meetings.values()] == [True]


# ---- start: storage races ------------------------------------------------------------------


def test_lost_start_race_closes_its_meeting_and_texts_no_one(stack, monkeypatch):
    first = _started_body(stack, officer("MP4721"), start_request())
    texts_before = stack.sms()
    # The second request read "no active verification" before the first one was stored.
    real_lookup = stack.deps.verifications.active_verification_id
    lookups = []

    def stale_once(force, officer_id):
        lookups.append(officer_id)
        return None if len(lookups) == 1 else real_lookup(force, officer_id)

    monkeypatch.setattr(stack.deps.verifications, "active_verification_id", stale_once)

    with pytest.raises(ActiveVerificationExists) as raised:
        services.start_verification(stack.deps, officer("MP4721"), start_request())

    assert raised.value.verification_id == first["verification_id"]
    meetings = stack.standin.meetings
    assert len(meetings) == 2
    first_mid = first["meeting"]["Meeting"]["MeetingId"]
    assert meetings[first_mid]["deleted"] is False
    assert [m["deleted"] for mid, m in meetings.items() if mid != first_mid] == [True]
    assert stack.sms() == texts_before
    assert {item["pk"]["S"] for item in stack.stored_items() if item["pk"]["S"].startswith("V#")} == {
        f"V#{first['verification_id']}"
    }


def test_reference_collision_draws_a_new_reference(stack, monkeypatch):
    first = _started_body(stack, officer("MP4721"), start_request())
    drawn = iter([first["reference"], first["reference"], "SC-7KQ2-9XHM"])
    monkeypatch.setattr(stack.deps, "new_reference", lambda: next(drawn))

    second = _started_body(stack, officer("MP5102"), start_request())

    assert second["reference"] == "SC-7KQ2-9XHM"
    assert stack.deps.verifications.find_id_by_reference("SC-7KQ2-9XHM") == second["verification_id"]
    assert stack.deps.verifications.find_id_by_reference(first["reference"]) == first["verification_id"]
    requested = _events(stack, second["verification_id"])[0]
    assert requested["data"]["reference"] == "SC-7KQ2-9XHM"  # the audit names the reference in use
    assert stack.standin.meetings[second["meeting"]["Meeting"]["MeetingId"]]["deleted"] is False
