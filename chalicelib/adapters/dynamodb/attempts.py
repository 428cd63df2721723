"""Audit chains that created no verification (`A#{chain}`): registry reads and imports, refusals."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ...domain.errors import ConcurrentUpdate
from . import keys
from .batch import batch_write
from .codec import deserialise_item, serialise_item
from .verification_items import event_puts


class AttemptChains:
    """The attempt-chain half of DynamoVerificationRepository (same table, same client)."""

    _client: Any
    _table: str

    def _attempt_query(self, attempt_id: str, **extra: Any) -> list[dict[str, Any]]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialise_item(
                {":pk": keys.attempt_pk(attempt_id), ":prefix": keys.EVENT_PREFIX}
            ),
            **extra,
            ConsistentRead=True,
        )
        return [json.loads(deserialise_item(item)["event_json"]) for item in response.get("Items", [])]

    def attempt_events(self, attempt_id: str) -> list[dict[str, Any]]:
        """The events of a one-off attempt chain, in order (empty if there are none)."""
        return sorted(self._attempt_query(attempt_id), key=lambda e: e["seq"])

    def last_attempt_event(self, attempt_id: str) -> dict[str, Any] | None:
        """The newest event of an attempt chain (one read, however long the chain has grown)."""
        events = self._attempt_query(attempt_id, ScanIndexForward=False, Limit=1)
        return events[0] if events else None

    def append_attempt_event(self, attempt_id: str, key: str, event: dict[str, Any]) -> None:
        """Add the next event to an attempt chain; ConcurrentUpdate if its seq was taken meanwhile
        (the caller reads the new end and chains after it, so the chain never forks)."""
        (put,) = event_puts(self._table, keys.attempt_pk(attempt_id), [(key, event)])
        try:
            self._client.put_item(**put["Put"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(attempt_id) from None
            raise

    def record_attempt(self, attempt_id: str, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Audit something that created no verification (its events are their own short chain)."""
        self._client.transact_write_items(TransactItems=event_puts(self._table, keys.attempt_pk(attempt_id), events))

    def record_attempts(self, chains: list[tuple[str, list[tuple[str, dict[str, Any]]]]]) -> None:
        """Many new one-off chains at once (a registry import): 25 events per BatchWriteItem.

        Unconditional puts: each chain id is new and random (96 bits), so nothing can be overwritten,
        and the stream copies each event to S3 only if its key is free."""
        puts = [
            put["Put"]["Item"]
            for chain_id, events in chains
            for put in event_puts(self._table, keys.attempt_pk(chain_id), events)
        ]
        batch_write(self._client, self._table, [{"PutRequest": {"Item": item}} for item in puts])
