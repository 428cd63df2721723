"""Timers on SQS (issue 3 §2): one delayed message per timer, consumed by the same handler locally
(QueueWorker) as on Lambda; delete on success, redeliver on failure; malformed messages dropped."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from botocore.stub import Stubber

from chalicelib.adapters.sqs_timers import SqsTimers, timer_from_body, timer_to_body
from chalicelib.domain.escalation import Timer, TimerKind
from chalicelib.domain.verification import Status
from chalicelib.local.queue_worker import QueueWorker
from tests.integration.escalation_helpers import START, pending, sqs_event

QUEUE_URL = "https://sqs.eu-west-2.amazonaws.com/123456789012/safe-connection-timers"


def test_schedule_sends_the_timer_body_with_its_delay_capped_at_fifteen_minutes(boto_session, clock):
    sqs = boto_session.client("sqs")
    now = clock()
    timers = [
        (Timer(TimerKind.WAVE, "vid-1", now + timedelta(seconds=20), wave=2), 20),
        (Timer(TimerKind.ANSWER_TIMEOUT, "vid-1", now + timedelta(seconds=89.4)), 90),
        (Timer(TimerKind.ANSWER_TIMEOUT, "vid-2", now - timedelta(seconds=3)), 0),  # overdue: at once
        (Timer(TimerKind.DECISION_TIMEOUT, "vid-3", now + timedelta(seconds=600)), 600),
        (Timer(TimerKind.DECISION_TIMEOUT, "vid-4", now + timedelta(hours=2)), 900),
    ]
    with Stubber(sqs) as stubber:
        for timer, delay in timers:
            stubber.add_response(
                "send_message",
                {"MessageId": f"m-{delay}", "MD5OfMessageBody": "0" * 32},
                expected_params={"QueueUrl": QUEUE_URL, "MessageBody": timer_to_body(timer), "DelaySeconds": delay},
            )
        adapter = SqsTimers(sqs, QUEUE_URL, clock)
        for timer, _ in timers:
            adapter.schedule(timer)
        stubber.assert_no_pending_responses()


@pytest.fixture
def timers_queue(aws, boto_session):
    sqs = boto_session.client("sqs")
    url = sqs.create_queue(QueueName="test-timers")["QueueUrl"]
    return sqs, url


def _visible(sqs, url):
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])


def _counts(sqs, url):
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                        "ApproximateNumberOfMessagesDelayed"],
    )["Attributes"]
    return {k.removeprefix("ApproximateNumberOfMessages") or "Visible": int(v) for k, v in attributes.items()}


def test_a_due_timer_is_receivable_at_once_and_a_later_one_is_held_back(timers_queue, clock):
    sqs, url = timers_queue
    adapter = SqsTimers(sqs, url, clock)
    due_now = Timer(TimerKind.ANSWER_TIMEOUT, "vid-1", clock())
    later = Timer(TimerKind.WAVE, "vid-1", clock() + timedelta(seconds=20), wave=2)

    adapter.schedule(due_now)
    adapter.schedule(later)

    messages = _visible(sqs, url)
    assert [timer_from_body(m["Body"]) for m in messages] == [due_now]
    assert messages[0]["Body"] == timer_to_body(due_now)
    assert _counts(sqs, url)["Delayed"] == 1


def test_queue_worker_hands_lambda_shaped_records_to_the_handler_and_deletes_on_success(timers_queue, clock):
    sqs, url = timers_queue
    timer = Timer(TimerKind.WAVE, "vid-1", clock(), wave=2)
    SqsTimers(sqs, url, clock).schedule(timer)
    seen = []
    worker = QueueWorker(sqs, url, lambda event, context: seen.append((event, context)), visibility_timeout=1)

    assert worker.poll_once() == 1

    ((event, context),) = seen
    assert context is None
    (record,) = event["Records"]
    assert record["body"] == timer_to_body(timer)
    assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == "eu-west-2"
    assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-2:123456789012:test-timers"
    assert record["messageId"] and record["receiptHandle"]
    assert worker.handled == 1
    assert _counts(sqs, url) == {"Visible": 0, "NotVisible": 0, "Delayed": 0}  # deleted, not just hidden
    assert worker.poll_once() == 0


def test_queue_worker_leaves_a_failed_message_to_come_back_after_the_visibility_timeout(timers_queue, clock):
    sqs, url = timers_queue
    timer = Timer(TimerKind.ANSWER_TIMEOUT, "vid-1", clock())
    SqsTimers(sqs, url, clock).schedule(timer)
    attempts = []

    def handler(event, context):
        attempts.append(event["Records"][0]["body"])
        if len(attempts) == 1:
            raise RuntimeError("DynamoDB throttled this invocation")

    worker = QueueWorker(sqs, url, handler, visibility_timeout=1)
    with pytest.raises(RuntimeError):
        worker.poll_once()
    assert worker.handled == 0
    assert _counts(sqs, url)["NotVisible"] == 1  # still there, hidden
    assert worker.poll_once() == 0

    time.sleep(1.2)  # the one real wait: SQS's visibility timeout
    assert worker.poll_once() == 1

    assert attempts == [timer_to_body(timer)] * 2 and worker.handled == 1
    assert _counts(sqs, url) == {"Visible": 0, "NotVisible": 0, "Delayed": 0}


# ---- the whole path on moto: SqsTimers -> queue -> QueueWorker -> app.run_timers -> services -------


def test_an_answer_timeout_through_a_real_queue_closes_the_check(stack, clock):
    import app

    sqs = stack.session.client("sqs")
    url = sqs.create_queue(QueueName="test-timers")["QueueUrl"]
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201
    vid = started["verification_id"]
    (answer_timer,) = pending(stack, "answer_timeout")

    clock.advance(seconds=90)
    SqsTimers(sqs, url, clock).schedule(answer_timer)  # due now: no delay
    sqs.send_message(QueueUrl=url, MessageBody="{not a timer")  # dropped, not retried forever
    worker = QueueWorker(sqs, url, app.run_timers, visibility_timeout=1)

    assert worker.poll_once() == 2

    stored = stack.deps.verifications.get(vid)
    assert stored.status is Status.UNANSWERED
    assert stack.standin.meetings[started["meeting"]["Meeting"]["MeetingId"]]["deleted"] is True
    assert [a["type"] for a in stack.alerts()] == ["verification_unanswered"]
    assert _counts(sqs, url) == {"Visible": 0, "NotVisible": 0, "Delayed": 0}


def test_a_timer_delivered_before_it_is_due_is_rearmed_on_the_queue(stack, clock):
    import app

    sqs = stack.session.client("sqs")
    url = sqs.create_queue(QueueName="test-timers")["QueueUrl"]
    vid = stack.call("POST", "/verifications", "MP4721", START)[1]["verification_id"]
    seq = stack.deps.verifications.get(vid).audit_seq
    stack.deps.timers = SqsTimers(sqs, url, clock)
    early = Timer(TimerKind.ANSWER_TIMEOUT, vid, clock() + timedelta(seconds=1200))

    app.run_timers(sqs_event(timer_to_body(early)), None)

    # Re-armed for the remaining 1200 s means the SQS maximum of 900 s: queued but not visible yet.
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []) == []
    assert _counts(sqs, url)["Delayed"] == 1
    assert stack.deps.verifications.get(vid).status is Status.AWAITING_SERGEANT
    assert stack.deps.verifications.get(vid).audit_seq == seq
    assert stack.alerts() == []


def test_a_timer_message_without_a_due_time_is_dropped_not_retried_forever(stack):
    from chalicelib.api.timers import handle_timer_messages

    body = json.dumps({"kind": "answer_timeout", "verification_id": "vid-1", "due_at": None, "wave": None})
    assert handle_timer_messages([body]) == ["malformed"]
