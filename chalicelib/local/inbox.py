"""Prints every SMS and control-room alert as it is sent, so a person can follow the flow locally."""

from __future__ import annotations

import json
import threading
from typing import Callable

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends


class Inbox(threading.Thread):
    """Reads moto's in-process SNS state (the server runs in this same process)."""

    def __init__(self, region: str, alerts_topic_arn: str, stop: threading.Event, out: Callable[[str], None] = print) -> None:
        super().__init__(name="local-inbox", daemon=True)
        self._region = region
        self._topic = alerts_topic_arn
        self._stop_event = stop
        self._out = out
        self._seen_sms = 0
        self._seen_alerts = 0

    def run(self) -> None:
        while not self._stop_event.wait(0.3):
            self.drain()

    def drain(self) -> None:
        backend = sns_backends[DEFAULT_ACCOUNT_ID][self._region]
        messages = list(backend.sms_messages.values())
        for phone, text in messages[self._seen_sms :]:
            self._out(f"[SMS]   to {phone}: {text}")
        self._seen_sms = len(messages)
        topic = backend.topics.get(self._topic)
        notifications = list(topic.sent_notifications) if topic else []
        for notification in notifications[self._seen_alerts :]:
            subject = notification[2] or "(no subject)"
            try:
                body = json.loads(notification[1])
                location = body.get("location") or {}
                where = body.get("area") or (
                    f"{location['lat']},{location['lon']}" if "lat" in location else None
                )
            except (TypeError, ValueError):
                where = None
            self._out(f"[ALERT] {subject}" + (f" | near {where}" if where else ""))
        self._seen_alerts = len(notifications)
