"""What the audit consumer wrote to S3 on each day, per force: the input of the daily digest."""

from __future__ import annotations

from typing import Any

from . import keys
from .batch import batch_write
from .codec import deserialise_item, serialise_item


class DynamoAuditIndex:
    """Items live in the verifications table (`AUDITLOG#{force}#{date}` / object key, and
    `AUDITFORCES#{date}` / force) and are ignored by the stream consumer. Writes are idempotent
    puts, so a redelivered batch records nothing new.
    """

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def record(self, force: str, day: str, key: str, event_hash: str) -> None:
        self.record_many(day, [(force, key, event_hash)])

    def record_many(self, day: str, written: list[tuple[str, str, str]]) -> None:
        """Index (force, object key, hash) entries written on `day`: one BatchWriteItem per 25 items,
        each force's day marker once (not once per event); unprocessed items are sent again."""
        forces = sorted({force for force, _, _ in written})
        items = [{"pk": keys.audit_forces_pk(day), "sk": force, "kind": "audit_day"} for force in forces] + [
            {"pk": keys.audit_log_pk(force, day), "sk": key, "kind": "audit_written", "hash": event_hash}
            for force, key, event_hash in written
        ]
        batch_write(self._client, self._table, [{"PutRequest": {"Item": serialise_item(item)}} for item in items])

    def _query_all(self, pk: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": serialise_item({":pk": pk}),
            "ConsistentRead": True,
        }
        while True:
            response = self._client.query(**kwargs)
            items.extend(deserialise_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def written(self, force: str, day: str) -> list[tuple[str, str]]:
        return [(item["sk"], item["hash"]) for item in self._query_all(keys.audit_log_pk(force, day))]

    def forces_written(self, day: str) -> list[str]:
        return sorted(item["sk"] for item in self._query_all(keys.audit_forces_pk(day)))
