"""SergeantNotifier, AlertPublisher and TimerScheduler contracts: the fakes and the SNS/SQS
adapters on moto. Each backend comes with a probe reading back what was really sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.escalation import Timer, TimerKind
from chalicelib.ports import AlertPublisher, SergeantNotifier, TimerScheduler
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeAlertPublisher, FakeSergeantNotifier, FakeTimers

Probe = Callable[[], list[Any]]


@pytest.fixture(params=BACKENDS)
def notifier(request: pytest.FixtureRequest, settings: Any, boto_session: Any) -> tuple[SergeantNotifier, Probe]:
    if request.param == "fake":
        fake = FakeSergeantNotifier()
        return fake, lambda: list(fake.sent)
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    from chalicelib.adapters.sns import SnsSergeantNotifier

    request.getfixturevalue("aws")
    backend = sns_backends[DEFAULT_ACCOUNT_ID][settings.region]
    return SnsSergeantNotifier(boto_session.client("sns")), lambda: list(backend.sms_messages.values())


@pytest.fixture(params=BACKENDS)
def alerts(request: pytest.FixtureRequest, boto_session: Any) -> tuple[AlertPublisher, Probe]:
    if request.param == "fake":
        fake = FakeAlertPublisher()
        return fake, lambda: [alert for _, alert in fake.published]
    from chalicelib.adapters.sns import SnsAlertPublisher
    from chalicelib.local import resources

    request.getfixturevalue("aws")
    sqs = boto_session.client("sqs")
    topic_arn, queue_url = resources.create_alerts(boto_session.client("sns"), sqs, "alerts", "alerts-inbox")

    def delivered() -> list[Any]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]

    return SnsAlertPublisher(boto_session.client("sns"), topic_arn), delivered


@pytest.fixture(params=BACKENDS)
def timers(request: pytest.FixtureRequest, boto_session: Any, clock: Any) -> tuple[TimerScheduler, Probe]:
    if request.param == "fake":
        fake = FakeTimers()
        return fake, lambda: list(fake.scheduled)
    from chalicelib.adapters.sqs_timers import SqsTimers, timer_from_body
    from chalicelib.local import resources

    request.getfixturevalue("aws")
    sqs = boto_session.client("sqs")
    queue_url = resources.create_timers_queue(sqs, "timers")

    def queued() -> list[Any]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [timer_from_body(message["Body"]) for message in messages]

    return SqsTimers(sqs, queue_url, clock), queued


def test_an_sms_is_sent_and_its_message_id_returned(notifier):
    adapter, sent = notifier

    first = adapter.send_sms("+447700900123", "Safe Connection: PC Jones needs you")
    second = adapter.send_sms("+447700900124", "Safe Connection: again")

    assert isinstance(first, str) and first and first != second
    assert sent() == [
        ("+447700900123", "Safe Connection: PC Jones needs you"),
        ("+447700900124", "Safe Connection: again"),
    ]


@pytest.mark.parametrize("phone", ["07700900123", "447700900123", "+0123456789", ""])
def test_a_number_that_is_not_e164_is_refused_before_sending(notifier, phone):
    adapter, sent = notifier
    with pytest.raises(ValidationFailed):
        adapter.send_sms(phone, "hello")
    assert sent() == []


def test_an_alert_is_delivered_as_its_json_and_has_a_message_id(alerts):
    adapter, delivered = alerts
    alert = {"type": "verification.unanswered", "force": "met", "verification_id": "vid-1", "waves": 3}

    message_id = adapter.publish("Unanswered verification vid-1", alert)

    assert isinstance(message_id, str) and message_id
    assert delivered() == [alert]


def test_an_alert_without_type_or_force_is_refused(alerts):
    adapter, delivered = alerts
    with pytest.raises(KeyError):
        adapter.publish("no type", {"force": "met"})
    assert delivered() == []


def test_a_due_timer_is_scheduled_as_itself(timers, clock):
    adapter, scheduled = timers
    now = clock()
    due = [
        Timer(TimerKind.ANSWER_TIMEOUT, "vid-1", now - timedelta(seconds=3)),
        Timer(TimerKind.WAVE, "vid-2", now, wave=2),
    ]

    for timer in due:
        adapter.schedule(timer)

    assert sorted(scheduled(), key=lambda t: t.verification_id) == due
