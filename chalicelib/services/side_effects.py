"""Side effects on other services, after the state change is safely stored: control-room alerts,
timers, ending the Chime meeting. None of them undoes the stored change when it fails: each failure
is logged (error code only, no personal data) and, where the check depends on it, audited."""

import dataclasses
from typing import TYPE_CHECKING, Any

from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.clock import iso_z
from ..domain.escalation import Timer
from ..domain.verification import Verification
from ..observability import error_code, logger
from ..schemas import location_view
from .unit_of_work import append_events

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

ALERT_SUBJECTS = {
    "verification_not_confirmed": "NOT CONFIRMED",
    "verification_unanswered": "UNANSWERED",
    "verification_expired": "NOT DECIDED IN TIME",
}


def close_meeting(deps: "Dependencies", verification: Verification) -> None:
    """Terminal states end the call. A Chime failure must not undo the stored decision."""
    if verification.meeting_id:
        close_meeting_id(deps, verification.verification_id, verification.meeting_id)


def close_meeting_id(deps: "Dependencies", verification_id: str, meeting_id: str) -> None:
    """End one Chime meeting; a failure is logged (Chime also ends idle meetings by itself)."""
    try:
        deps.meetings.delete_meeting(meeting_id)
    except Exception as error:  # noqa: BLE001 - logged; Chime also ends idle meetings by itself
        logger.error("meeting_delete_failed", extra={"verification_id": verification_id, "error": error_code(error)})


def publish_alert(deps: "Dependencies", verification_id: str | None, subject: str, alert: dict[str, Any]) -> bool:
    """Tell the control room. Returns whether SNS took the message (the caller audits either way)."""
    try:
        deps.alerts.publish(subject, alert)
        return True
    except Exception as error:  # noqa: BLE001 - the state is already stored; the failure is audited
        logger.error("alert_publish_failed", extra={"verification_id": verification_id, "error": error_code(error)})
        return False


def schedule_timers(deps: "Dependencies", verification: Verification, timers: list[Timer]) -> None:
    """Arm timers. If SQS refuses, the check could hang: audit it and tell the control room."""
    for timer in timers:
        try:
            deps.timers.schedule(timer)
        except Exception as error:  # noqa: BLE001 - the officer still gets their answer
            code = error_code(error)
            logger.error(
                "timer_schedule_failed", extra={"verification_id": verification.verification_id, "error": code}
            )
            append_events(deps, verification.verification_id, [PendingEvent(
                EventType.TIMER_FAILED, SYSTEM, {"timer": timer.kind.value, "error": code}
            )])
            publish_alert(deps, verification.verification_id, "Safe Connection: check has no timeout - watch it",
                          {**alert_body(verification, "timer_failure"), "timer": timer.kind.value})


def alert_body(verification: Verification, alert_type: str) -> dict[str, Any]:
    """What the control room needs to send someone: force, who, where, which check."""
    return {
        "type": alert_type,
        "force": verification.force,
        "verification_id": verification.verification_id,
        "reference": verification.reference,
        "officer": dataclasses.asdict(verification.officer),
        "sergeant_id": verification.sergeant.officer_id if verification.sergeant else None,
        "location": location_view(verification.location),
        "area": verification.area,
        "at": iso_z(verification.decided_at or verification.created_at),
    }


def alert_outcome(deps: "Dependencies", verification: Verification, alert_type: str) -> Verification:
    """Alert the control room about a failed check and audit whether the alert went out."""
    officer = verification.officer
    subject = f"Safe Connection: {ALERT_SUBJECTS[alert_type]} {officer.rank} {officer.officer_id}"
    ok = publish_alert(deps, verification.verification_id, subject, alert_body(verification, alert_type))
    event = EventType.ALERT_SENT if ok else EventType.ALERT_FAILED
    return append_events(
        deps, verification.verification_id, [PendingEvent(event, SYSTEM, {"alert_type": alert_type})], verification
    )
