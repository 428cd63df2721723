"""Transactions whose items have names, so a cancellation says which item's condition failed.

TransactWriteItems reports a cancellation as one reason per item, in the order the items were sent.
`Transaction` records each item's role as it is added, and `reasons(error).failed("reference")`
reads the reason of that item, so no caller decodes reasons by position.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

CONDITION_FAILED = "ConditionalCheckFailed"


def cancellation_codes(error: ClientError) -> list[str]:
    """The reason code of each item of a cancelled transaction, in item order."""
    reasons: list[dict[str, Any]] = error.response.get("CancellationReasons") or []
    codes = [reason.get("Code", "None") for reason in reasons]
    if not codes:
        # Some implementations only put the reasons in the message: "[ConditionalCheckFailed, None]".
        message = error.response.get("Error", {}).get("Message", "")
        if "[" in message:
            codes = [part.strip() for part in message[message.rindex("[") + 1 : message.rindex("]")].split(",")]
    return codes


class CancellationReasons:
    def __init__(self, codes: list[str], roles: list[str]) -> None:
        self.codes = codes
        self._roles = roles

    def failed(self, role: str) -> bool:
        """Whether the condition of the (first) item named `role` is what cancelled the transaction."""
        if role not in self._roles:
            return False
        index = self._roles.index(role)
        return index < len(self.codes) and self.codes[index] == CONDITION_FAILED


class Transaction:
    """The items of one TransactWriteItems, each with its role ("meta", "reference", "event", ...)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._roles: list[str] = []

    def add(self, role: str, item: dict[str, Any]) -> None:
        self.items.append(item)
        self._roles.append(role)

    def extend(self, role: str, items: list[dict[str, Any]]) -> None:
        for item in items:
            self.add(role, item)

    def reasons(self, error: ClientError) -> CancellationReasons:
        return CancellationReasons(cancellation_codes(error), self._roles)
