"""The DynamoDB stream consumer that copies audit events to S3 (SPEC §5)."""

from __future__ import annotations

from typing import Any

from ..bootstrap import get_dependencies
from ..observability import logger


def handle_stream_batch(records: list[dict[str, Any]]) -> int:
    """Write every new audit event to S3. Any failure raises, so the whole batch is redelivered."""
    from ..services import auditing  # only the stream's function copies audit events

    logger.remove_keys(["verification_id"])
    written = auditing.copy_audit_events(get_dependencies(), records)
    logger.info("audit_events_copied", extra={"written": written, "records": len(records)})
    return written
