"""DynamoDB storage for verifications, their audit outbox, and the force registry.

Verifications table (single-table design, pk/sk):
  V#{id} / META            the verification (status, people, meeting, end of its audit chain)
  V#{id} / EVENT#{seq}     one audit event (the outbox the stream consumer copies to S3)
  A#{id} / EVENT#{seq}     an audited attempt that created no verification (a registry read, or
                           a caller's refusals of one day: services/refusals.py)
  REF#{reference} / REF    reference -> verification id (uniqueness + public look-up by GetItem)
  ACTIVE#{force}#{officer} at most one non-terminal verification per officer
GSI `by_force_status` (gsi1pk = "{force}#{status}", gsi1sk = created_at) serves the sergeant list.
Sparse GSI `audit_awaiting_copy` (awaiting_copy, recorded_at) holds the outbox events not yet in S3.

Consultation marks (who had a `verification.viewed` logged, until when) live in the short-lived
table (the idempotency table, TTL `expiration`): `viewed#{verification id}#{force}#{officer id}`.

Every state change is one TransactWriteItems: the new META conditioned on the status and audit
sequence it was read with, plus its audit events. A lost race surfaces as ConcurrentUpdate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from ..domain.clock import iso_z, parse_iso
from ..domain.errors import ActiveVerificationExists, ConcurrentUpdate
from ..domain.registry import Duty, OfficerStatus, RegistryRecord, Role
from ..domain.verification import Location, OfficerSummary, Status, Verification

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

STATUS_INDEX = "by_force_status"
AVAILABLE_SERGEANTS_INDEX = "available_sergeants"
# Every outbox event carries these until a copier has put it in S3 (or quarantined it): the sparse
# GSI on them is the backlog the reconciler copies and erasure waits for (adapters/audit_outbox.py).
AWAITING_COPY_INDEX = "audit_awaiting_copy"
AWAITING_COPY = "awaiting_copy"
RECORDED_AT = "recorded_at"


class ReferenceTaken(Exception):
    """The random reference collided with an existing one; the caller draws another."""


class AlreadyConsulted(Exception):
    """This reader's consultation of this verification is already logged for the current window."""


@dataclass(frozen=True)
class ConsultationMark:
    """Log a consultation only if `reader` has none logged on this verification that lasts past `now`."""

    reader: str  # "{force}#{officer_id}"
    now_epoch: int
    until_epoch: int


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _to_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_dynamo(item) for item in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(item) for item in value]
    return value


def serialise_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(_to_dynamo(value)) for key, value in item.items() if value is not None}


def deserialise_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _from_dynamo(_deserializer.deserialize(value)) for key, value in item.items()}


def _cancellation_codes(error: ClientError) -> list[str]:
    reasons = error.response.get("CancellationReasons") or []
    codes = [reason.get("Code", "None") for reason in reasons]
    if not codes:
        # Some implementations only put the reasons in the message: "[ConditionalCheckFailed, None]".
        message = error.response.get("Error", {}).get("Message", "")
        if "[" in message:
            codes = [part.strip() for part in message[message.rindex("[") + 1 : message.rindex("]")].split(",")]
    return codes


def _summary_item(summary: OfficerSummary | None) -> dict[str, str] | None:
    if summary is None:
        return None
    return {
        "officer_id": summary.officer_id,
        "rank": summary.rank,
        "given_name": summary.given_name,
        "family_name": summary.family_name,
    }


