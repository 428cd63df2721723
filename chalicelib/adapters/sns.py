"""SNS: text messages to sergeants and messages to the control-room alerts topic."""

from __future__ import annotations

import json
import re
from typing import Any

from ..domain.errors import ValidationFailed

_E164 = re.compile(r"\+[1-9][0-9]{7,14}")


class SnsSergeantNotifier:
    """Sends one transactional SMS. SNS itself accepts numbers without `+`, so we validate E.164."""

    def __init__(self, client: Any, sender_id: str = "SafeConnect") -> None:
        self._client = client
        self._sender_id = sender_id

    def send_sms(self, phone: str, message: str) -> str:
        if not _E164.fullmatch(phone):
            raise ValidationFailed("phone: must be an E.164 number such as +447700900123")
        response = self._client.publish(
            PhoneNumber=phone,
            Message=message,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sender_id},
            },
        )
        return response["MessageId"]


class SnsAlertPublisher:
    """Publishes a control-room alert as JSON (subject for e-mail/SMS subscribers, body for systems)."""

    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, subject: str, alert: dict[str, Any]) -> str:
        response = self._client.publish(
            TopicArn=self._topic_arn,
            Subject=subject[:100],
            Message=json.dumps(alert, sort_keys=True),
            MessageAttributes={
                "alert_type": {"DataType": "String", "StringValue": alert["type"]},
                "force": {"DataType": "String", "StringValue": alert["force"]},
            },
        )
        return response["MessageId"]
