"""The audit log pipeline: copying events to S3, daily digests, erasure after retention."""


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
    backs off and retries). Writes are conditional, so redelivery never creates a second version.
    Each copied event is also recorded in the day's index, which the signed daily digest lists.
    """
    import json

    from ..adapters.dynamodb import deserialise_item
    from ..domain.audit import canonical_bytes

    written = 0
    today = deps.clock().date().isoformat()
    indexed: list[tuple[str, str, str]] = []
    try:
        for record in records:
            if record.get("eventName") != "INSERT":
                continue
            raw = record.get("dynamodb", {}).get("NewImage", {})
            # Filter on the raw image first: other items (e.g. encrypted data keys) carry binary
            # attributes, which Lambda delivers base64-encoded and the deserialiser would reject.
            if raw.get("kind", {}).get("S") != "audit_event":
                continue
            image = deserialise_item(raw)
            event = json.loads(image["event_json"])
            if deps.audit_log.write(image["audit_key"], canonical_bytes(event)):
                written += 1
            indexed.append((event["force"], image["audit_key"], event["hash"]))
    finally:
        # Whatever reached S3 is indexed, in one batch (even when a later write failed).
        if indexed:
            deps.audit_index.record_many(today, indexed)
    return written


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
