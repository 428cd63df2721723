"""The audit outbox as an attacker or an outage leaves it: forged items, stream records, S3 refusing."""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse

from chalicelib.domain.audit import event_hash

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
SCHEDULE_EVENT = {
    "version": "0", "id": "schedule", "detail-type": "Scheduled Event", "source": "aws.events",
    "account": "123456789012", "time": "2026-11-28T03:00:00Z", "region": "eu-west-2", "resources": [], "detail": {},
}
QUARANTINED = "audit_event.quarantined"


def key(vid: str, seq: int, day: str = "2026-11-28") -> str:
    return f"audit/force=met/date={day}/{vid}/{seq:06d}.json"


def start(stack, officer_id: str = "MP4721") -> str:
    status, started = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, started
    return started["verification_id"]


def outbox_items(stack, pk: str) -> list[dict[str, Any]]:
    """The raw DynamoDB items of one chain's outbox, in seq order (read as the test harness)."""
    return stack.session.client("dynamodb").query(
        TableName=stack.settings.verifications_table, ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
        ExpressionAttributeValues={":pk": {"S": pk}, ":e": {"S": "EVENT#"}},
    )["Items"]


def awaiting_copy(stack) -> list[str]:
    """S3 keys of every outbox event still marked as not in S3 (table read, not the GSI)."""
    items = stack.session.client("dynamodb").scan(TableName=stack.settings.verifications_table)["Items"]
    return sorted(i["audit_key"]["S"] for i in items if "awaiting_copy" in i)


