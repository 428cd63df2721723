"""Side effects on other services, after the state change is safely stored: control-room alerts,
timers, ending the Chime meeting. An alert is stored as a record first (the control room's board)
and published to the topic second, so a failed SNS call never loses it (SPEC §7.3). None of them
undoes the stored change when it fails: each failure is logged (error code only, no personal data)
and, where the check depends on it, audited."""

import dataclasses
from typing import TYPE_CHECKING, Any

from ..adapters.dynamodb.keys import alert_id as compose_alert_id
from ..domain.alerts import Alert, AlertKind
from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.clock import iso_z
from ..domain.escalation import Timer
from ..domain.verification import Verification
from ..observability import error_code, logger
from ..schemas.views import location_view
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


def new_alert(
    deps: "Dependencies", kind: AlertKind, force: str, chain_id: str, *,
    verification: Verification | None = None, officer: dict[str, Any] | None = None,
    location: dict[str, Any] | None = None, area: str | None = None, where: str | None = None,
) -> Alert:
    """A fresh alert about `chain_id` (a verification id or an attempt chain), raised now."""
    token = deps.new_event_id().replace("-", "")[:24]
    if verification is not None:
        officer = officer or dataclasses.asdict(verification.officer)
        location = location or location_view(verification.location)
        area = area or verification.area
    return Alert(
        alert_id=compose_alert_id(chain_id, token), kind=kind, force=force, chain_id=chain_id,
        raised_at=deps.clock(),
        verification_id=verification.verification_id if verification else None,
        reference=verification.reference if verification else None,
        officer=officer, location=location, area=area, where=where,
    )


def raise_alert(deps: "Dependencies", alert: Alert, subject: str, message: dict[str, Any]) -> bool:
    """Store the alert, then publish it. Returns whether SNS took it (the caller audits either way).

    A store failure is logged and the topic still hears: the control room must learn of it somehow.
    """
    try:
        deps.alert_store.add(alert)
    except Exception as error:  # noqa: BLE001 - the topic still carries the alert
        logger.error("alert_store_failed", extra={"verification_id": alert.chain_id, "error": error_code(error)})
    message = {**message, "alert_id": alert.alert_id, "kind": alert.kind.value}
    return publish_alert(deps, alert.chain_id, subject, message)


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
            alert = new_alert(deps, AlertKind.TIMER_FAILED, verification.force, verification.verification_id,
                              verification=verification)
            raise_alert(deps, alert, "Safe Connection: check has no timeout - watch it",
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
        # How the check was decided (video, audio, radio), or None for one nobody decided.
        "method": verification.method.value if verification.method else None,
        "location": location_view(verification.location),
        "area": verification.area,
        "at": iso_z(verification.decided_at or verification.created_at),
    }


def alert_outcome(deps: "Dependencies", verification: Verification, alert_type: str) -> Verification:
    """Alert the control room about a failed check and audit whether the alert went out."""
    officer = verification.officer
    subject = f"Safe Connection: {ALERT_SUBJECTS[alert_type]} {officer.rank} {officer.officer_id}"
    alert = new_alert(deps, AlertKind(alert_type), verification.force, verification.verification_id,
                      verification=verification)
    ok = raise_alert(deps, alert, subject, alert_body(verification, alert_type))
    event = EventType.ALERT_SENT if ok else EventType.ALERT_FAILED
    return append_events(
        deps, verification.verification_id, [PendingEvent(event, SYSTEM, {"alert_type": alert_type})], verification
    )
