"""moto's DynamoDB TransactWriteItems without a deep copy of every table it names.

moto 5 backs up each table a transaction names by deep-copying the whole table (every item and
every stream record it has ever made) once per item in the transaction, so it can restore it if a
condition fails. On the local stack the verifications table only grows (audit events, stream
records), so a start that took 0.1 s on a fresh stack took 4 s after 120 checks, and
`bench/load.py` timed out. DynamoDB's own cost does not grow with the table.

This replacement gives the same answers to the same requests without that copy:
1. every item's condition is checked first, against the table as it is (a transaction's keys are
   unique, so no write in it can change another item's condition); if any fails, nothing is
   written and the cancellation reasons are moto's own;
2. only then are the writes made, through moto's own put/update/delete; if one still fails (a
   malformed update expression, say), the items written so far are put back as they were and the
   stream records the transaction made are dropped.

Only the local stack installs it (`install()`); the tests of the app run on moto as published.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple


class _Planned(NamedTuple):
    kind: str  # Put, Update, Delete or ConditionCheck
    table_name: str
    key: dict[str, Any]
    op: dict[str, Any]
    before: dict[str, Any] | None  # the item as it was (DynamoDB JSON), None if absent


def install() -> None:
    """Replace moto's `transact_write_items` in this process (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import (
        TooManyTransactionsException,
        TransactionCanceledException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned, errors = _check_all(self, transact_items)
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    _write_all(self, planned)


def _check_all(backend: Any, transact_items: list[dict[str, Any]]) -> tuple[list[_Planned], list[tuple[Any, Any, Any]]]:
    """Each item's key and condition, checked with nothing written (errors as moto lists them)."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TransactWriteSingleOpException,
    )

    planned: list[_Planned] = []
    errors: list[tuple[Any, Any, Any]] = []
    targets: set[tuple[str, str]] = set()
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        kind, op = next(iter(entry.items()))
        original_item = None
        try:
            if kind not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            key = _key_of(backend, kind, op)
            target = (str(table_name), str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)
            current = backend.get_item(table_name, key)
            if op.get("ConditionExpression") is not None:
                condition = get_filter_expression(
                    op["ConditionExpression"], op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not condition.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
            planned.append(_Planned(kind, table_name, key, op, before))
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            raise  # as moto does (it rolls back first; here nothing has been written)
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # noqa: BLE001 - moto reports any other failure per item
            errors.append((type(error).__name__, str(error), original_item))
    return planned, errors


def _key_of(backend: Any, kind: str, op: dict[str, Any]) -> dict[str, Any]:
    if kind != "Put":
        key_given: dict[str, Any] = op["Key"]
        return key_given
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _write_all(backend: Any, planned: list[_Planned]) -> None:
    """Make the writes; if one fails, undo the ones made and drop their stream records."""
    from moto.dynamodb.exceptions import MockValidationException, TransactionCanceledException

    shards = {name: backend.get_table(name).stream_shard for name in {p.table_name for p in planned}}
    stream_lengths = {name: len(shard.items) for name, shard in shards.items() if shard is not None}
    for index, item in enumerate(planned):
        try:
            _write(backend, item)
        except Exception as error:
            for done in planned[: index + 1]:
                _restore(backend, done)
            for name, length in stream_lengths.items():
                del shards[name].items[length:]
            if isinstance(error, MockValidationException):
                raise
            errors: list[tuple[Any, Any, Any]] = [(None, None, None)] * len(planned)
            errors[index] = (type(error).__name__, str(error), None)
            raise TransactionCanceledException(errors) from error


def _write(backend: Any, item: _Planned) -> None:
    op = item.op
    conditions = {
        "condition_expression": op.get("ConditionExpression"),
        "expression_attribute_names": op.get("ExpressionAttributeNames"),
        "expression_attribute_values": op.get("ExpressionAttributeValues"),
    }
    if item.kind == "Put":
        backend.put_item(item.table_name, op["Item"], **conditions)
    elif item.kind == "Delete":
        backend.delete_item(item.table_name, item.key, **conditions)
    elif item.kind == "Update":
        backend.update_item(item.table_name, item.key, update_expression=op["UpdateExpression"], **conditions)


def _restore(backend: Any, item: _Planned) -> None:
    if item.kind == "ConditionCheck":
        return
    if item.before is None:
        backend.delete_item(item.table_name, item.key)
    else:
        backend.put_item(item.table_name, item.before)
