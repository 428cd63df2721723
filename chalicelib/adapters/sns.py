"""SNS: text messages to sergeants and messages to the control-room alerts topic."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..domain.errors import ValidationFailed

_E164 = re.compile(r"\+[1-9][0-9]{7,14}")

# Worth another try after a pause; anything else (bad number, opted out) will not get better.
RETRYABLE_CODES = frozenset(
    {
        "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
        "InternalError", "InternalFailure", "ServiceUnavailable", "KMSThrottling",
        "RequestTimeout", "RequestTimeoutException",
    }
)


def _retryable(error: Exception) -> bool:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in RETRYABLE_CODES
    return isinstance(error, BotoCoreError)  # connection resets, timeouts


class SnsSergeantNotifier:
    """Sends one transactional SMS. SNS itself accepts numbers without `+`, so we validate E.164.

    Throttling and transient faults are retried with exponential backoff (0.2 s, 0.4 s, ...); the
    SNS client is built without botocore retries so the attempts are counted here, once.
    """

    def __init__(
        self,
        client: Any,
        sender_id: str = "SafeConnect",
        attempts: int = 3,
        base_delay_seconds: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._sender_id = sender_id
        self._attempts = attempts
        self._base_delay = base_delay_seconds
        self._sleep = sleep

    def send_sms(self, phone: str, message: str) -> str:
        if not _E164.fullmatch(phone):
            raise ValidationFailed("phone: must be an E.164 number such as +447700900123")
        for attempt in range(1, self._attempts + 1):
            try:
                return self._publish(phone, message)
            except Exception as error:
                if attempt == self._attempts or not _retryable(error):
                    raise
                self._sleep(self._base_delay * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _publish(self, phone: str, message: str) -> str:
        response = self._client.publish(
            PhoneNumber=phone,
            Message=message,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sender_id},
            },
        )
        message_id: str = response["MessageId"]
        return message_id


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
        message_id: str = response["MessageId"]
        return message_id
