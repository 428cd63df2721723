"""The control room (SPEC §7.3): its board of live checks and alerts, and acknowledging an alert.

The board discloses where each live check is, so each listed check is a consultation, logged at
most once per reader per verification per 5 minutes as every other read (services/reading.py).
An acknowledgement is a conditional write (once only), audited on the chain the alert is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.access import Principal, require_role
from ..domain.alerts import Alert
from ..domain.audit import EventType, PendingEvent, reason_for
from ..domain.errors import InvalidTransition, NotFound
from ..domain.registry import Role
from ..domain.verification import Status, Verification
from ..observability import logger
from .reading import record_consultation
from .unit_of_work import actor_of, append_events

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

# The board shows every unacknowledged alert up to this many, and the latest acknowledged ones.
UNACKNOWLEDGED_CAP = 200
ACKNOWLEDGED_SHOWN = 50
# Far more live checks than one force has at once (each status is one Query page).
ACTIVE_PER_STATUS = 200


@dataclass(frozen=True)
class ActiveCheck:
    """A live check on the board: how long the person stopped has waited."""

    verification: Verification
    waiting_seconds: int


@dataclass(frozen=True)
class Board:
    active: list[ActiveCheck]
    alerts: list[Alert]


def control_board(deps: Dependencies, principal: Principal) -> Board:
    """The force's live checks (oldest first) and alerts (unacknowledged first, newest first)."""
    require_role(principal, Role.CONTROL_ROOM)
    now = deps.clock()
    live = [v for status in (Status.AWAITING_SERGEANT, Status.CONNECTED)
            for v in deps.verifications.list_by_status(principal.force, status, limit=ACTIVE_PER_STATUS)]
    live.sort(key=lambda v: (v.created_at, v.verification_id))
    data = {"reason": reason_for(Role.CONTROL_ROOM.value), "via": "control_board"}
    active = [
        ActiveCheck(shown, max(0, int((now - shown.created_at).total_seconds())))
        for shown in (record_consultation(deps, principal, v, data) for v in live)
    ]
    alerts = deps.alert_store.board(principal.force, UNACKNOWLEDGED_CAP, ACKNOWLEDGED_SHOWN)
    return Board(active, alerts)


def acknowledge_alert(deps: Dependencies, principal: Principal, alert_id: str, note: str | None) -> Alert:
    """Acknowledge once: another force's alert is not found, a second acknowledgement is refused."""
    require_role(principal, Role.CONTROL_ROOM)
    alert = deps.alert_store.get(alert_id)
    if alert is None:
        raise NotFound("No such alert.")
    record, _ = deps.registry_cache.lookup(principal.force, principal.officer_id)
    by = {"officer_id": principal.officer_id, "rank": record.rank if record else None,
          "family_name": record.family_name if record else None}
    acknowledged = alert.acknowledge(principal.force, by, deps.clock(), note)
    if not deps.alert_store.acknowledge(acknowledged):
        raise InvalidTransition("This alert has already been acknowledged.")
    try:
        _audit(deps, principal, acknowledged)
    except Exception:
        # No acknowledgement without its audit event: the alert is open again, the operator sees
        # the error and acknowledges again (the two writes are on different items, not one transaction).
        if not deps.alert_store.withdraw_acknowledgement(acknowledged):
            logger.error("alert_acknowledgement_not_withdrawn", extra={"alert_id": acknowledged.alert_id})
        raise
    return acknowledged


def _audit(deps: Dependencies, principal: Principal, alert: Alert) -> None:
    """`alert.acknowledged` on the alert's chain; the note (free text) sealed under its data key."""
    data = {"alert_id": alert.alert_id, "kind": alert.kind.value,
            "note": deps.envelope.seal(alert.chain_id, alert.note)}
    pending = PendingEvent(EventType.ALERT_ACKNOWLEDGED, actor_of(principal), data)
    if alert.verification_id is not None:
        append_events(deps, alert.verification_id, [pending])
    else:
        from .refusals import append_to_chain

        append_to_chain(deps, alert.force, alert.chain_id, pending)
