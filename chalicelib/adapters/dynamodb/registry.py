"""The force registry table (`force`, `officer_id`; keys: keys.py)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ...domain.push import PushSubscription
from ...domain.registry import Duty, OfficerStatus, RegistryRecord, Role
from . import keys
from .batch import batch_write
from .codec import deserialise_item, serialise_item


def record_from(item: dict[str, Any]) -> RegistryRecord:
    return RegistryRecord(
        force=item["force"],
        officer_id=item["officer_id"],
        given_name=item["given_name"],
        family_name=item["family_name"],
        rank=item["rank"],
        status=OfficerStatus(item["status"]),
        role=Role(item["role"]),
        phone=item.get("phone"),
        photo=item.get("photo"),
        duty=Duty(item["duty"]) if item.get("duty") else None,
        last_notified_at=item.get("last_notified_at"),
        photo_version_id=item.get("photo_version_id"),
        photo_sha256=item.get("photo_sha256"),
        last_seen_at=item.get("last_seen_at"),
        last_accepted_at=item.get("last_accepted_at"),
        push=PushSubscription.from_dict(item.get("push")),
    )


def record_item(record: RegistryRecord) -> dict[str, Any]:
    return {
        **record.as_dict(),
        "last_notified_at": record.last_notified_at,
        "photo_version_id": record.photo_version_id,
        "photo_sha256": record.photo_sha256,
        "last_seen_at": record.last_seen_at,
        "last_accepted_at": record.last_accepted_at,
        "push": record.push.as_dict() if record.push else None,
        # Present only while the person can be texted: keeps the GSI small and scan-free.
        "available_in_force": record.force if record.is_available_sergeant else None,
    }


class DynamoRegistry:
    """The force registry. Sparse GSI `available_sergeants` lists who can be texted, without a scan."""

    _record_from = staticmethod(record_from)
    _item = staticmethod(record_item)

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def get(self, force: str, officer_id: str) -> RegistryRecord | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialise_item(keys.registry_key(force, officer_id)),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return record_from(deserialise_item(item)) if item else None

    def in_force(self, force: str) -> list[RegistryRecord]:
        """Every record of one force: a Query of its partition, page by page (imports compare with it)."""
        return self._query_records(
            KeyConditionExpression="#force = :force",
            ExpressionAttributeNames={"#force": "force"},
            ExpressionAttributeValues=serialise_item({":force": force}),
            ConsistentRead=True,
        )

    def _query_records(self, **query: Any) -> list[RegistryRecord]:
        """Every record a Query finds, following its pages."""
        records: list[RegistryRecord] = []
        kwargs: dict[str, Any] = {"TableName": self._table, **query}
        while True:
            response = self._client.query(**kwargs)
            records.extend(record_from(deserialise_item(item)) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return records
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def put(self, record: RegistryRecord) -> None:
        self._client.put_item(TableName=self._table, Item=serialise_item(record_item(record)))

    def put_many(self, records: list[RegistryRecord]) -> None:
        """Bulk load (seeding, imports): 25 records per request, unprocessed items retried (batch.py)."""
        batch_write(self._client, self._table, [{"PutRequest": {"Item": serialise_item(record_item(r))}}
                                                for r in records])

    def pin_photo(self, record: RegistryRecord) -> bool:
        """Store the photo version `record` names, only onto a stored record that still has that photo
        key and no pinned hash (a change meanwhile wins). False when the condition failed."""
        return self._update_if(
            record.force, record.officer_id,
            UpdateExpression="SET photo_version_id = :version, photo_sha256 = :sha256",
            ConditionExpression="attribute_exists(officer_id) AND photo = :photo "
                                "AND attribute_not_exists(photo_sha256)",
            ExpressionAttributeValues=serialise_item({
                ":photo": record.photo, ":version": record.photo_version_id, ":sha256": record.photo_sha256,
            }),
        )

    def available_sergeants(self, force: str) -> list[RegistryRecord]:
        return self._query_records(
            IndexName=keys.AVAILABLE_SERGEANTS_INDEX,
            KeyConditionExpression="available_in_force = :force",
            ExpressionAttributeValues=serialise_item({":force": force}),
        )

    def mark_notified(self, force: str, officer_ids: list[str], at: str) -> None:
        """Record when sergeants were texted (fair rotation); only for records that still exist."""
        for officer_id in officer_ids:
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=serialise_item(keys.registry_key(force, officer_id)),
                    UpdateExpression="SET last_notified_at = :at",
                    ConditionExpression="attribute_exists(officer_id)",
                    ExpressionAttributeValues=serialise_item({":at": at}),
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise

    def mark_seen(self, force: str, officer_id: str, at: str, unless_since: str) -> bool:
        """Record that the sergeant's page is open, unless it was recorded at or after `unless_since`
        (so a page polling every few seconds writes once per SEEN_REFRESH). False if not written."""
        return self._set_if_older(force, officer_id, "last_seen_at", at, unless_since)

    def mark_accepted(self, force: str, officer_id: str, at: str) -> bool:
        """Record when the sergeant last accepted a check (never moving it back in time)."""
        return self._set_if_older(force, officer_id, "last_accepted_at", at, at)

    def _set_if_older(self, force: str, officer_id: str, name: str, at: str, older_than: str) -> bool:
        return self._update_if(
            force, officer_id,
            UpdateExpression="SET #field = :at",
            ConditionExpression="attribute_exists(officer_id) AND "
                                "(attribute_not_exists(#field) OR #field < :older_than)",
            ExpressionAttributeNames={"#field": name},
            ExpressionAttributeValues=serialise_item({":at": at, ":older_than": older_than}),
        )

    def set_push(self, force: str, officer_id: str, subscription: PushSubscription | None,
                 only_if_endpoint: str | None = None) -> bool:
        """Store (or, with None, remove) a serving sergeant's push subscription. `only_if_endpoint`:
        remove it only if it is still that one (a push service said it is gone; the sergeant may
        have subscribed again meanwhile). False if nothing was written."""
        condition = "attribute_exists(officer_id) AND #role = :sergeant AND #status = :serving"
        values: dict[str, Any] = {":sergeant": "sergeant", ":serving": "serving"}
        names = {"#role": "role", "#status": "status"}
        if subscription is not None:
            expression = "SET push = :push"
            values[":push"] = subscription.as_dict()
        else:
            expression = "REMOVE push"
            if only_if_endpoint is not None:
                condition = "attribute_exists(officer_id) AND push.endpoint = :endpoint"
                values = {":endpoint": only_if_endpoint}
                names = {}
        return self._update_if(
            force, officer_id, UpdateExpression=expression, ConditionExpression=condition,
            ExpressionAttributeValues=serialise_item(values),
            **({"ExpressionAttributeNames": names} if names else {}),
        )

    def set_duty(self, force: str, officer_id: str, duty: Duty) -> bool:
        """Conditionally flip a serving sergeant's duty; False if they are not a serving sergeant."""
        if duty is Duty.AVAILABLE:
            expression = "SET duty = :duty, available_in_force = :force"
            values = {":duty": duty.value, ":force": force, ":sergeant": "sergeant", ":serving": "serving"}
        else:
            expression = "SET duty = :duty REMOVE available_in_force"
            values = {":duty": duty.value, ":sergeant": "sergeant", ":serving": "serving"}
        return self._update_if(
            force, officer_id, UpdateExpression=expression,
            ConditionExpression="attribute_exists(officer_id) AND #role = :sergeant AND #status = :serving",
            ExpressionAttributeNames={"#role": "role", "#status": "status"},
            ExpressionAttributeValues=serialise_item(values),
        )

    def _update_if(self, force: str, officer_id: str, **update: Any) -> bool:
        """One conditional UpdateItem of a person's record: False when its condition failed."""
        try:
            self._client.update_item(
                TableName=self._table, Key=serialise_item(keys.registry_key(force, officer_id)), **update
            )
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
