"""Refused outbox items (issue 13, finding 7): kept aside, alerted and audited, never copied.

A refused item is stored under `quarantine/` in the audit bucket (locked like the log, outside
`audit/`, so it is in no chain and no digest), the control room is told, and the refusal is an
audit event of its own chain. Each step survives redelivery: the quarantined copy is named by the
item's fingerprint and written last, so an item seen again whose copy exists changes nothing, and
a run that stopped half-way tells the control room again rather than not at all; the audit chain's
id comes from the fingerprint too, so it is written once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..domain.audit import SYSTEM, PendingEvent
from ..domain.clock import iso_z
from ..domain.outbox import OutboxItem, claimed_place, quarantine_key
from ..observability import logger
from .side_effects import publish_alert
from .unit_of_work import record_standalone_event

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

QUARANTINED = "audit_event.quarantined"
ALERT_TYPE = "audit_event_quarantined"
ALERT_SUBJECT = "Safe Connection: AUDIT EVENT REFUSED - outbox item quarantined, investigate"


def quarantine(deps: Dependencies, item: OutboxItem, reason: str) -> bool:
    """Keep `item` out of the log; returns True the first time this exact item is refused."""
    key = quarantine_key(item)
    if deps.audit_log.read(key) is not None:
        deps.audit_outbox.mark_quarantined(item, key)
        return False
    place = claimed_place(item)
    at = iso_z(deps.clock())
    logger.warning("audit_event_quarantined", extra={
        "verification_id": place["verification_id"], "seq": place["seq"], "reason": reason, "quarantine_key": key})
    alerted = publish_alert(deps, place["verification_id"], ALERT_SUBJECT, {
        # The topic's message attributes need a force: an item that names none is still alerted.
        "type": ALERT_TYPE, "force": place["force"] or "unknown", "verification_id": place["verification_id"],
        "seq": place["seq"], "reason": reason, "quarantine_key": key, "at": at,
    })
    _audit(deps, item, place, reason, key, alerted)
    body = {"reason": reason, "quarantined_at": at, "item": {
        "pk": item.pk, "sk": item.sk, "audit_key": item.audit_key, "event_json": item.event_json}}
    deps.audit_log.write(key, json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    deps.audit_outbox.mark_quarantined(item, key)
    return True


def _audit(deps: Dependencies, item: OutboxItem, place: dict[str, Any], reason: str, key: str, alerted: bool) -> None:
    """The refusal as an audit event of a chain of its own (the claimed chain may be the target)."""
    fingerprint = item.fingerprint()
    record = PendingEvent(QUARANTINED, SYSTEM, {
        "verification_id": place["verification_id"], "seq": place["seq"], "reason": reason,
        "quarantine_key": key, "item_sha256": fingerprint, "alert": "sent" if alerted else "failed",
    })
    try:
        record_standalone_event(deps, place["force"] or "unknown", f"Q{fingerprint[:15]}", record)
    except ClientError as error:
        # Written by an earlier delivery of the same item: the chain id is the item's.
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
