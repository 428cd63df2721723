"""Control-room alerts in the verifications table (keys: keys.py, `ALERTS#{chain}` / `ALERT#{token}`).

Each alert is one item, under its chain's partition (erasure finds a chain's alerts by one Query)
and on the `by_force_status` GSI under `{force}#alerts` (the board: one descending Query for the
unacknowledged, one for the latest acknowledged). Every change is a conditional write.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from botocore.exceptions import ClientError

from ...domain.alerts import Alert, AlertKind
from ...domain.clock import iso_z, parse_iso
from . import keys
from .codec import deserialise_item, serialise_item

ITEM_KIND = "alert"  # not "audit_event": the stream consumer copies only audit events to S3
MAX_REDACT_ATTEMPTS = 5


def _board_keys(alert: Alert) -> dict[str, str | None]:
    if alert.erased:
        return {"gsi1pk": None, "gsi1sk": None}  # erased alerts leave the board
    return {
        "gsi1pk": keys.status_partition(alert.force, keys.ALERTS_STATUS),
        "gsi1sk": keys.alert_board_sk(alert.acknowledged, iso_z(alert.raised_at) or "", alert.alert_id),
    }


def alert_item(alert: Alert) -> dict[str, Any]:
    key = keys.alert_key(alert.alert_id)
    if key is None:
        raise ValueError(f"not an alert id: {alert.alert_id!r}")
    return {
        **key,
        **_board_keys(alert),
        "kind": ITEM_KIND,
        "alert_id": alert.alert_id,
        "alert_kind": alert.kind.value,
        "force": alert.force,
        "chain_id": alert.chain_id,
        "raised_at": iso_z(alert.raised_at),
        "verification_id": alert.verification_id,
        "reference": alert.reference,
        "officer": alert.officer,
        "location": alert.location,
        "area": alert.area,
        "where": alert.where,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": iso_z(alert.acknowledged_at),
        "note": alert.note,
        "erased": alert.erased or None,
    }


def alert_from(item: dict[str, Any]) -> Alert:
    raised_at = parse_iso(item["raised_at"])
    assert raised_at is not None  # noqa: S101 - always written
    return Alert(
        alert_id=item["alert_id"],
        kind=AlertKind(item["alert_kind"]),
        force=item["force"],
        chain_id=item["chain_id"],
        raised_at=raised_at,
        verification_id=item.get("verification_id"),
        reference=item.get("reference"),
        officer=item.get("officer"),
        location=item.get("location"),
        area=item.get("area"),
        where=item.get("where"),
        acknowledged_by=item.get("acknowledged_by"),
        acknowledged_at=parse_iso(item.get("acknowledged_at")),
        note=item.get("note"),
        erased=bool(item.get("erased")),
    )


class DynamoAlertStore:
    """The AlertStore port on DynamoDB."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, alert: Alert) -> None:
        """Store a new alert (an id already taken is a bug, never an overwrite)."""
        self._client.put_item(TableName=self._table, Item=serialise_item(alert_item(alert)),
                              ConditionExpression="attribute_not_exists(pk)")

    def get(self, alert_id: str) -> Alert | None:
        key = keys.alert_key(alert_id)
        if key is None:
            return None
        item = self._client.get_item(TableName=self._table, Key=serialise_item(key), ConsistentRead=True).get("Item")
        return alert_from(deserialise_item(item)) if item else None

    def acknowledge(self, acknowledged: Alert) -> bool:
        """Record the acknowledgement; False if the alert is gone or was acknowledged already."""
        key = keys.alert_key(acknowledged.alert_id)
        if key is None:
            return False
        values = {
            ":by": acknowledged.acknowledged_by, ":at": iso_z(acknowledged.acknowledged_at),
            ":sk": _board_keys(acknowledged)["gsi1sk"],
        }
        update = "SET acknowledged_by = :by, acknowledged_at = :at, gsi1sk = :sk"
        if acknowledged.note is not None:
            update += ", note = :note"
            values[":note"] = acknowledged.note
        return self._update_if(key, update, "attribute_exists(pk) AND attribute_not_exists(acknowledged_at) "
                                            "AND attribute_exists(gsi1sk)", values)

    def withdraw_acknowledgement(self, acknowledged: Alert) -> bool:
        """Back to unacknowledged, only if the stored acknowledgement is this one (time and operator)."""
        key = keys.alert_key(acknowledged.alert_id)
        if key is None or acknowledged.acknowledged_at is None or not acknowledged.acknowledged_by:
            return False
        unacknowledged = dataclasses.replace(acknowledged, acknowledged_by=None, acknowledged_at=None, note=None)
        values = {
            ":at": iso_z(acknowledged.acknowledged_at),
            ":by": acknowledged.acknowledged_by.get("officer_id"),
            ":sk": _board_keys(unacknowledged)["gsi1sk"],
        }
        return self._update_if(key, "SET gsi1sk = :sk REMOVE acknowledged_by, acknowledged_at, note",
                               "acknowledged_at = :at AND acknowledged_by.officer_id = :by "
                               "AND attribute_exists(gsi1sk)", values)

    def _update_if(self, key: dict[str, str], update: str, condition: str, values: dict[str, Any]) -> bool:
        """One conditional UpdateItem; False when the condition does not hold (nothing changed)."""
        try:
            self._client.update_item(
                TableName=self._table, Key=serialise_item(key), UpdateExpression=update,
                ConditionExpression=condition, ExpressionAttributeValues=serialise_item(values),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _board_query(self, force: str, prefix: str, limit: int) -> list[Alert]:
        response = self._client.query(
            TableName=self._table,
            IndexName=keys.STATUS_INDEX,
            KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
            ExpressionAttributeValues=serialise_item({
                ":pk": keys.status_partition(force, keys.ALERTS_STATUS), ":prefix": prefix,
            }),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [alert_from(deserialise_item(item)) for item in response.get("Items", [])]

    def board(self, force: str, unacknowledged_limit: int, acknowledged_limit: int) -> list[Alert]:
        """Unacknowledged (newest first, at most the first limit), then the latest acknowledged."""
        return (self._board_query(force, keys.UNACKNOWLEDGED, unacknowledged_limit)
                + self._board_query(force, keys.ACKNOWLEDGED, acknowledged_limit))

    def of_chain(self, chain_id: str) -> list[Alert]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=serialise_item({":pk": keys.alerts_pk(chain_id)}),
            ConsistentRead=True,
        )
        return [alert_from(deserialise_item(item)) for item in response.get("Items", [])]

    def redact_chain(self, chain_id: str) -> int:
        """Erase the personal data of the chain's alerts; returns how many were changed now."""
        changed = 0
        for alert in self.of_chain(chain_id):
            for _ in range(MAX_REDACT_ATTEMPTS):
                if alert.erased:
                    break
                try:
                    self._client.put_item(
                        TableName=self._table, Item=serialise_item(alert_item(alert.redacted())),
                        # Only over exactly the state read: an acknowledgement meanwhile is kept.
                        ConditionExpression="gsi1sk = :sk",
                        ExpressionAttributeValues=serialise_item({":sk": _board_keys(alert)["gsi1sk"]}),
                    )
                    changed += 1
                    break
                except ClientError as error:
                    if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
                    latest = self.get(alert.alert_id)
                    if latest is None:
                        break
                    alert = latest
        return changed
