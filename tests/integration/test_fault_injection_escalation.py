"""Dependency failures injected at the adapter boundary (issue 3 §6): SNS throttling and errors are
retried with backoff and audited and the next wave still goes; Chime down means voice fallback all
the way through; SQS refusing a timer is audited and alerted and the officer still gets a 201."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber

from chalicelib.adapters.sns import SnsSergeantNotifier
from chalicelib.adapters.sqs_timers import SqsTimers
from chalicelib.domain.verification import Status
from tests.integration.escalation_helpers import (
    EXTRA_MET_SERGEANTS,
    EXTRA_PHONES,
    START,
    add_extra_sergeants,
    events,
    phones_texted,
    types,
)

PHONE = "+447700900123"
PUBLISH = {
    "PhoneNumber": PHONE,
    "Message": "Safe Connection: test",
    "MessageAttributes": {
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "SafeConnect"},
    },
}


# ---- the SNS adapter on a real botocore client, stubbed --------------------------------------


@pytest.fixture
def stubbed_sns(boto_session):
    client = boto_session.client("sns", config=Config(retries={"max_attempts": 1}))
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _throttle(stubber, code="Throttling", status=400):
    stubber.add_client_error("publish", service_error_code=code, service_message="Rate exceeded",
                             http_status_code=status, expected_params=PUBLISH)


def test_throttled_twice_then_sent_backs_off_0_2_then_0_4_seconds(stubbed_sns):
    client, stubber = stubbed_sns
    _throttle(stubber)
    _throttle(stubber, code="ThrottlingException")
    stubber.add_response("publish", {"MessageId": "msg-3"}, expected_params=PUBLISH)
    sleeps: list[float] = []

    message_id = SnsSergeantNotifier(client, sleep=sleeps.append).send_sms(PHONE, "Safe Connection: test")

    assert message_id == "msg-3"
    assert sleeps == pytest.approx([0.2, 0.4])


@pytest.mark.parametrize("code", ["InvalidParameter", "OptedOut", "AuthorizationError", "InvalidParameterValue"])
def test_errors_that_will_not_get_better_are_not_retried(stubbed_sns, code):
    client, stubber = stubbed_sns
    _throttle(stubber, code=code)
    sleeps: list[float] = []

    with pytest.raises(ClientError) as raised:
        SnsSergeantNotifier(client, sleep=sleeps.append).send_sms(PHONE, "Safe Connection: test")

    assert raised.value.response["Error"]["Code"] == code
    assert sleeps == []  # one publish only (the stubber would fail on a second call)


def test_throttled_on_every_attempt_gives_up_after_three_and_raises(stubbed_sns):
    client, stubber = stubbed_sns
    for _ in range(3):
        _throttle(stubber)
    sleeps: list[float] = []

    with pytest.raises(ClientError) as raised:
        SnsSergeantNotifier(client, sleep=sleeps.append).send_sms(PHONE, "Safe Connection: test")

    assert raised.value.response["Error"]["Code"] == "Throttling"
    assert sleeps == pytest.approx([0.2, 0.4])


def test_server_errors_and_dropped_connections_are_retried():
    calls: list[str] = []

    class Flaky:
        def publish(self, **params):
            calls.append(params["PhoneNumber"])
            if len(calls) == 1:
                raise ClientError({"Error": {"Code": "InternalError", "Message": "oops"}}, "Publish")
            if len(calls) == 2:
                raise EndpointConnectionError(endpoint_url="https://sns.eu-west-2.amazonaws.com")
            return {"MessageId": "msg-3"}

    sleeps: list[float] = []
    notifier = SnsSergeantNotifier(Flaky(), attempts=4, base_delay_seconds=0.5, sleep=sleeps.append)
    assert notifier.send_sms(PHONE, "hi") == "msg-3"
    assert calls == [PHONE] * 3 and sleeps == pytest.approx([0.5, 1.0])


# ---- SNS failures through the service --------------------------------------------------------


class FaultySns:
    """The real (moto) SNS client, with scripted failures per phone number: a list of error codes is
    used up one per attempt; a string fails every attempt."""

    def __init__(self, real, failures: dict[str, object]):
        self._real = real
        self.failures = failures
        self.attempts: list[str] = []

    def publish(self, **params):
        phone = params.get("PhoneNumber")
        self.attempts.append(phone)
        plan = self.failures.get(phone)
        code = plan.pop(0) if isinstance(plan, list) and plan else plan if isinstance(plan, str) else None
        if code:
            raise ClientError({"Error": {"Code": code, "Message": f"failed for {phone}"}}, "Publish")
        return self._real.publish(**params)


def _inject_sns(stack, monkeypatch, failures):
    sns = FaultySns(stack.deps.sns, failures)
    sleeps: list[float] = []
    monkeypatch.setattr(stack.deps, "sms", SnsSergeantNotifier(sns, sleep=sleeps.append))
    return sns, sleeps


def test_one_sergeant_throttled_is_retried_audited_and_the_next_wave_still_goes(stack, monkeypatch):
    add_extra_sergeants(stack)
    p1, p2, p3 = (stack.person(s).phone for s in ("MP2001", "MP2002", "MP2003"))
    sns, sleeps = _inject_sns(stack, monkeypatch, {p2: "Throttling", p3: ["Throttling"]})

    status, body = stack.call("POST", "/verifications", "MP4721", START)

    assert status == 201 and body["status"] == "awaiting_sergeant"
    vid = body["verification_id"]
    assert sns.attempts == [p1, p2, p2, p2, p3, p3]
    assert sleeps == pytest.approx([0.2, 0.4, 0.2])
    assert sorted(phones_texted(stack)) == sorted([p1, p3])
    recorded = events(stack, vid)
    sent = [e["data"] for e in recorded if e["type"] == "sms.sent"]
    failed = [e["data"] for e in recorded if e["type"] == "sms.failed"]
    assert sent == [{"wave": 1, "recipients": ["MP2001", "MP2003"], "reason": "identity_verification_request"}]
    assert failed == [{"wave": 1, "failed": ["MP2002"], "errors": {"MP2002": "Throttling"}}]
    assert p2 not in str(recorded) and p2[1:] not in str(recorded)  # no phone numbers in the audit
    # Only delivered texts count for the fair rotation.
    assert stack.deps.registry.get("met", "MP2002").last_notified_at is None
    assert stack.deps.registry.get("met", "MP2003").last_notified_at is not None

    stack.advance(20)

    assert sorted(phones_texted(stack)[2:]) == sorted(EXTRA_PHONES[s] for s in EXTRA_MET_SERGEANTS[:3])
    assert [e["data"]["recipients"] for e in events(stack, vid) if e["type"] == "sergeants.notified"] == [
        ["MP2001", "MP2002", "MP2003"], EXTRA_MET_SERGEANTS[:3],
    ]
    assert stack.deps.verifications.get(vid).status is Status.AWAITING_SERGEANT


def test_sns_down_for_the_whole_first_wave_still_starts_and_the_next_wave_goes(stack, monkeypatch):
    add_extra_sergeants(stack)
    seeded = {stack.person(s).phone: "InternalError" for s in ("MP2001", "MP2002", "MP2003")}
    sns, sleeps = _inject_sns(stack, monkeypatch, seeded)

    status, body = stack.call("POST", "/verifications", "MP4721", START)

    assert status == 201
    vid = body["verification_id"]
    assert stack.sms() == [] and len(sns.attempts) == 9 and len(sleeps) == 6
    recorded = types(stack, vid)
    assert "sms.sent" not in recorded
    (failed,) = [e["data"] for e in events(stack, vid) if e["type"] == "sms.failed"]
    assert failed == {"wave": 1, "failed": ["MP2001", "MP2002", "MP2003"],
                      "errors": {s: "InternalError" for s in ("MP2001", "MP2002", "MP2003")}}

    stack.advance(20)
    assert sorted(phones_texted(stack)) == sorted(EXTRA_PHONES[s] for s in EXTRA_MET_SERGEANTS[:3])
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200  # the link still works


# ---- Chime down: voice fallback all the way through -----------------------------------------


def test_voice_fallback_checks_can_be_accepted_decided_and_time_out_without_chime(stack, monkeypatch):
    def create_meeting_down(verification_id):
        raise ClientError({"Error": {"Code": "ServiceUnavailableException", "Message": "down"}}, "CreateMeeting")

    deleted: list[str] = []
    monkeypatch.setattr(stack.deps.meetings, "create_meeting", create_meeting_down)
    monkeypatch.setattr(stack.deps.meetings, "delete_meeting", deleted.append)

    status, first = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201 and first["meeting"] is None and first["voice_fallback"] is True
    assert all("No video: call the officer on radio." in text for _, text in stack.sms())

    status, accepted = stack.call("POST", f"/verifications/{first['verification_id']}/accept", "MP2001", {})
    assert status == 200, accepted
    assert accepted["status"] == "connected" and accepted["meeting"] is None and accepted["voice_fallback"] is True
    assert accepted["officer_record"]["officer_id"] == "MP4721" and accepted["officer_record"]["status"] == "serving"
    assert accepted["officer_record"]["photo_url"]

    status, decided = stack.call(
        "POST", f"/verifications/{first['verification_id']}/outcome", "MP2001", {"outcome": "not_confirmed"}
    )
    assert status == 200 and decided["status"] == "not_confirmed"
    assert [a["type"] for a in stack.alerts()] == ["verification_not_confirmed"]

    status, second = stack.call("POST", "/verifications", "MP5102", START)
    assert status == 201 and second["meeting"] is None
    stack.advance(90)
    stored = stack.deps.verifications.get(second["verification_id"])
    assert stored.status is Status.UNANSWERED and stored.voice_fallback and stored.meeting is None
    (alert,) = stack.alerts()
    assert alert["type"] == "verification_unanswered" and alert["officer"]["officer_id"] == "MP5102"

    assert deleted == []  # there was never a meeting to delete
    assert stack.standin.meetings == {}


# ---- SQS refusing a timer -------------------------------------------------------------------


def test_a_timer_sqs_refuses_is_audited_and_alerted_and_the_officer_still_gets_201(stack, clock, monkeypatch):
    # The queue the role may send to is gone (deleted by mistake, or never created).
    sqs = stack.session.client("sqs")
    missing = sqs.get_queue_url(QueueName="test-timers")["QueueUrl"]
    sqs.delete_queue(QueueUrl=missing)
    monkeypatch.setattr(stack.deps, "timers", SqsTimers(sqs, missing, clock))

    status, body = stack.call("POST", "/verifications", "MP4721", START)

    assert status == 201, body
    vid = body["verification_id"]
    assert len(stack.sms()) == 3 and body["status"] == "awaiting_sergeant"
    recorded = events(stack, vid)
    failed = [(e["data"], e["actor"]) for e in recorded if e["type"] == "timer.failed"]
    system = {"role": "system", "officer_id": None}
    assert failed == [
        ({"timer": "wave", "error": "AWS.SimpleQueueService.NonExistentQueue"}, system),
        ({"timer": "answer_timeout", "error": "AWS.SimpleQueueService.NonExistentQueue"}, system),
    ]
    alerts = stack.alerts()
    assert [(a["type"], a["timer"]) for a in alerts] == [("timer_failure", "wave"), ("timer_failure", "answer_timeout")]
    assert all(a["verification_id"] == vid and a["force"] == "met" and a["location"] == START["location"]
               and a["officer"]["officer_id"] == "MP4721" for a in alerts)

    status, accepted = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert status == 200 and accepted["status"] == "connected"
    assert [e["data"] for e in events(stack, vid) if e["type"] == "timer.failed"][-1] == {
        "timer": "decision_timeout", "error": "AWS.SimpleQueueService.NonExistentQueue",
    }
    assert [(a["type"], a["timer"], a["sergeant_id"]) for a in stack.alerts()] == [
        ("timer_failure", "decision_timeout", "MP2001"),
    ]
    assert stack.deps.verifications.get(vid).status is Status.CONNECTED
