""""I feel unsafe" (SPEC §7.4): the person stopped tells the control room herself, from her own phone.

Anyone holding the reference may press it, with no sign-in, whatever the check's status (a
confirmed officer can still frighten her). The reference is found as the public view finds it and
counts against the same per-address miss budget, so the route cannot be used to guess references.

Each accepted report raises a `citizen_unsafe` alert (stored, then published: side_effects.py) with
the check's officer and location and her words, and appends `citizen.unsafe_reported` to the
check's chain, her words sealed under its data key like a location (erased with it). At most
`ALERTS_PER_WINDOW` reports per check per fixed window of `WINDOW_SECONDS` raise anything: the
control room is never flooded, and a frightened person who presses again is still answered
"sent" (the control room already knows), with nothing stored or sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..adapters.dynamodb.keys import citizen_unsafe_budget
from ..domain.alerts import AlertKind
from ..domain.audit import Actor, EventType, PendingEvent
from ..domain.clock import iso_z
from ..domain.verification import Verification
from ..observability import logger
from .public import shown_check
from .side_effects import alert_body, new_alert, raise_alert
from .unit_of_work import append_events

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

# Three alerts cover a first press, a second one with words added, and a press minutes later;
# fifteen minutes is long enough for the control room to have answered the first.
ALERTS_PER_WINDOW = 3
WINDOW_SECONDS = 900
# Who the audit event names: someone holding the reference, never identified.
CITIZEN = Actor(role="citizen", officer_id=None)


@dataclass(frozen=True)
class UnsafeReport:
    """What became of one press: `alert_id` of the alert raised, or None when over the limit."""

    verification: Verification
    alert_id: str | None


def report_unsafe(
    deps: Dependencies, typed_reference: str, where: str | None, client_address: str | None = None
) -> UnsafeReport:
    """Tell the control room the person stopped feels unsafe; NotFound/RateLimited as the public view."""
    verification = shown_check(deps, typed_reference, client_address)
    now = deps.clock()
    budget = citizen_unsafe_budget(verification.verification_id)
    if not deps.rate_limiter.allow(budget, ALERTS_PER_WINDOW, WINDOW_SECONDS, now.timestamp()):
        logger.info("citizen_unsafe_over_limit", extra={"verification_id": verification.verification_id})
        return UnsafeReport(verification, None)
    alert = new_alert(deps, AlertKind.CITIZEN_UNSAFE, verification.force, verification.verification_id,
                      verification=verification, where=where)
    officer = verification.officer
    sent = raise_alert(
        deps, alert, f"Safe Connection: PERSON STOPPED FEELS UNSAFE - {officer.rank} {officer.officer_id}",
        {**alert_body(verification, AlertKind.CITIZEN_UNSAFE.value), "status": verification.status.value,
         "where": where, "at": iso_z(now)},
    )
    data = {"alert_id": alert.alert_id, "alert": "sent" if sent else "publish_failed",
            "status": verification.status.value, "where": deps.envelope.seal(verification.verification_id, where)}
    latest = append_events(deps, verification.verification_id,
                           [PendingEvent(EventType.CITIZEN_UNSAFE_REPORTED, CITIZEN, data)])
    logger.info("citizen_unsafe_reported", extra={"verification_id": verification.verification_id, "sent": sent})
    return UnsafeReport(latest, alert.alert_id)

