"""Consultation marks: who had a `verification.viewed` logged on a verification, until when.

They live in the short-lived (idempotency) table, TTL `expiration`: `viewed#{id}#{force}#{officer}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import keys
from .codec import deserialise_item, serialise_item


class AlreadyConsulted(Exception):
    """This reader's consultation of this verification is already logged for the current window."""


@dataclass(frozen=True)
class ConsultationMark:
    """Log a consultation only if `reader` has none logged on this verification that lasts past `now`."""

    reader: str  # keys.reader(force, officer_id)
    now_epoch: int
    until_epoch: int


class ConsultationMarks:
    """The consultation-mark half of DynamoVerificationRepository."""

    _client: Any
    # Short-lived items with a TTL (consultation marks); None where nothing logs consultations.
    _marks_table: str | None

    def consultation_logged(self, verification_id: str, reader: str, now_epoch: int) -> bool:
        """Whether `reader` has a consultation of this verification logged for a window still open."""
        item = self._client.get_item(
            TableName=self._required_marks_table(),
            Key=serialise_item(keys.consultation_mark_key(verification_id, reader)),
            ConsistentRead=True,
        ).get("Item")
        return bool(item) and int(deserialise_item(item).get("until", 0)) > now_epoch

    def _required_marks_table(self) -> str:
        if not self._marks_table:
            raise RuntimeError("consultation marks need the short-lived table (marks_table)")
        return self._marks_table

    def _mark_put(self, verification_id: str, consultation: ConsultationMark) -> dict[str, Any]:
        """The transaction item claiming the reader's mark (AlreadyConsulted when its condition fails)."""
        return {
            "Put": {
                "TableName": self._required_marks_table(),
                "Item": serialise_item({
                    **keys.consultation_mark_key(verification_id, consultation.reader),
                    "kind": "consultation_mark",
                    "until": consultation.until_epoch,
                    "expiration": consultation.until_epoch,
                }),
                "ConditionExpression": "attribute_not_exists(id) OR #until <= :now",
                "ExpressionAttributeNames": {"#until": "until"},
                "ExpressionAttributeValues": serialise_item({":now": consultation.now_epoch}),
            }
        }
