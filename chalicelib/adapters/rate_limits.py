"""Fixed-window request counters in DynamoDB (one conditional ADD per request, expired by TTL)."""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from .dynamodb import serialise_item


def anonymise(address: str) -> str:
    """Client addresses are personal data: only a hash is stored, and only for minutes."""
    return hashlib.sha256(f"safe-connection:{address}".encode()).hexdigest()[:32]


class DynamoRateLimiter:
    """Counts hits per key and window in the idempotency table (`id`, TTL `expiration`)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def allow(self, key: str, limit: int, window_seconds: int, now_epoch: float) -> bool:
        window = int(now_epoch // window_seconds)
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialise_item({"id": f"ratelimit#{key}#{window}"}),
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
