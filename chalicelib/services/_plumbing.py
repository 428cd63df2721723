"""Shared plumbing of the use cases: optimistic writes with audit events, alerts, timers, meetings."""


import dataclasses
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any

from ..domain.access import Principal, ensure_can_view
from ..domain.audit import GENESIS_HASH, SYSTEM, Actor, EventType, PendingEvent, audit_key, chain
from ..domain.clock import iso_z, parse_iso
from ..domain.errors import (
    ConcurrentUpdate,
    InvalidTransition,
    NotFound,
)
from ..domain.verification import Location, Verification
from ..observability import logger

if TYPE_CHECKING:
    from ..bootstrap import Dependencies



Change = Callable[[Verification], tuple[Verification, list[PendingEvent]]]
MAX_WRITE_ATTEMPTS = 5

ALERT_SUBJECTS = {
    "verification_not_confirmed": "NOT CONFIRMED",
    "verification_unanswered": "UNANSWERED",
    "verification_expired": "NOT DECIDED IN TIME",
}


def _actor(principal: Principal) -> Actor:
    return Actor(role=principal.role.value if principal.role else "unknown", officer_id=principal.officer_id)


def _keyed(verification: Verification, events: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (audit_key(verification.force, verification.created_at, verification.verification_id, e["seq"]), e)
        for e in events
    ]


def _stamp(deps: "Dependencies", before: Verification, after: Verification, pending: list[PendingEvent]):
    """Chain the pending events after `before`'s last event and record the new chain head."""
    events = chain(
        pending,
        verification_id=after.verification_id,
        force=after.force,
        after_seq=before.audit_seq,
        after_hash=before.audit_head,
        at=deps.clock(),
        new_event_id=deps.new_event_id,
    )
    if events:
        after = dataclasses.replace(after, audit_seq=events[-1]["seq"], audit_head=events[-1]["hash"])
    return after, _keyed(after, events)


def _apply(
    deps: "Dependencies", verification_id: str, change: Change, current: Verification | None = None
) -> tuple[Verification, Verification]:
    """Read, change, conditionally write; on a lost race read again so the domain sees the winner.

    `current`, when the caller has just read or written the verification, saves the first read: the
    write is conditional on exactly that state, so a stale copy only costs a retry, never a wrong write.
    """
    for _ in range(MAX_WRITE_ATTEMPTS):
        before, current = current or deps.verifications.get(verification_id), None
        if before is None:
            raise NotFound("No such verification.")
        after, pending = change(before)
        after, events = _stamp(deps, before, after, pending)
        try:
            deps.verifications.save_transition(before, after, events)
            return before, after
        except ConcurrentUpdate:
            continue
    raise InvalidTransition("This verification is changing too quickly; try again.")


def _append(
    deps: "Dependencies", verification_id: str, pending: list[PendingEvent], current: Verification | None = None
) -> Verification:
    """Add events to a verification's chain without changing its state."""
    return _apply(deps, verification_id, lambda latest: (latest, pending), current)[1]


def _load_visible(deps: "Dependencies", principal: Principal, verification_id: str) -> Verification:
    verification = deps.verifications.get(verification_id)
    if verification is None:
        raise NotFound("No such verification.")
    ensure_can_view(principal, verification)
    return verification


def _close_meeting(deps: "Dependencies", verification: Verification) -> None:
    """Terminal states end the call. A Chime failure must not undo the stored decision."""
    if verification.meeting_id:
        _close_meeting_id(deps, verification.verification_id, verification.meeting_id)


def _close_meeting_id(deps: "Dependencies", verification_id: str, meeting_id: str) -> None:
    try:
        deps.meetings.delete_meeting(meeting_id)
    except Exception as error:  # noqa: BLE001 - logged; Chime also ends idle meetings by itself
        logger.error("meeting_delete_failed", extra={"verification_id": verification_id, "error": _error_code(error)})