def _summary_from(item: dict[str, Any] | None) -> OfficerSummary | None:
    if not item:
        return None
    return OfficerSummary(
        officer_id=item["officer_id"],
        rank=item["rank"],
        given_name=item["given_name"],
        family_name=item["family_name"],
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


class DynamoVerificationRepository:
    """Verifications and their audit outbox, with optimistic, conditional writes."""

    def __init__(self, client: Any, table_name: str, marks_table: str | None = None) -> None:
        self._client = client
        self._table = table_name
        # Short-lived items with a TTL (consultation marks); None where nothing logs consultations.
        self._marks_table = marks_table

    # ---- mapping ---------------------------------------------------------------------------

    @staticmethod
    def _meta_item(verification: Verification) -> dict[str, Any]:
        location = verification.location
        return {
            "pk": f"V#{verification.verification_id}",
            "sk": "META",
            "kind": "verification",
            "verification_id": verification.verification_id,
            "reference": verification.reference,
            "status": verification.status.value,
            "force": verification.force,
            "officer": _summary_item(verification.officer),
            "sergeant": _summary_item(verification.sergeant),
            "location": None if location is None else {
                "lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m,
            },
            "area": verification.area,
            "created_at": iso_z(verification.created_at),
            "accepted_at": iso_z(verification.accepted_at),
            "decided_at": iso_z(verification.decided_at),
            "outcome_note": verification.outcome_note,
            "meeting": json.dumps(verification.meeting) if verification.meeting else None,
            "notified": list(verification.notified),
            "waves_sent": verification.waves_sent,
            "voice_fallback": verification.voice_fallback,
            "searching_since": iso_z(verification.searching_since),
            "first_wave_of_search": verification.first_wave_of_search,
            "audit_seq": verification.audit_seq,
            "audit_head": verification.audit_head,
            "gsi1pk": f"{verification.force}#{verification.status.value}",
            "gsi1sk": iso_z(verification.created_at),
        }

    @staticmethod
    def _verification_from(item: dict[str, Any]) -> Verification:
        location = item.get("location")
        return Verification(
            verification_id=item["verification_id"],
            reference=item["reference"],
            status=Status(item["status"]),
            force=item["force"],
            officer=_summary_from(item["officer"]),  # type: ignore[arg-type]
            sergeant=_summary_from(item.get("sergeant")),
            location=None if location is None else Location(
                lat=float(location["lat"]),
                lon=float(location["lon"]),
                accuracy_m=_float(location.get("accuracy_m")),
            ),
            area=item.get("area"),
            created_at=parse_iso(item["created_at"]),  # type: ignore[arg-type]
            accepted_at=parse_iso(item.get("accepted_at")),
            decided_at=parse_iso(item.get("decided_at")),
            outcome_note=item.get("outcome_note"),
            meeting=json.loads(item["meeting"]) if item.get("meeting") else None,
            notified=tuple(item.get("notified") or ()),
            waves_sent=int(item.get("waves_sent", 0)),
            voice_fallback=bool(item.get("voice_fallback", False)),
            searching_since=parse_iso(item.get("searching_since")),
            first_wave_of_search=int(item.get("first_wave_of_search", 1)),
            audit_seq=int(item["audit_seq"]),
            audit_head=item["audit_head"],
        )

    def _event_puts(self, owner_pk: str, events: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialise_item(
                        {
                            "pk": owner_pk,
                            "sk": f"EVENT#{event['seq']:06d}",
                            "kind": "audit_event",
                            "audit_key": key,
                            "event_json": json.dumps(event, sort_keys=True, ensure_ascii=False),
                            AWAITING_COPY: "s3",
                            RECORDED_AT: event["at"],
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for key, event in events
        ]

    # ---- reads ----------------------------------------------------------------------------

    def _get_item(self, pk: str, sk: str) -> dict[str, Any] | None:
        """Strongly consistent point read: decisions are never made on stale state."""
        response = self._client.get_item(
            TableName=self._table, Key=serialise_item({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        item = response.get("Item")
        return deserialise_item(item) if item else None

    def get(self, verification_id: str) -> Verification | None:
        item = self._get_item(f"V#{verification_id}", "META")
        return self._verification_from(item) if item else None

    def find_id_by_reference(self, reference: str) -> str | None:
        item = self._get_item(f"REF#{reference}", "REF")
        return item["verification_id"] if item else None

    def active_verification_id(self, force: str, officer_id: str) -> str | None:
        item = self._get_item(f"ACTIVE#{force}#{officer_id}", "ACTIVE")
        return item["verification_id"] if item else None

    def list_by_status(self, force: str, status: Status, limit: int = 50) -> list[Verification]:
        """Oldest first: the person who has waited longest is at the top of a sergeant's list."""
        response = self._client.query(
            TableName=self._table,
            IndexName=STATUS_INDEX,
            KeyConditionExpression="gsi1pk = :key",
            ExpressionAttributeValues=serialise_item({":key": f"{force}#{status.value}"}),
            ScanIndexForward=True,
            Limit=limit,
        )
        return [self._verification_from(deserialise_item(item)) for item in response.get("Items", [])]

    def events(self, verification_id: str) -> list[dict[str, Any]]:
        """The audit events recorded for one verification, in order."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialise_item({":pk": f"V#{verification_id}", ":prefix": "EVENT#"}),
            ConsistentRead=True,
        )
        return [json.loads(deserialise_item(item)["event_json"]) for item in response.get("Items", [])]

    # ---- writes ---------------------------------------------------------------------------

    def recent_starts(self, force: str, officer_id: str) -> tuple[list[str], int]:
        """The officer's recent start times (ISO 8601) and the record's version, for the hourly limit."""
        item = self._get_item(f"STARTS#{force}#{officer_id}", "STARTS")
        if not item:
            return [], 0
        return list(item.get("starts") or []), int(item["version"])

    def create(
        self,
        verification: Verification,
        events: list[tuple[str, dict[str, Any]]],
        recent_starts: tuple[list[str], int] | None = None,
    ) -> None:
        """Store a new verification, claim its reference and the officer's single active slot.

        `recent_starts` (the officer's start times including this one, and the version they were
        read at) is written in the same transaction, so the hourly limit cannot be raced.
        """
        vid = verification.verification_id
        lock_key = {"pk": f"ACTIVE#{verification.force}#{verification.officer.officer_id}", "sk": "ACTIVE"}
        items = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialise_item(self._meta_item(verification)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialise_item({**lock_key, "kind": "active_lock", "verification_id": vid}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialise_item(
                        {
                            "pk": f"REF#{verification.reference}",
                            "sk": "REF",
                            "kind": "reference",
                            "verification_id": vid,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *self._event_puts(f"V#{vid}", events),
        ]
        if recent_starts is not None:
            starts, version = recent_starts
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": serialise_item(
                            {
                                "pk": f"STARTS#{verification.force}#{verification.officer.officer_id}",
                                "sk": "STARTS",
                                "kind": "start_times",
                                "starts": starts,
                                "version": version + 1,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk) OR version = :version",
                        "ExpressionAttributeValues": serialise_item({":version": version}),
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = _cancellation_codes(error)
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                existing = self.active_verification_id(verification.force, verification.officer.officer_id)
                raise ActiveVerificationExists(existing or "unknown") from None
            if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                raise ReferenceTaken(verification.reference) from None
            raise ConcurrentUpdate(vid) from None

    def consultation_logged(self, verification_id: str, reader: str, now_epoch: int) -> bool:
        """Whether `reader` has a consultation of this verification logged for a window still open."""
        item = self._client.get_item(
            TableName=self._required_marks_table(), Key=serialise_item(self._mark_key(verification_id, reader)),
            ConsistentRead=True,
        ).get("Item")
        return bool(item) and int(deserialise_item(item).get("until", 0)) > now_epoch

    def _required_marks_table(self) -> str:
        if not self._marks_table:
            raise RuntimeError("consultation marks need the short-lived table (marks_table)")
        return self._marks_table

    @staticmethod
    def _mark_key(verification_id: str, reader: str) -> dict[str, str]:
        return {"id": f"viewed#{verification_id}#{reader}"}

    def save_transition(
        self,
        before: Verification,
        after: Verification,
        events: list[tuple[str, dict[str, Any]]],
        consultation: ConsultationMark | None = None,
    ) -> None:
        """Write `after` only if the stored record is still exactly `before` (status + audit seq).

        With `consultation`, the reader's mark is claimed in the same transaction: of two readers'
        racing writes only one logs the consultation (AlreadyConsulted for the other).
        """
        vid = after.verification_id
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialise_item(self._meta_item(after)),
                    "ConditionExpression": "#status = :from AND audit_seq = :seq",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": serialise_item(
                        {":from": before.status.value, ":seq": before.audit_seq}
                    ),
                }
            },
            *self._event_puts(f"V#{vid}", events),
        ]
        if after.status.is_terminal and not before.status.is_terminal:
            items.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": serialise_item(
                            {"pk": f"ACTIVE#{after.force}#{after.officer.officer_id}", "sk": "ACTIVE"}
                        ),
                        "ConditionExpression": "attribute_not_exists(pk) OR verification_id = :vid",
                        "ExpressionAttributeValues": serialise_item({":vid": vid}),
                    }
                }
            )
        if consultation is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self._required_marks_table(),
                        "Item": serialise_item({
                            **self._mark_key(vid, consultation.reader),
                            "kind": "consultation_mark",
                            "until": consultation.until_epoch,
                            "expiration": consultation.until_epoch,
                        }),
                        "ConditionExpression": "attribute_not_exists(id) OR #until <= :now",
                        "ExpressionAttributeNames": {"#until": "until"},
                        "ExpressionAttributeValues": serialise_item({":now": consultation.now_epoch}),
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "TransactionCanceledException" and consultation is not None:
                codes = _cancellation_codes(error)
                if len(codes) == len(items) and codes[-1] == "ConditionalCheckFailed":
                    raise AlreadyConsulted(vid) from None
            if code in ("TransactionCanceledException", "TransactionConflictException"):
                raise ConcurrentUpdate(vid) from None
            raise

    def delete_personal_copy(self, verification: Verification) -> None:
        """Erasure: the verification item, its reference and its outbox events leave DynamoDB.

        `verification` is the state after the erasure event was appended: that last event stays
        (it holds no personal data) so the stream carries it to S3.
        """
        keys = [
            {"pk": f"V#{verification.verification_id}", "sk": "META"},
            {"pk": f"REF#{verification.reference}", "sk": "REF"},
        ]
        keys += [
            {"pk": f"V#{verification.verification_id}", "sk": f"EVENT#{seq:06d}"}
            for seq in range(1, verification.audit_seq)
        ]
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": serialise_item(key)}} for key in keys[start : start + 25]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def attempt_events(self, attempt_id: str) -> list[dict[str, Any]]:
        """The events of a one-off attempt chain, in order (empty if there are none)."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialise_item({":pk": f"A#{attempt_id}", ":prefix": "EVENT#"}),
            ConsistentRead=True,
        )
        return sorted(
            (json.loads(deserialise_item(i)["event_json"]) for i in response.get("Items", [])), key=lambda e: e["seq"]
        )

    def last_attempt_event(self, attempt_id: str) -> dict[str, Any] | None:
        """The newest event of an attempt chain (one read, however long the chain has grown)."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialise_item({":pk": f"A#{attempt_id}", ":prefix": "EVENT#"}),
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return json.loads(deserialise_item(items[0])["event_json"]) if items else None

    def append_attempt_event(self, attempt_id: str, key: str, event: dict[str, Any]) -> None:
        """Add the next event to an attempt chain; ConcurrentUpdate if its seq was taken meanwhile
        (the caller reads the new end and chains after it, so the chain never forks)."""
        (put,) = self._event_puts(f"A#{attempt_id}", [(key, event)])
        try:
            self._client.put_item(**put["Put"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(attempt_id) from None
            raise

    def record_attempt(self, attempt_id: str, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Audit something that created no verification (its events are their own short chain)."""
        self._client.transact_write_items(TransactItems=self._event_puts(f"A#{attempt_id}", events))

    def record_attempts(self, chains: list[tuple[str, list[tuple[str, dict[str, Any]]]]]) -> None:
        """Many new one-off chains at once (a registry import): 25 events per BatchWriteItem.

        Unconditional puts: each chain id is new and random (96 bits), so nothing can be overwritten,
        and the stream copies each event to S3 only if its key is free."""
        puts = [put["Put"]["Item"] for chain_id, events in chains for put in self._event_puts(f"A#{chain_id}", events)]
        for start in range(0, len(puts), 25):
            pending: dict[str, Any] = {
                self._table: [{"PutRequest": {"Item": item}} for item in puts[start : start + 25]]
            }
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


class DynamoRegistry:
    """The force registry. Sparse GSI `available_sergeants` lists who can be texted, without a scan."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @staticmethod
    def _record_from(item: dict[str, Any]) -> RegistryRecord:
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
        )

    def get(self, force: str, officer_id: str) -> RegistryRecord | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialise_item({"force": force, "officer_id": officer_id}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return self._record_from(deserialise_item(item)) if item else None

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
            records.extend(self._record_from(deserialise_item(item)) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return records
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def put(self, record: RegistryRecord) -> None:
        self._client.put_item(TableName=self._table, Item=serialise_item(self._item(record)))

    def put_many(self, records: list[RegistryRecord]) -> None:
        """Bulk load (seeding, imports): 25 records per request, unprocessed items retried."""
        for start in range(0, len(records), 25):
            requests = [{"PutRequest": {"Item": serialise_item(self._item(r))}} for r in records[start : start + 25]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    @staticmethod
    def _item(record: RegistryRecord) -> dict[str, Any]:
        return {
            **record.as_dict(),
            "last_notified_at": record.last_notified_at,
            "photo_version_id": record.photo_version_id,
            "photo_sha256": record.photo_sha256,
            # Present only while the person can be texted: keeps the GSI small and scan-free.
            "available_in_force": record.force if record.is_available_sergeant else None,
        }

    def available_sergeants(self, force: str) -> list[RegistryRecord]:
        return self._query_records(
            IndexName=AVAILABLE_SERGEANTS_INDEX,
            KeyConditionExpression="available_in_force = :force",
            ExpressionAttributeValues=serialise_item({":force": force}),
        )

    def mark_notified(self, force: str, officer_ids: list[str], at: str) -> None:
        """Record when sergeants were texted (fair rotation); only for records that still exist."""
        for officer_id in officer_ids:
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=serialise_item({"force": force, "officer_id": officer_id}),
                    UpdateExpression="SET last_notified_at = :at",
                    ConditionExpression="attribute_exists(officer_id)",
                    ExpressionAttributeValues=serialise_item({":at": at}),
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise

    def set_duty(self, force: str, officer_id: str, duty: Duty) -> bool:
        """Conditionally flip a serving sergeant's duty; False if they are not a serving sergeant."""
        if duty is Duty.AVAILABLE:
            expression = "SET duty = :duty, available_in_force = :force"
            values = {":duty": duty.value, ":force": force, ":sergeant": "sergeant", ":serving": "serving"}
        else:
            expression = "SET duty = :duty REMOVE available_in_force"
            values = {":duty": duty.value, ":sergeant": "sergeant", ":serving": "serving"}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialise_item({"force": force, "officer_id": officer_id}),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(officer_id) AND #role = :sergeant AND #status = :serving",
                ExpressionAttributeNames={"#role": "role", "#status": "status"},
                ExpressionAttributeValues=serialise_item(values),
            )
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise


class DynamoAuditIndex:
    """What the audit consumer wrote to S3 on each day, per force: the input of the daily digest.

    Items live in the verifications table (`AUDITLOG#{force}#{date}` / object key) and are ignored by
    the stream consumer. Writes are idempotent puts, so a redelivered batch records nothing new.
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
        items = [{"pk": f"AUDITFORCES#{day}", "sk": force, "kind": "audit_day"} for force in forces] + [
            {"pk": f"AUDITLOG#{force}#{day}", "sk": key, "kind": "audit_written", "hash": event_hash}
            for force, key, event_hash in written
        ]
        for start in range(0, len(items), 25):
            pending: dict[str, Any] = {self._table: [
                {"PutRequest": {"Item": serialise_item(item)}} for item in items[start : start + 25]
            ]}
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

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
        return [(item["sk"], item["hash"]) for item in self._query_all(f"AUDITLOG#{force}#{day}")]

    def forces_written(self, day: str) -> list[str]:
        return sorted(item["sk"] for item in self._query_all(f"AUDITFORCES#{day}"))
