"""The local stack's TransactWriteItems (chalicelib/local/moto_transactions.py) answers exactly as
moto's own does - same items, same stream records, same errors - for every kind of outcome, and
never deep-copies a table."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from chalicelib.local import moto_transactions

TABLE = "t"


def _put(pk: str, sk: str, **extra: Any) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {"pk": {"S": pk}, "sk": {"S": sk}, **extra}}}


def _absent_put(pk: str, sk: str) -> dict[str, Any]:
    entry = _put(pk, sk, n={"N": "9"})
    entry["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
    return entry


def _update(pk: str, sk: str, expression: str, values: dict[str, Any], condition: str | None = None,
            all_old: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"TableName": TABLE, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                            "UpdateExpression": expression, "ExpressionAttributeValues": values}
    if condition:
        body["ConditionExpression"] = condition
    if all_old:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {"Update": body}


SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "all written": [
        _put("a", "3", n={"N": "3"}),
        _update("a", "1", "SET n = n + :one", {":one": {"N": "1"}, ":was": {"N": "1"}}, "n = :was"),
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}}}},
    ],
    "second condition fails, old item returned": [
        _put("a", "3"),
        _update("a", "1", "SET n = :v", {":v": {"N": "7"}, ":was": {"N": "99"}}, "n = :was", all_old=True),
    ],
    "put of an existing item refused": [_put("b", "1"), _absent_put("a", "1")],
    "condition check fails": [
        _put("a", "3"),
        {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}},
                            "ConditionExpression": "attribute_not_exists(pk)"}},
    ],
    "two operations on one item": [_put("a", "1"), _update("a", "1", "SET n = :v", {":v": {"N": "1"}})],
    "malformed update after a write": [
        _put("a", "3"),
        _update("a", "1", "SET n = :v", {":v": {"N": "5"}}),
        _update("a", "2", "SET n = n + :missing", {":v": {"N": "1"}}),
    ],
}


def _run(transaction: list[dict[str, Any]]) -> dict[str, Any]:
    """Seed a streamed table, run the transaction, and report everything a caller could observe."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
        dynamodb.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}
            ],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        for sk, n in (("1", "1"), ("2", "2")):
            dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"S": sk}, "n": {"N": n}})
        outcome: dict[str, Any] = {"error": None}
        try:
            dynamodb.transact_write_items(TransactItems=transaction)
        except ClientError as error:
            outcome["error"] = (error.response["Error"]["Code"], error.response.get("CancellationReasons"))
        outcome["items"] = sorted(dynamodb.scan(TableName=TABLE)["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        streams = boto3.client("dynamodbstreams", region_name="eu-west-2")
        arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        outcome["stream"] = [(r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"])
                             for r in streams.get_records(ShardIterator=iterator)["Records"]]
        return outcome


@pytest.fixture
def without_table_copies(monkeypatch) -> Callable[[], None]:
    from moto.dynamodb.models import DynamoDBBackend

    def install() -> None:
        monkeypatch.setattr(DynamoDBBackend, "transact_write_items", moto_transactions.transact_write_items)

    return install


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_answers_exactly_as_moto_does(name: str, without_table_copies) -> None:
    expected = _run(copy.deepcopy(SCENARIOS[name]))
    without_table_copies()
    assert _run(copy.deepcopy(SCENARIOS[name])) == expected


def test_the_scenarios_cover_success_cancellation_and_rollback() -> None:
    """Guard against scenarios that all end the same way (which would prove little)."""
    outcomes = {name: _run(copy.deepcopy(transaction)) for name, transaction in SCENARIOS.items()}
    assert outcomes["all written"]["error"] is None
    assert [item["n"]["N"] for item in outcomes["all written"]["items"]] == ["2", "3"]
    code, reasons = outcomes["second condition fails, old item returned"]["error"]
    assert code == "TransactionCanceledException"
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"] and reasons[1]["Item"]["n"] == {"N": "1"}
    assert outcomes["two operations on one item"]["error"][0] == "ValidationException"
    rolled_back = outcomes["malformed update after a write"]
    assert rolled_back["error"] is not None
    assert [i["sk"]["S"] for i in rolled_back["items"]] == ["1", "2"]  # nothing from the transaction
    assert rolled_back["stream"] == [("INSERT", "1"), ("INSERT", "2")]


def test_no_table_is_deep_copied(without_table_copies, monkeypatch) -> None:
    from moto.dynamodb.models.table import Table

    copied: list[str] = []
    real_deepcopy = copy.deepcopy

    def counting(value: Any, *args: Any) -> Any:
        if isinstance(value, Table):
            copied.append(value.name)
        return real_deepcopy(value, *args)

    monkeypatch.setattr(copy, "deepcopy", counting)
    _run(copy.deepcopy(SCENARIOS["all written"]))
    assert copied == [TABLE] * 3  # moto's own: the table once per item in the transaction
    copied.clear()
    without_table_copies()
    _run(copy.deepcopy(SCENARIOS["all written"]))
    assert copied == []
