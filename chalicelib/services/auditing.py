"""The audit log pipeline: copying events from the stream to S3, daily digests, erasure after retention.

Copying itself is services/audit_copy.py (shared with the reconciler, audit_reconcile.py).
"""

from typing import TYPE_CHECKING, Any

from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..observability import logger

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

from ._plumbing import _append, _record_standalone_event


def erase_personal_data(deps: "Dependencies", created_day: str) -> list[str]:
    """After the retention period: delete each chain's data key and the DynamoDB copy.

    The audit log in S3 is untouched (and locked): its hashes still chain, but the sealed location,
    area and notes can no longer be decrypted. The erasure itself is appended to each chain first.
    Returns the chains erased.
    """
    erased = []
    for chain_id in deps.envelope.chains_created_on(created_day):
        verification = deps.verifications.get(chain_id)
        if verification is not None and not verification.status.is_terminal:
            logger.warning("erasure_skipped_active", extra={"verification_id": chain_id})
            continue
        record = PendingEvent(EventType.ERASED, SYSTEM, {
            "erased": ["location", "area", "outcome_note", "data_key"], "reason": "retention_period_expired",
        })
        # Each step is safe to repeat, so a run that failed half-way is finished by the next one.
        if verification is not None:
            if _last_event_type(deps.verifications.events(chain_id)) != EventType.ERASED:
                verification = _append(deps, chain_id, [record])
            deps.envelope.erase(chain_id)
            deps.verifications.delete_personal_copy(verification)
        else:
            attempt_events = deps.verifications.attempt_events(chain_id)
            # No events at all: a start that failed after its key was made; only the key remains.
            if attempt_events and _last_event_type(attempt_events) != EventType.ERASED:
                _record_standalone_event(deps, attempt_events[0]["force"], chain_id, record, after=attempt_events)
            deps.envelope.erase(chain_id)
        deps.envelope.forget_retention_entry(created_day, chain_id)
        erased.append(chain_id)
    return erased


def _last_event_type(events: list[dict[str, Any]]) -> str | None:
    return max(events, key=lambda e: e["seq"])["type"] if events else None



def copy_audit_events(deps: "Dependencies", records: list[dict[str, Any]]) -> int:
    """Copy newly inserted audit events from the DynamoDB stream to S3; returns how many were new.

    Raises on any S3 failure so the stream redelivers the batch (Lambda retries; the local worker
    backs off and retries). Each event is judged first and written only if it extends its chain
    (services/audit_copy.py); what the stream gives up on is found by the reconciler.
    """
    from ..adapters.audit_outbox import item_from_image
    from .audit_copy import copy_outbox_items

    items = []
    for record in records:
        if record.get("eventName") != "INSERT":
            continue  # the copiers' own marks arrive as MODIFY; erasure as REMOVE
        image = record.get("dynamodb", {}).get("NewImage", {})
        if image.get("kind", {}).get("S") == "audit_event":
            items.append(item_from_image(image))
    report = copy_outbox_items(deps, items)
    if report.waiting or report.quarantined:
        logger.warning("audit_events_not_copied", extra={"waiting": report.waiting, "quarantined": report.quarantined})
    return report.written


def write_daily_digests(deps: "Dependencies", day: Any) -> list[str]:
    """Sign and store the digest of `day` for every force that had audit writes that day."""
    from ..auditing.digests import DigestExists, write_digest

    keys = []
    for force in deps.audit_index.forces_written(day.isoformat()):
        try:
            key, _ = write_digest(
                deps.s3, deps.settings.audit_bucket, deps.audit_index, deps.digest_signer, force, day, deps.clock()
            )
            keys.append(key)
        except DigestExists as exists:
            logger.info("digest_already_written", extra={"key": str(exists)})
    return keys
