"""The audit log pipeline: copying events from the stream to S3, and the daily digests.

Copying itself is services/audit_copy.py (shared with the reconciler, audit_reconcile.py); erasure
after the retention period is services/erasure.py.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..observability import logger

if TYPE_CHECKING:
    from ..bootstrap import Dependencies


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


def write_daily_digests(deps: "Dependencies", day: date | None = None) -> list[str]:
    """Sign and store the digest of `day` (by default yesterday, UTC: the nightly run) for every
    force that had audit writes that day. A digest already written is left alone (never replaced)."""
    from ..auditing.digests import DigestExists

    day = day or (deps.clock() - timedelta(days=1)).date()
    keys = []
    for force in deps.audit_index.forces_written(day.isoformat()):
        try:
            key, _ = write_digest_of_day(deps, force, day)
            keys.append(key)
        except DigestExists as exists:
            logger.info("digest_already_written", extra={"key": str(exists)})
    return keys


def write_digest_of_day(deps: "Dependencies", force: str, day: date) -> tuple[str, dict[str, Any]]:
    """Sign and store one force's digest of `day` so far (the nightly run and `audit digest` alike).

    Raises DigestExists when that digest is already written: digests are never replaced."""
    from ..auditing.digests import write_digest

    return write_digest(deps.s3, deps.settings.audit_bucket, deps.audit_index, deps.digest_signer, force, day,
                        deps.clock())
