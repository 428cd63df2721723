"""What DynamoDB says each chain holds, so `audit verify` can tell a chain whose tail never reached
S3 (issue 13, finding 6): a chain missing its last events is otherwise indistinguishable, in the
bucket alone, from a chain that simply ended there.

Two sources, both read without touching personal data: each verification's `audit_seq` (how many
events it recorded; read through the `by_force_status` index, projecting ids, seq and creation time
only), and the outbox events still awaiting copy (which also covers chains with no verification
item: refused starts, registry changes, erased checks' last event).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..adapters.audit_outbox import DynamoAuditOutbox
from ..adapters.dynamodb import keys
from ..adapters.dynamodb.codec import serialise_item
from ..adapters.dynamodb.keys import STATUS_INDEX
from ..domain.outbox import AUDIT_KEY
from ..domain.verification import Status


@dataclass(frozen=True)
class RecordedChain:
    """A chain as DynamoDB records it: how many events, and the S3 folder they belong in."""

    chain_id: str
    seq: int
    folder: str  # audit/force=…/date=…/{chain_id}


class DynamoRecordedChains:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._outbox = DynamoAuditOutbox(client, table_name)

    def verifications(self, force: str, start: date | None, end: date | None) -> Iterator[RecordedChain]:
        """Every verification of the force created in the range, with the audit_seq it records."""
        for status in Status:
            condition, values = "gsi1pk = :key", {":key": keys.status_partition(force, status.value)}
            if start or end:
                condition += " AND gsi1sk BETWEEN :first AND :last"
                values.update({
                    ":first": (start or date.min).isoformat(), ":last": f"{(end or date.max).isoformat()}T99",
                })
            kwargs: dict[str, Any] = {
                "TableName": self._table, "IndexName": STATUS_INDEX, "KeyConditionExpression": condition,
                "ExpressionAttributeValues": serialise_item(values),
                "ProjectionExpression": "verification_id, audit_seq, created_at",
            }
            while True:
                response = self._client.query(**kwargs)
                for item in response.get("Items", []):
                    chain_id, created = item["verification_id"]["S"], item["created_at"]["S"]
                    yield RecordedChain(chain_id, int(item["audit_seq"]["N"]),
                                        f"audit/force={force}/date={created[:10]}/{chain_id}")
                if "LastEvaluatedKey" not in response:
                    break
                kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def awaiting_copy(self, force: str, start: date | None, end: date | None) -> dict[str, datetime]:
        """S3 key -> when it was recorded, for the force's outbox events not yet in S3."""
        found: dict[str, datetime] = {}
        for waiting in self._outbox.waiting():
            audit_key = waiting.audit_key
            match = AUDIT_KEY.match(audit_key) if audit_key else None
            if audit_key is None or match is None or match["force"] != force:
                continue
            day = date.fromisoformat(match["date"])
            if (start is None or day >= start) and (end is None or day <= end):
                recorded = datetime.fromisoformat(waiting.recorded_at.replace("Z", "+00:00"))
                found[audit_key] = recorded.astimezone(UTC)
        return found
