"""The audit outbox in DynamoDB: which events still wait for S3, and marking them copied.

Every outbox item is written with `awaiting_copy` (and `recorded_at`, the event's time), so it is
in the sparse GSI `audit_awaiting_copy` from the moment it exists. The copiers remove the attribute
(a conditional update on the exact item they judged) once the event is in S3, or once it was
quarantined. So the GSI holds only what has not reached S3: the reconciler finds the backlog with a
Query (never a scan), and erasure can tell whether a verification's events are all in S3.

All items share one GSI partition value: the index holds only the backlog (seconds of events
normally), and at 2 writes per event it stays far below a partition's 1,000 writes a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..domain.outbox import OutboxItem
from .dynamodb import keys
from .dynamodb.codec import serialise_item
from .dynamodb.keys import AWAITING_COPY, AWAITING_COPY_INDEX, RECORDED_AT


def item_from_image(image: dict[str, Any]) -> OutboxItem:
    """An outbox item from DynamoDB JSON (a stream image or a read), taking strings only.

    Nothing else is deserialised: a forged item may carry attributes of any type, and must not be
    able to make the copier fail on it (that would hold up every event behind it in the stream)."""
    def text(name: str) -> str | None:
        value = image.get(name)
        return value.get("S") if isinstance(value, dict) and isinstance(value.get("S"), str) else None

    pk, sk = text("pk") or "", text("sk") or ""
    return OutboxItem(
        pk=pk, sk=sk, audit_key=text("audit_key"), event_json=text("event_json"),
        awaiting_copy=AWAITING_COPY in image, quarantined="quarantined" in image,
        key_chain=keys.chain_of_pk(pk), key_seq=keys.seq_of_sk(sk),
    )


@dataclass(frozen=True)
class Waiting:
    """One event in the backlog, as the GSI lists it."""

    pk: str
    audit_key: str | None
    recorded_at: str


class DynamoAuditOutbox:
    """Reads and conditional updates of `audit_event` items in the verifications table."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def waiting(self, recorded_before: str | None = None) -> Iterator[Waiting]:
        """Events not yet in S3, oldest first, page by page (eventually consistent: re-read each)."""
        condition, values = f"{AWAITING_COPY} = :waiting", {":waiting": "s3"}
        if recorded_before is not None:
            condition += f" AND {RECORDED_AT} < :before"
            values[":before"] = recorded_before
        kwargs: dict[str, Any] = {
            "TableName": self._table, "IndexName": AWAITING_COPY_INDEX, "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialise_item(values),
        }
        while True:
            response = self._client.query(**kwargs)
            for item in response.get("Items", []):
                yield Waiting(item["pk"]["S"], item.get("audit_key", {}).get("S"), item[RECORDED_AT]["S"])
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def chain_items(self, pk: str) -> list[OutboxItem]:
        """Every outbox item of one chain (`V#{id}` or `A#{id}`), in seq order, strongly consistent."""
        items: list[OutboxItem] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :events)",
            "ExpressionAttributeValues": serialise_item({":pk": pk, ":events": keys.EVENT_PREFIX}),
        }
        while True:
            response = self._client.query(**kwargs)
            items.extend(item_from_image(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def get(self, pk: str, seq: int) -> OutboxItem | None:
        """The outbox item at one place of a chain, if any (strongly consistent)."""
        item = self._client.get_item(
            TableName=self._table, Key=serialise_item({"pk": pk, "sk": keys.event_sk(seq)}), ConsistentRead=True,
        ).get("Item")
        return item_from_image(item) if item else None

    def mark_copied(self, item: OutboxItem) -> bool:
        """The event is in S3: take the item out of the backlog. False if the item is no longer
        exactly the one that was copied (changed or deleted since): it is then judged again."""
        return self._update(item, f"REMOVE {AWAITING_COPY}", {})

    def mark_quarantined(self, item: OutboxItem, quarantine_key: str) -> bool:
        """The item was refused and kept under `quarantine_key`: out of the backlog, for good."""
        return self._update(item, f"REMOVE {AWAITING_COPY} SET quarantined = :key", {":key": quarantine_key})

    def _update(self, item: OutboxItem, expression: str, values: dict[str, Any]) -> bool:
        if item.event_json is None:
            condition = "attribute_exists(pk) AND attribute_not_exists(event_json)"
        else:
            condition, values = "event_json = :judged", {**values, ":judged": item.event_json}
        try:
            self._client.update_item(
                TableName=self._table, Key=serialise_item({"pk": item.pk, "sk": item.sk}),
                UpdateExpression=expression, ConditionExpression=condition,
                **({"ExpressionAttributeValues": serialise_item(values)} if values else {}),
            )
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
