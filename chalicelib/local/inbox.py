"""Prints every SMS, control-room alert and sign-in invitation as it is sent, so a person can
follow the flow locally (invitations: the JSON lines `registry import --stack` appends to a file)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends


class Inbox(threading.Thread):
    """Reads moto's in-process SNS state (the server runs in this same process)."""

    # More new invitations than this at once (a whole force imported) are counted, not listed.
    INVITATIONS_LISTED = 10

    def __init__(self, region: str, alerts_topic_arn: str, stop: threading.Event, out: Callable[[str], None] = print,
                 invitations_file: Path | None = None) -> None:
        super().__init__(name="local-inbox", daemon=True)
        self._region = region
        self._topic = alerts_topic_arn
        self._stop_event = stop
        self._out = out
        self._seen_sms = 0
        self._seen_alerts = 0
        self._invitations = invitations_file
        self._invitations_read = 0  # bytes of the file already printed

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
        self._drain_invitations()

    def _drain_invitations(self) -> None:
        if self._invitations is None or not self._invitations.exists():
            return
        with open(self._invitations, "rb") as source:
            source.seek(self._invitations_read)
            chunk = source.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits for the next drain
        self._invitations_read += len(complete)
        lines = [json.loads(line) for line in complete.decode("utf-8").splitlines() if line.strip()]
        listed = lines if len(lines) <= self.INVITATIONS_LISTED else lines[:3]
        for invite in listed:
            self._out(f"[INVITE] {invite['rank']} {invite['family_name']} ({invite['officer_id']}, {invite['force']}, "
                      f"{invite['role']}) to {invite['email']}: sign in as {invite['username']} with temporary "
                      f"password {invite['temporary_password']}")
        if len(lines) > len(listed):
            self._out(f"[INVITE] ... and {len(lines) - len(listed)} more invitations in {self._invitations}")