def forged(template: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An event with a correctly recomputed hash (a compromised function can compute SHA-256 too)."""
    event = {k: v for k, v in template.items() if k != "hash"}
    event.update(changes)
    event["hash"] = event_hash(event)
    return event


def put_outbox_item(stack, pk: str, sk: str, audit_key: str | None, event_json: str | None) -> dict[str, Any]:
    """What a compromised API function can do with its PutItem grant: its own `audit_event` item,
    marked as awaiting copy like every new event. Returns the item (DynamoDB JSON)."""
    item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": sk}, "kind": {"S": "audit_event"},
                            "awaiting_copy": {"S": "s3"}, "recorded_at": {"S": "2026-11-28T02:47:00.000Z"}}
    if audit_key is not None:
        item["audit_key"] = {"S": audit_key}
    if event_json is not None:
        item["event_json"] = {"S": event_json}
    stack.session.client("dynamodb").put_item(TableName=stack.settings.verifications_table, Item=item)
    return item


def put_forged_event(stack, event: dict[str, Any], pk: str | None = None, sk: str | None = None,
                     audit_key: str | None = None) -> dict[str, Any]:
    return put_outbox_item(stack, pk or f"V#{event['verification_id']}", sk or f"EVENT#{event['seq']:06d}",
                           audit_key or key(event["verification_id"], event["seq"]), json.dumps(event, sort_keys=True))


def insert_record(item: dict[str, Any], n: int) -> dict[str, Any]:
    """A DynamoDB stream INSERT record of `item`, as Lambda delivers it."""
    import app

    return {
        "eventID": f"insert-{n}", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "eventSourceARN": app.AUDIT_STREAM_ARN, "awsRegion": "eu-west-2",
        "dynamodb": {"Keys": {"pk": item["pk"], "sk": item["sk"]}, "NewImage": item, "SequenceNumber": f"{n:021d}",
                     "SizeBytes": 100, "StreamViewType": "NEW_IMAGE", "ApproximateCreationDateTime": 1795841220.0},
    }


def deliver(items: list[dict[str, Any]]) -> None:
    """One stream batch of these items' INSERTs, to the real Lambda handler (run as its role)."""
    import app

    app.copy_audit_events_to_s3({"Records": [insert_record(item, n) for n, item in enumerate(items, start=1)]}, None)


def s3_keys(stack, prefix: str = "audit/") -> list[str]:
    listed = stack.session.client("s3").list_objects_v2(Bucket=stack.settings.audit_bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def s3_json(stack, object_key: str) -> dict[str, Any]:
    body = stack.session.client("s3").get_object(Bucket=stack.settings.audit_bucket, Key=object_key)["Body"].read()
    return json.loads(body)


def quarantine_events(stack) -> list[dict[str, Any]]:
    """The `audit_event.quarantined` events in the S3 audit log (after the stream copied them)."""
    return [e for e in (s3_json(stack, k) for k in s3_keys(stack)) if e["type"] == QUARANTINED]


class S3Outage:
    """The app's S3 client answers PutObject with 503 (after `allow` successes) until `end()`:
    reads still work."""

    def __init__(self, client, allow: int = 0) -> None:
        self.client = client
        self.allow = allow
        self.refused = 0
        client.meta.events.register_first("before-call.s3.PutObject", self)

    def __call__(self, **_: Any):
        if self.allow > 0:
            self.allow -= 1
            return None
        self.refused += 1
        body = {"Error": {"Code": "ServiceUnavailable", "Message": "Please reduce your request rate."},
                "ResponseMetadata": {"HTTPStatusCode": 503}}
        return AWSResponse("https://s3.local", 503, {}, None), body

    def end(self) -> None:
        self.client.meta.events.unregister("before-call.s3.PutObject", self)


class GivingUpStream:
    """Lambda's stream event source mapping as deployed: a failing batch is retried on each poll
    until its records are older than MaximumRecordAgeInSeconds (from the synthesised template), then
    dropped; only its shard position goes to the on-failure queue (`given_up`), never the events.

    Record age is measured on the test's clock (from when the batch was first delivered)."""

    def __init__(self, stack) -> None:
        import app
        from chalicelib.local.stream_worker import StreamWorker, to_lambda_record
        from tests.support.deployed import deployed_template

        properties = deployed_template()["Resources"]["CopyAuditEventsToS3"]["Properties"]
        (source,) = [e["Properties"] for e in properties["Events"].values() if e["Type"] == "DynamoDB"]
        self.max_age_seconds = source["MaximumRecordAgeInSeconds"]
        self.stack = stack
        self.given_up: list[dict[str, Any]] = []
        self._first_seen: dict[str, Any] = {}
        table = stack.session.client("dynamodb").describe_table(TableName=stack.settings.verifications_table)
        self._arn = table["Table"]["LatestStreamArn"]
        self._worker = StreamWorker(
            stack.session.client("dynamodb"),
            stack.session.client("dynamodbstreams"),
            stack.settings.verifications_table,
            app.copy_audit_events_to_s3,
            stream_arn=self._arn,
        )
        self._to_lambda = to_lambda_record

    def poll(self) -> tuple[int, int]:
        """Deliver each shard's next batch once; returns (batches copied, batches that failed)."""
        worker, copied, failed = self._worker, 0, 0
        with self.stack.running_as("CopyAuditEventsToS3"):
            for shard in worker._shard_ids(self._arn, worker._checkpoints):
                records = worker._read(self._arn, shard, worker._checkpoints[shard])
                if not records:
                    continue
                last = records[-1]["dynamodb"]["SequenceNumber"]
                try:
                    worker._handler({"Records": [self._to_lambda(r, self._arn) for r in records]}, None)
                    copied += 1
                except Exception:  # noqa: BLE001 - Lambda retries the batch on the next poll
                    failed += 1
                    # The batch's age is its oldest record's: first delivered when the batch began.
                    first = self._first_seen.setdefault(records[0]["dynamodb"]["SequenceNumber"], self.stack.clock())
                    if (self.stack.clock() - first).total_seconds() < self.max_age_seconds:
                        continue
                    self.given_up.append({"shard": shard, "last_sequence_number": last, "records": len(records)})
                worker._checkpoints[shard] = last
        return copied, failed

    def drain(self) -> None:
        while self.poll()[0]:
            pass
