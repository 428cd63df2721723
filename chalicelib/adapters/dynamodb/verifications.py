"""Verifications and their audit outbox, with optimistic, conditional writes (keys: keys.py).

Every state change is one TransactWriteItems: the new META conditioned on the status and audit
sequence it was read with, plus its audit events. A lost race surfaces as ConcurrentUpdate.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ...domain.errors import ActiveVerificationExists, ConcurrentUpdate
from ...domain.verification import Status, Verification
from . import keys
from .attempts import AttemptChains
from .batch import batch_write
from .cancellation import Transaction
from .codec import deserialise_item, serialise_item
from .consultations import AlreadyConsulted, ConsultationMark, ConsultationMarks
from .verification_items import event_puts, meta_item, verification_from

_NEW = "attribute_not_exists(pk)"


class ReferenceTaken(Exception):
    """The random reference collided with an existing one; the caller draws another."""


class DynamoVerificationRepository(AttemptChains, ConsultationMarks):
    """Verifications, their outbox events, attempt chains (attempts.py) and consultation marks."""

    _meta_item = staticmethod(meta_item)
    _verification_from = staticmethod(verification_from)

    def __init__(self, client: Any, table_name: str, marks_table: str | None = None) -> None:
        self._client = client
        self._table = table_name
        self._marks_table = marks_table

    # ---- reads ----------------------------------------------------------------------------

    def _get_item(self, key: dict[str, str]) -> dict[str, Any] | None:
        """Strongly consistent point read: decisions are never made on stale state."""
        response = self._client.get_item(TableName=self._table, Key=serialise_item(key), ConsistentRead=True)
        item = response.get("Item")
        return deserialise_item(item) if item else None

    def get(self, verification_id: str) -> Verification | None:
        item = self._get_item(keys.meta_key(verification_id))
        return verification_from(item) if item else None

    def find_id_by_reference(self, reference: str) -> str | None:
        item = self._get_item(keys.reference_key(reference))
        return item["verification_id"] if item else None

    def active_verification_id(self, force: str, officer_id: str) -> str | None:
        item = self._get_item(keys.active_key(force, officer_id))
        return item["verification_id"] if item else None

    def list_by_status(self, force: str, status: Status, limit: int = 50) -> list[Verification]:
        """Oldest first: the person who has waited longest is at the top of a sergeant's list."""
        response = self._client.query(
            TableName=self._table,
            IndexName=keys.STATUS_INDEX,
            KeyConditionExpression="gsi1pk = :key",
            ExpressionAttributeValues=serialise_item({":key": keys.status_partition(force, status.value)}),
            ScanIndexForward=True,
            Limit=limit,
        )
        return [verification_from(deserialise_item(item)) for item in response.get("Items", [])]

    def events(self, verification_id: str) -> list[dict[str, Any]]:
        """The audit events recorded for one verification, in order."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialise_item(
                {":pk": keys.verification_pk(verification_id), ":prefix": keys.EVENT_PREFIX}
            ),
            ConsistentRead=True,
        )
        return [json.loads(deserialise_item(item)["event_json"]) for item in response.get("Items", [])]

    def recent_starts(self, force: str, officer_id: str) -> tuple[list[str], int]:
        """The officer's recent start times (ISO 8601) and the record's version, for the hourly limit."""
        item = self._get_item(keys.starts_key(force, officer_id))
        if not item:
            return [], 0
        return list(item.get("starts") or []), int(item["version"])

    # ---- writes ---------------------------------------------------------------------------

    def _put(self, item: dict[str, Any], condition: str = _NEW, **extra: Any) -> dict[str, Any]:
        return {"Put": {"TableName": self._table, "Item": serialise_item(item), "ConditionExpression": condition,
                        **extra}}

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
        vid, force, officer_id = verification.verification_id, verification.force, verification.officer.officer_id
        tx = Transaction()
        tx.add("meta", self._put(meta_item(verification)))
        tx.add("active_slot", self._put({**keys.active_key(force, officer_id), "kind": "active_lock",
                                         "verification_id": vid}))
        tx.add("reference", self._put({**keys.reference_key(verification.reference), "kind": "reference",
                                       "verification_id": vid}))
        tx.extend("event", event_puts(self._table, keys.verification_pk(vid), events))
        if recent_starts is not None:
            starts, version = recent_starts
            tx.add("starts", self._put(
                {**keys.starts_key(force, officer_id), "kind": "start_times", "starts": starts,
                 "version": version + 1},
                "attribute_not_exists(pk) OR version = :version",
                ExpressionAttributeValues=serialise_item({":version": version}),
            ))
        try:
            self._client.transact_write_items(TransactItems=tx.items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = tx.reasons(error)
            if reasons.failed("active_slot"):
                existing = self.active_verification_id(force, officer_id)
                raise ActiveVerificationExists(existing or "unknown") from None
            if reasons.failed("reference"):
                raise ReferenceTaken(verification.reference) from None
            raise ConcurrentUpdate(vid) from None

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
        tx = Transaction()
        tx.add("meta", self._put(
            meta_item(after), "#status = :from AND audit_seq = :seq",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=serialise_item({":from": before.status.value, ":seq": before.audit_seq}),
        ))
        tx.extend("event", event_puts(self._table, keys.verification_pk(vid), events))
        if after.status.is_terminal and not before.status.is_terminal:
            tx.add("active_slot", {"Delete": {
                "TableName": self._table,
                "Key": serialise_item(keys.active_key(after.force, after.officer.officer_id)),
                "ConditionExpression": "attribute_not_exists(pk) OR verification_id = :vid",
                "ExpressionAttributeValues": serialise_item({":vid": vid}),
            }})
        if consultation is not None:
            tx.add("consultation", self._mark_put(vid, consultation))
        try:
            self._client.transact_write_items(TransactItems=tx.items)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "TransactionCanceledException" and tx.reasons(error).failed("consultation"):
                raise AlreadyConsulted(vid) from None
            if code in ("TransactionCanceledException", "TransactionConflictException"):
                raise ConcurrentUpdate(vid) from None
            raise

    def delete_personal_copy(self, verification: Verification) -> None:
        """Erasure: the verification item, its reference and its outbox events leave DynamoDB.

        `verification` is the state after the erasure event was appended: that last event stays
        (it holds no personal data) so the stream carries it to S3.
        """
        vid = verification.verification_id
        doomed = [keys.meta_key(vid), keys.reference_key(verification.reference)]
        pk = keys.verification_pk(vid)
        doomed += [{"pk": pk, "sk": keys.event_sk(seq)} for seq in range(1, verification.audit_seq)]
        batch_write(self._client, self._table, [{"DeleteRequest": {"Key": serialise_item(key)}} for key in doomed])
