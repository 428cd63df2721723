"""Folding repeated alerts: at most one per key (a caller and an alert kind) per window.

One item per key in the idempotency table (`alertfold#{key}`, TTL `expiration`): until when the
current window runs, when its alert went out, and how many attempts were folded into it since. The
window is claimed by a conditional write, so of concurrent refusals exactly one raises the alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import ConcurrentUpdate
from .dynamodb import keys
from .dynamodb.codec import deserialise_item, serialise_item

# A folded count outlives its window this long, so the next alert can still report it.
KEEP_SECONDS = 7 * 86_400


@dataclass(frozen=True)
class Fold:
    """What to do with one attempt: raise an alert covering `attempts`, or fold it into the next."""

    alert: bool
    attempts: int = 0  # this attempt and those folded since the previous alert (when alert is True)
    previous_alert_at: str | None = None


class DynamoAlertFolds:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @staticmethod
    def _key(key: str) -> dict[str, Any]:
        return serialise_item(keys.alert_fold_key(key))

    def fold(self, key: str, now_epoch: int, now_iso: str, window_seconds: int) -> Fold:
        """Claim the window (alert now) if none is open, else count this attempt into it."""
        names = {"#until": "until"}
        for _ in range(5):
            try:
                claimed = self._client.update_item(
                    TableName=self._table,
                    Key=self._key(key),
                    UpdateExpression="SET #until = :until, alerted_at = :at, folded = :zero, expiration = :expires",
                    ConditionExpression="attribute_not_exists(id) OR #until <= :now",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=serialise_item({
                        ":until": now_epoch + window_seconds, ":at": now_iso, ":zero": 0, ":now": now_epoch,
                        ":expires": now_epoch + window_seconds + KEEP_SECONDS,
                    }),
                    ReturnValues="ALL_OLD",
                )
                before = deserialise_item(claimed.get("Attributes") or {})
                return Fold(True, 1 + int(before.get("folded", 0)), before.get("alerted_at"))
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=self._key(key),
                    UpdateExpression="ADD folded :one",
                    ConditionExpression="#until > :now",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=serialise_item({":one": 1, ":now": now_epoch}),
                )
                return Fold(False)
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                # The window closed between the two writes: claim the next one.
        raise ConcurrentUpdate(key)

    def reopen(self, key: str, fold: Fold, alerted_at: str) -> None:
        """The alert could not be published: close its window early and keep its attempts counted,
        so the next attempt alerts and reports them (and the alert before it as the previous one)."""
        values: dict[str, Any] = {":zero": 0, ":attempts": fold.attempts, ":at": alerted_at}
        if fold.previous_alert_at is None:
            update = "SET #until = :zero REMOVE alerted_at ADD folded :attempts"
        else:
            update = "SET #until = :zero, alerted_at = :previous ADD folded :attempts"
            values[":previous"] = fold.previous_alert_at
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(key),
                UpdateExpression=update,
                ConditionExpression="alerted_at = :at",
                ExpressionAttributeNames={"#until": "until"},
                ExpressionAttributeValues=serialise_item(values),
            )
        except ClientError as error:
            # A failed condition means a later window was claimed meanwhile, with its own alert.
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
