"""Audit events and their hash chain (SPEC §5).

Each event's `hash` covers the whole event except `hash` itself, in one canonical serialisation, and
`prev_hash` links it to the event before it, so removing, editing or reordering events is detectable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .clock import iso_z

GENESIS_HASH = "0" * 64
# SPEC §7.5: pages poll (the officer's every 3 s, the sergeant's every 4 s), so a reader's
# consultation of one verification is logged at most once in this many seconds.
CONSULTATION_WINDOW_SECONDS = 300


class EventType:
    """Audit event type names: a stable vocabulary for auditors and Athena queries."""

    REQUESTED = "verification.requested"
    SERGEANTS_NOTIFIED = "sergeants.notified"
    ACCEPTED = "verification.accepted"
    REGISTRY_DISCLOSED = "registry.disclosed"
    CONFIRMED = "verification.confirmed"
    NOT_CONFIRMED = "verification.not_confirmed"
    CANCELLED = "verification.cancelled"
    UNANSWERED = "verification.unanswered"
    EXPIRED = "verification.expired"
    SMS_SENT = "sms.sent"
    SMS_FAILED = "sms.failed"
    # Web Push to the sergeant page (domain/push.py): sent, not taken, and the phone's receipt.
    PUSH_SENT = "push.sent"
    PUSH_FAILED = "push.failed"
    PUSH_RECEIVED = "push.received"
    VIEWED = "verification.viewed"
    REGISTRY_VIEWED = "registry.viewed"
    REGISTRY_CHANGED = "registry.changed"
    TIMER_FAILED = "timer.failed"
    RATE_LIMITED = "verification.rate_limited"
    ERASED = "personal_data.erased"
    ALERT_SENT = "alert.sent"
    ALERT_FAILED = "alert.failed"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    NOT_SERVING_ATTEMPT = "officer_not_serving.attempt"
    # A token whose role differs from the registry's record (SPEC §7.2).
    ACCESS_REFUSED = "access.refused"
    # The accepting sergeant stopped serving: the check waits for another (SPEC §7.2).
    HANDED_BACK = "verification.handed_back"
    # The person stopped pressed "I feel unsafe" (SPEC §7.4); her words are sealed like a location.
    CITIZEN_UNSAFE_REPORTED = "citizen.unsafe_reported"
    # A citizen asked, by an officer's number, for that officer to start a check (SPEC §7.4).
    CITIZEN_CHECK_REQUESTED = "citizen.check_requested"


@dataclass(frozen=True)
class Actor:
    role: str
    officer_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "officer_id": self.officer_id}


SYSTEM = Actor(role="system", officer_id=None)

# Why someone consulted or disclosed personal data (DPA 2018 s.62 asks for the justification).
REASON_BY_ROLE = {
    "officer": "own_record",
    "sergeant": "operational_supervision",
    "admin": "registry_administration",
    "auditor": "audit",
    "control_room": "control_room_watch",
}


def reason_for(role: str) -> str:
    return REASON_BY_ROLE.get(role, "unspecified")


def canonical_bytes(event: dict[str, Any]) -> bytes:
    """The exact serialisation SPEC §5 hashes (and that we store in S3)."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def event_hash(event: dict[str, Any]) -> str:
    """Lowercase hex SHA-256 of the event without its `hash` key."""
    unhashed = {key: value for key, value in event.items() if key != "hash"}
    return hashlib.sha256(canonical_bytes(unhashed)).hexdigest()


def audit_key(force: str, created_at: datetime, verification_id: str, seq: int) -> str:
    """Where an event lives in the audit bucket: partitioned for Athena by force and date."""
    return (
        f"audit/force={force}/date={created_at.astimezone(UTC).strftime('%Y-%m-%d')}/"
        f"{verification_id}/{seq:06d}.json"
    )


@dataclass(frozen=True)
class PendingEvent:
    """An event the domain wants recorded; it gets its seq and hashes when chained."""

    type: str
    actor: Actor
    data: dict[str, Any]


def chain(
    pending: list[PendingEvent],
    *,
    verification_id: str,
    force: str,
    after_seq: int,
    after_hash: str,
    at: datetime,
    new_event_id: Callable[[], str],
) -> list[dict[str, Any]]:
    """Give each pending event the next seq and link it to the previous hash."""
    chained: list[dict[str, Any]] = []
    seq, prev_hash = after_seq, after_hash
    for item in pending:
        seq += 1
        event: dict[str, Any] = {
            "event_id": new_event_id(),
            "verification_id": verification_id,
            "force": force,
            "seq": seq,
            "type": item.type,
            "at": iso_z(at),
            "actor": item.actor.as_dict(),
            "data": item.data,
            "prev_hash": prev_hash,
        }
        event["hash"] = event_hash(event)
        prev_hash = event["hash"]
        chained.append(event)
    return chained


def verify_chain(events: list[dict[str, Any]]) -> list[str]:
    """Problems found in one verification's events (empty list = intact)."""
    problems: list[str] = []
    expected_prev: str | None = GENESIS_HASH
    for position, event in enumerate(sorted(events, key=lambda e: e.get("seq", 0)), start=1):
        if event.get("seq") != position:
            problems.append(f"seq {event.get('seq')}: expected {position}")
        if event.get("prev_hash") != expected_prev:
            problems.append(f"seq {event.get('seq')}: prev_hash does not match previous event")
        if event.get("hash") != event_hash(event):
            problems.append(f"seq {event.get('seq')}: hash does not match content")
        expected_prev = event.get("hash")
    return problems
