"""SNS adapters on moto: transactional SMS to sergeants, JSON alerts to the control-room topic."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.sns import SnsAlertPublisher, SnsSergeantNotifier
from chalicelib.domain.errors import ValidationFailed


@pytest.fixture
def sns(stack):
    return stack.session.client("sns")


@pytest.fixture
def publishes(sns):
    """The parameters of every Publish call the client sends."""
    sent: list[dict] = []

    def record(params, **_):
        sent.append(dict(params))

    sns.meta.events.register("provide-client-params.sns.Publish", record)
    return sent


def test_sms_is_sent_as_transactional_and_recorded(stack, sns, publishes):
    notifier = SnsSergeantNotifier(sns)

    message_id = notifier.send_sms("+447700900123", "Safe Connection: test message")

    assert stack.sms() == [("+447700900123", "Safe Connection: test message")]
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    assert list(sns_backends[DEFAULT_ACCOUNT_ID][stack.settings.region].sms_messages) == [message_id]
    (params,) = publishes
    assert params["PhoneNumber"] == "+447700900123"
    assert "TopicArn" not in params and "TargetArn" not in params
    assert params["MessageAttributes"] == {
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "SafeConnect"},
    }


def test_sender_id_comes_from_the_constructor(sns, publishes):
    SnsSergeantNotifier(sns, sender_id="MetPolice").send_sms("+15555550100", "hello")
    assert publishes[0]["MessageAttributes"]["AWS.SNS.SMS.SenderID"]["StringValue"] == "MetPolice"


def test_the_sender_id_configured_for_the_force_is_what_the_app_sends(aws, boto_session):
    """SMS_SENDER_ID (set by the stack from the force's config) reaches every SMS as AWS.SNS.SMS.SenderID."""
    from chalicelib.bootstrap import Dependencies
    from chalicelib.settings import Settings

    deps = Dependencies(Settings.from_env({"SMS_SENDER_ID": "MetPolice"}), session=boto_session)
    sent: list[dict] = []
    deps.sns.meta.events.register("provide-client-params.sns.Publish", lambda params, **_: sent.append(dict(params)))

    deps.sms.send_sms("+447700900123", "Safe Connection: test message")

    (params,) = sent
    assert params["MessageAttributes"]["AWS.SNS.SMS.SenderID"] == {"DataType": "String", "StringValue": "MetPolice"}


def test_locally_the_sender_id_defaults_to_safeconnect():
    from chalicelib.settings import Settings

    assert Settings.from_env({}).sms_sender_id == "SafeConnect"


@pytest.mark.parametrize("sender_id", ["Metropolitan1", "Met Police", "Met-Police", ""])
def test_a_sender_id_sns_would_refuse_is_refused_at_start(sender_id):
    from chalicelib.settings import Settings

    with pytest.raises(ValueError, match="sms_sender_id"):
        Settings(sms_sender_id=sender_id)


@pytest.mark.parametrize(
    "phone",
    [
        "07700900123",           # national format
        "447700900123",          # no plus (moto and SNS accept it, we must not)
        "+44 7700",              # spaces, too short
        "+44 7700 900123",       # spaces
        "+4477009",              # too short (7 digits)
        "+4477009001234567",     # too long (16 digits)
        "+0447700900123",        # country code cannot start with 0
        "",
        pytest.param("+447700900123\n", id="trailing-newline"),
        "tel:+447700900123",
    ],
)
def test_non_e164_numbers_are_rejected_and_nothing_is_sent(stack, sns, publishes, phone):
    with pytest.raises(ValidationFailed) as raised:
        SnsSergeantNotifier(sns).send_sms(phone, "hello")

    assert raised.value.code == "validation_error"
    assert publishes == []
    assert stack.sms() == []


def test_alert_reaches_the_subscribed_queue_as_json(stack, sns, publishes):
    publisher = SnsAlertPublisher(sns, stack.settings.alerts_topic_arn)
    alert = {
        "type": "verification_not_confirmed",
        "force": "met",
        "verification_id": "vid-1",
        "location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12.0},
        "area": "Camden High St — by the Café",
    }

    message_id = publisher.publish("S" * 150, alert)

    assert message_id
    assert stack.alerts() == [alert]
    assert stack.alerts() == []  # consumed once
    (params,) = publishes
    assert params["TopicArn"] == stack.settings.alerts_topic_arn
    assert params["Subject"] == "S" * 100  # SNS limit
    assert json.loads(params["Message"]) == alert
    assert params["MessageAttributes"] == {
        "alert_type": {"DataType": "String", "StringValue": "verification_not_confirmed"},
        "force": {"DataType": "String", "StringValue": "met"},
    }
    assert stack.sms() == []


def test_alert_publish_to_a_missing_topic_raises(stack, sns):
    publisher = SnsAlertPublisher(sns, stack.settings.alerts_topic_arn)
    sns.delete_topic(TopicArn=stack.settings.alerts_topic_arn)

    with pytest.raises(ClientError) as raised:
        publisher.publish("subject", {"type": "x", "force": "met"})

    assert raised.value.response["Error"]["Code"] == "NotFound"
    assert stack.alerts() == []
