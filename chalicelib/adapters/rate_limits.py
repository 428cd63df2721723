"""Fixed-window request counters in DynamoDB (one conditional ADD per request, expired by TTL),
the keyed pseudonyms of client addresses they count by, and the citizen's look-up passes."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from botocore.exceptions import ClientError

from .dynamodb import keys
from .dynamodb.codec import serialise_item


class ClientAddressKeys:
    """Client addresses are personal data: only a keyed HMAC of one is stored, and only for a while.

    An unkeyed hash of an IPv4 address is reversed by hashing all 2^32 addresses; without the key
    (a Secrets Manager secret in AWS) the stored value says nothing about the address.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the rate-limit key must be at least 32 bytes")
        self._key = key

    def _digest(self, purpose: str, *parts: str) -> str:
        message = "\n".join([purpose, *parts]).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def address(self, address: str) -> str:
        """The pseudonym the address's counters are kept under."""
        return self._digest("address", address)

    def address_and_reference(self, address: str, reference: str) -> str:
        """One pseudonym for an address watching one reference (nothing links it to either)."""
        return self._digest("pass", address, reference)


class DynamoRateLimiter:
    """Counts hits per key and window in the idempotency table (`id`, TTL `expiration`)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @staticmethod
    def _id(key: str, window_seconds: int, now_epoch: float) -> tuple[str, int]:
        window = int(now_epoch // window_seconds)
        return keys.rate_limit_id(key, window), window

    def allow(self, key: str, limit: int, window_seconds: int, now_epoch: float) -> bool:
        """Count one hit; False (and nothing counted) when the window already holds `limit`."""
        item_id, window = self._id(key, window_seconds, now_epoch)
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialise_item({"id": item_id}),
                UpdateExpression="ADD hits :one SET expiration = :expires",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues=serialise_item(
                    {":one": 1, ":limit": limit, ":expires": (window + 2) * window_seconds}
                ),
            )
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def exhausted(self, key: str, limit: int, window_seconds: int, now_epoch: float) -> bool:
        """Whether this window already holds `limit` hits (counts nothing)."""
        item_id, _ = self._id(key, window_seconds, now_epoch)
        item = self._client.get_item(
            TableName=self._table, Key=serialise_item({"id": item_id}), ConsistentRead=True
        ).get("Item")
        return bool(item) and int(item["hits"]["N"]) >= limit


class DynamoLookupPasses:
    """Pseudonymous (address, reference) pairs that found a check: they may keep watching it.

    Kept in the idempotency table until the check's public view ends (TTL `expiration`).
    """

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def holds(self, key: str) -> bool:
        item = self._client.get_item(TableName=self._table, Key=serialise_item(keys.lookup_pass_key(key))).get("Item")
        return item is not None

    def grant(self, key: str, until_epoch: int) -> None:
        self._client.put_item(TableName=self._table, Item=serialise_item({
            **keys.lookup_pass_key(key), "kind": "lookup_pass", "expiration": until_epoch,
        }))
