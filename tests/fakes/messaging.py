"""In-memory notifier, alert publisher, meetings and timers: each keeps what it was asked to do."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import uuid
from typing import Any

from chalicelib.adapters.web_push import PushRefused
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.escalation import Timer
from chalicelib.domain.push import PushSubscription, PushSubscriptionGone, b64url
from tests.fakes.errors import aws_error

_E164 = re.compile(r"\+[1-9][0-9]{7,14}")


class FakeSergeantNotifier:
    """`sent` holds (phone, message) in order; numbers are validated as the SNS adapter does."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_sms(self, phone: str, message: str) -> str:
        if not _E164.fullmatch(phone):
            raise ValidationFailed("phone: must be an E.164 number such as +447700900123")
        self.sent.append((phone, message))
        return str(uuid.uuid4())


class FakeAlertPublisher:
    """`published` holds (subject, alert) as the topic would deliver them (JSON round trip)."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, subject: str, alert: dict[str, Any]) -> str:
        missing = {"type", "force"} - alert.keys()
        if missing:  # the real one sends both as message attributes
            raise KeyError(sorted(missing)[0])
        self.published.append((subject[:100], json.loads(json.dumps(alert, sort_keys=True))))
        return str(uuid.uuid4())


class FakeMeetings:
    """Meetings by id, each with its attendees by external user id."""

    def __init__(self) -> None:
        self.meetings: dict[str, dict[str, Any]] = {}
        self.attendees: dict[str, dict[str, dict[str, Any]]] = {}
        self._by_verification: dict[str, str] = {}
        self._ids = itertools.count(1)

    def create_meeting(self, verification_id: str) -> dict[str, Any]:
        # A retried create (same ClientRequestToken) returns the same meeting.
        if verification_id in self._by_verification:
            return self.meetings[self._by_verification[verification_id]]
        meeting_id = str(uuid.uuid4())
        meeting = {"MeetingId": meeting_id, "ExternalMeetingId": verification_id, "MediaRegion": "eu-central-1"}
        self.meetings[meeting_id] = meeting
        self.attendees[meeting_id] = {}
        self._by_verification[verification_id] = meeting_id
        return meeting

    def _existing(self, meeting_id: str, operation: str) -> dict[str, dict[str, Any]]:
        if meeting_id not in self.meetings:
            raise aws_error("NotFoundException", operation)  # Chime: the meeting ended or was deleted
        return self.attendees[meeting_id]

    def create_attendee(self, meeting_id: str, external_user_id: str) -> dict[str, Any]:
        attendees = self._existing(meeting_id, "CreateAttendee")
        attendee = {
            "ExternalUserId": external_user_id,
            "AttendeeId": str(uuid.uuid4()),
            "JoinToken": f"join-token-{next(self._ids)}",
        }
        attendees[external_user_id] = attendee
        return attendee

    def remove_attendee(self, meeting_id: str, external_user_id: str) -> bool:
        return self._existing(meeting_id, "ListAttendees").pop(external_user_id, None) is not None

    def delete_meeting(self, meeting_id: str) -> bool:
        self.attendees.pop(meeting_id, None)
        return self.meetings.pop(meeting_id, None) is not None


class FakeTimers:
    """`scheduled` holds every timer armed, in order (delivery is the test's business)."""

    def __init__(self) -> None:
        self.scheduled: list[Timer] = []

    def schedule(self, timer: Timer) -> None:
        self.scheduled.append(timer)


class FakeWebPush:
    """`sent` holds (subscription, message); `gone` endpoints answer as a push service does for a
    subscription that no longer exists, `failing` ones as one that refuses (both as the adapter raises)."""

    def __init__(self) -> None:
        self.sent: list[tuple[PushSubscription, dict[str, str]]] = []
        self.gone: set[str] = set()
        self.failing: set[str] = set()

    def application_server_key(self) -> str:
        return b64url(b"\x04" + bytes(64))

    def receipt(self, verification_id: str, sergeant_id: str) -> str:
        return b64url(hashlib.sha256(f"{verification_id}\n{sergeant_id}".encode()).digest())

    def receipt_matches(self, verification_id: str, sergeant_id: str, receipt: str) -> bool:
        return receipt == self.receipt(verification_id, sergeant_id)

    def send(self, subscription: PushSubscription, message: dict[str, str], ttl_seconds: int) -> None:
        if subscription.endpoint in self.gone:
            raise PushSubscriptionGone("push_service_410")
        if subscription.endpoint in self.failing:
            raise PushRefused("push_service_503")
        self.sent.append((subscription, dict(message)))
