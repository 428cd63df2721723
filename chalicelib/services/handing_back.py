"""A sergeant who stops serving cannot decide what they accepted (SPEC §7.2).

Each check they had accepted goes back to waiting: they leave the call, the next wave of sergeants
is texted at once (never anyone already texted for it), its waves and answer timeout run again from
now, and the control room is told. Called when the registry says they stopped serving (a change
by an admin or an import) and when their own request is refused for it, so it also holds when the
registry was changed some other way.
"""

from typing import TYPE_CHECKING

from ..domain.alerts import AlertKind
from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.clock import iso_z
from ..domain.errors import InvalidTransition, NotFound
from ..domain.verification import Status, Verification
from ..observability import error_code, logger
from .notifying import send_wave
from .side_effects import alert_body, new_alert, raise_alert, schedule_timers
from .unit_of_work import append_events, apply_change

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

# Far more checks than one force has in the accepted state at once.
MAX_CONNECTED_CHECKS = 1000


def hand_back_checks_accepted_by(deps: "Dependencies", force: str, sergeant_id: str) -> list[str]:
    """Hand back every check of `force` that `sergeant_id` has accepted; returns their ids."""
    handed_back = []
    for connected in deps.verifications.list_by_status(force, Status.CONNECTED, limit=MAX_CONNECTED_CHECKS):
        if connected.is_accepted_by(sergeant_id) and _hand_back(deps, connected, sergeant_id):
            handed_back.append(connected.verification_id)
    return handed_back


def _hand_back(deps: "Dependencies", connected: Verification, sergeant_id: str) -> bool:
    now = deps.clock()
    event = PendingEvent(EventType.HANDED_BACK, SYSTEM, {"sergeant_id": sergeant_id, "reason": "sergeant_not_serving"})

    def change(v: Verification) -> tuple[Verification, list[PendingEvent]]:
        if not v.is_accepted_by(sergeant_id):
            raise InvalidTransition(f"no longer accepted by {sergeant_id}")
        return v.hand_back(now), [event]

    try:
        _, waiting = apply_change(deps, connected.verification_id, change, connected)
    except (InvalidTransition, NotFound):
        return False  # decided, cancelled or expired meanwhile: nothing to hand back
    logger.append_keys(verification_id=waiting.verification_id)
    if waiting.meeting_id:
        try:
            deps.meetings.remove_attendee(waiting.meeting_id, f"sergeant-{sergeant_id}")
        except Exception as error:  # noqa: BLE001 - logged; they can no longer decide either way
            logger.error("attendee_remove_failed", extra={"verification_id": waiting.verification_id,
                                                          "error": error_code(error)})
    searching = send_wave(deps, waiting.verification_id, waiting.first_wave_of_search, waiting) or waiting
    schedule_timers(deps, searching, deps.escalation.timers_on_start(searching))
    _alert_handed_back(deps, searching, sergeant_id)
    return True


def _alert_handed_back(deps: "Dependencies", verification: Verification, sergeant_id: str) -> None:
    """The control room hears that a check lost its sergeant, and who the officer waiting is."""
    alert = {**alert_body(verification, "officer_not_serving"), "sergeant_id": sergeant_id,
             "handed_back": True, "at": iso_z(deps.clock())}
    subject = f"Safe Connection: sergeant {sergeant_id} not serving - check handed back"
    record = new_alert(deps, AlertKind.OFFICER_NOT_SERVING, verification.force, verification.verification_id,
                       verification=verification)
    ok = raise_alert(deps, record, subject, alert)
    outcome = EventType.ALERT_SENT if ok else EventType.ALERT_FAILED
    append_events(deps, verification.verification_id,
            [PendingEvent(outcome, SYSTEM, {"alert_type": "officer_not_serving"})])