def _alert(deps: "Dependencies", verification_id: str | None, subject: str, alert: dict[str, Any]) -> bool:
    """Tell the control room. Returns whether SNS took the message (the caller audits either way)."""
    try:
        deps.alerts.publish(subject, alert)
        return True
    except Exception as error:  # noqa: BLE001 - the state is already stored; the failure is audited
        logger.error("alert_publish_failed", extra={"verification_id": verification_id, "error": _error_code(error)})
        return False


def _utc_day(moment: Any) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _error_code(error: Exception) -> str:
    """A log-safe description of a failure: the AWS error code or the exception class, no message."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Code"):
        return str(response["Error"]["Code"])
    return type(error).__name__


def _location_dict(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m}


def _meeting_view(meeting: dict[str, Any] | None, attendee: dict[str, Any] | None) -> dict[str, Any] | None:
    if meeting is None or attendee is None:
        return None
    return {"Meeting": meeting, "Attendee": attendee}


def _schedule(deps: "Dependencies", verification: Verification, timers: list[Any]) -> None:
    """Arm timers. If SQS refuses, the check could hang: audit it and tell the control room."""
    for timer in timers:
        try:
            deps.timers.schedule(timer)
        except Exception as error:  # noqa: BLE001 - the officer still gets their answer
            code = _error_code(error)
            logger.error(
                "timer_schedule_failed", extra={"verification_id": verification.verification_id, "error": code}
            )
            _append(deps, verification.verification_id, [PendingEvent(
                EventType.TIMER_FAILED, SYSTEM, {"timer": timer.kind.value, "error": code}
            )])
            _alert(deps, verification.verification_id, "Safe Connection: check has no timeout - watch it",
                   {**_alert_body(verification, "timer_failure"), "timer": timer.kind.value})


def _alert_body(verification: Verification, alert_type: str) -> dict[str, Any]:
    """What the control room needs to send someone: force, who, where, which check."""
    return {
        "type": alert_type,
        "force": verification.force,
        "verification_id": verification.verification_id,
        "reference": verification.reference,
        "officer": dataclasses.asdict(verification.officer),
        "sergeant_id": verification.sergeant.officer_id if verification.sergeant else None,
        "location": _location_dict(verification.location),
        "area": verification.area,
        "at": iso_z(verification.decided_at or verification.created_at),
    }


def _alert_outcome(deps: "Dependencies", verification: Verification, alert_type: str) -> Verification:
    """Alert the control room about a failed check and audit whether the alert went out."""
    officer = verification.officer
    subject = f"Safe Connection: {ALERT_SUBJECTS[alert_type]} {officer.rank} {officer.officer_id}"
    ok = _alert(deps, verification.verification_id, subject, _alert_body(verification, alert_type))
    event = EventType.ALERT_SENT if ok else EventType.ALERT_FAILED
    return _append(
        deps, verification.verification_id, [PendingEvent(event, SYSTEM, {"alert_type": alert_type})], verification
    )


def _record_standalone_event(
    deps: "Dependencies", force: str, chain_id: str, pending: PendingEvent, after: list[dict[str, Any]] | None = None
) -> None:
    """Audit something with no verification item to hold its chain head (a refused start, a
    registry read or change): a chain of its own, started here or extended `after` its events."""
    deps.verifications.record_attempt(chain_id, [_standalone_event(deps, force, chain_id, pending, after)])


def _standalone_event(
    deps: "Dependencies", force: str, chain_id: str, pending: PendingEvent, after: list[dict[str, Any]] | None = None
) -> tuple[str, dict[str, Any]]:
    """The keyed event `_record_standalone_event` stores (for callers that batch their writes)."""
    now = deps.clock()
    first, last = (after[0], after[-1]) if after else (None, None)
    [event] = chain(
        [pending],
        verification_id=chain_id,
        force=last["force"] if last else force,
        after_seq=last["seq"] if last else 0,
        after_hash=last["hash"] if last else GENESIS_HASH,
        at=now,
        new_event_id=deps.new_event_id,
    )
    created = parse_iso(first["at"]) if first else now
    return audit_key(event["force"], created, chain_id, event["seq"]), event
