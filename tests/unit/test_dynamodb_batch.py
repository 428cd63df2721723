"""batch_write: 25 requests per call, unprocessed ones resent after a backoff, bounded attempts;
and transaction cancellation reasons read by item role, not position."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import batch
from chalicelib.adapters.dynamodb.batch import BatchWriteIncomplete, batch_write
from chalicelib.adapters.dynamodb.cancellation import Transaction


class _Client:
    def __init__(self, unprocessed_rounds: int) -> None:
        self.calls: list[int] = []
        self._left = unprocessed_rounds

    def batch_write_item(self, RequestItems):
        (requests,) = RequestItems.values()
        self.calls.append(len(requests))
        if self._left:
            self._left -= 1
            return {"UnprocessedItems": {"t": requests[:1]}}
        return {}


def _requests(n: int) -> list[dict]:
    return [{"PutRequest": {"Item": {"pk": {"S": str(i)}}}} for i in range(n)]


def test_chunks_of_25_and_no_wait_when_everything_is_processed():
    client, waits = _Client(0), []
    batch_write(client, "t", _requests(60), sleep=waits.append)
    assert client.calls == [25, 25, 10]
    assert waits == []


def test_unprocessed_items_are_resent_after_a_growing_jittered_wait():
    client, waits = _Client(3), []
    batch_write(client, "t", _requests(3), sleep=waits.append)
    assert client.calls == [3, 1, 1, 1]
    assert len(waits) == 3
    assert all(0 <= wait <= min(batch.MAX_DELAY_SECONDS, batch.BASE_DELAY_SECONDS * 2**n)
               for n, wait in enumerate(waits, start=1))


def test_gives_up_after_the_bounded_number_of_attempts():
    client, waits = _Client(1000), []
    with pytest.raises(BatchWriteIncomplete) as raised:
        batch_write(client, "t", _requests(2), sleep=waits.append)
    assert len(client.calls) == batch.MAX_ATTEMPTS
    assert len(waits) == batch.MAX_ATTEMPTS - 1
    assert raised.value.unprocessed == 1


def _cancelled(codes: list[str] | None, message: str = "") -> ClientError:
    response = {"Error": {"Code": "TransactionCanceledException", "Message": message}}
    if codes is not None:
        response["CancellationReasons"] = [{"Code": code} for code in codes]
    return ClientError(response, "TransactWriteItems")


def test_cancellation_reasons_are_read_by_role():
    tx = Transaction()
    tx.add("meta", {})
    tx.add("active_slot", {})
    tx.add("reference", {})
    reasons = tx.reasons(_cancelled(["None", "None", "ConditionalCheckFailed"]))
    assert reasons.failed("reference")
    assert not reasons.failed("active_slot")
    assert not reasons.failed("starts")  # no such item in this transaction


def test_cancellation_reasons_only_in_the_message_are_understood():
    tx = Transaction()
    tx.extend("event", [{}, {}])
    tx.add("consultation", {})
    reasons = tx.reasons(_cancelled(None, "Transaction cancelled [None, None, ConditionalCheckFailed]"))
    assert reasons.failed("consultation")
    assert not reasons.failed("event")
