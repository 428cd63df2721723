"""Polls an SQS queue and feeds each message to the same Lambda handler, as Lambda's SQS source would.

A message is deleted only after the handler succeeded; if it raises, the message becomes visible
again after its visibility timeout and is retried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("safe_connection.local.queue")


def to_lambda_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class QueueWorker(threading.Thread):
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Callable[[dict[str, Any], Any], Any],
        stop: threading.Event | None = None,
        region: str = "eu-west-2",
        visibility_timeout: int = 10,
    ) -> None:
        super().__init__(name="timer-queue-worker", daemon=True)
        self._sqs = sqs
        self._queue_url = queue_url
        self._handler = handler
        self._stop_event = stop or threading.Event()
        self._region = region
        self._visibility = visibility_timeout
        self._queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.handled = 0
        self.failures = 0

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                if not self.poll_once(wait_seconds=1):
                    self._stop_event.wait(0.1)
            except Exception:
                self.failures += 1
                log.warning("timer message failed; it will be retried", exc_info=True)
                self._stop_event.wait(0.5)

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Handle what is visible now, one message per invocation (batch size 1, as deployed)."""
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=self._visibility,
        ).get("Messages", [])
        for message in messages:
            self._handler({"Records": [to_lambda_record(message, self._queue_arn, self._region)]}, None)
            self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
            self.handled += 1
        return len(messages)
