"""The audit outbox: DynamoDB stream -> the real Chalice handler -> S3 (SPEC §5).

Events must land at the SPEC key, byte-for-byte in the canonical serialisation, exactly once —
through redelivery and through an S3 outage — while state changes never wait for S3.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

import app
from chalicelib import services
from chalicelib.adapters.dynamodb import serialise_item
from chalicelib.domain.audit import verify_chain
from chalicelib.domain.errors import OfficerNotServing
from chalicelib.local.stream_worker import StreamWorker
from chalicelib.schemas import OutcomeRequest
from tests.integration.helpers import officer, sergeant, start_request
from tests.integration.outbox_helpers import S3Outage


def _spec_bytes(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _spec_hash(event: dict[str, Any]) -> str:
    return hashlib.sha256(_spec_bytes({k: v for k, v in event.items() if k != "hash"})).hexdigest()


def _s3(stack):
    return stack.session.client("s3")


def _raw_objects(stack) -> dict[str, bytes]:
    s3 = _s3(stack)
    listed = s3.list_objects_v2(Bucket=stack.settings.audit_bucket).get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=stack.settings.audit_bucket, Key=item["Key"])["Body"].read()
        for item in listed
    }


def _versions_per_key(stack) -> Counter:
    listed = _s3(stack).list_object_versions(Bucket=stack.settings.audit_bucket)
    assert not listed.get("DeleteMarkers")
    return Counter(version["Key"] for version in listed.get("Versions", []))


def _expected_objects(stack, vid: str, date: str) -> dict[str, bytes]:
    return {
        f"audit/force=met/date={date}/{vid}/{event['seq']:06d}.json": _spec_bytes(event)
        for event in stack.deps.verifications.events(vid)
    }


class RecordingWorker:
    """A StreamWorker on the table's stream whose handler keeps every Lambda event it delivered."""

    def __init__(self, stack) -> None:
        self.events: list[dict[str, Any]] = []

        def handler(event, context):
            self.events.append(json.loads(json.dumps(event, default=str)))
            return app.copy_audit_events_to_s3(event, context)

        self.worker = StreamWorker(
            stack.session.client("dynamodb"), stack.session.client("dynamodbstreams"),
            stack.settings.verifications_table, handler,
        )

    def drain(self) -> int:
        total = 0
        while delivered := self.worker.poll_once():
            total += delivered
        return total


def test_events_reach_s3_at_the_spec_key_in_canonical_form(stack, clock):
    clock.now = datetime(2026, 11, 28, 23, 59, 50, tzinfo=UTC)
    vid = services.start_verification(
        stack.deps, officer("MP4721"), start_request(area="Café Nero, Camden — north side")
    ).verification.verification_id
    clock.advance(seconds=30)  # the rest happens the next day: the key keeps the creation date
    services.accept_verification(stack.deps, sergeant("MP2001"), vid)
    services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="confirmed"))

    assert stack.pump_audit() > 0

    objects = _raw_objects(stack)
    expected = _expected_objects(stack, vid, "2026-11-28")
    assert objects == expected  # nothing else (no META/REF/ACTIVE) and every byte canonical
    stored = [json.loads(body) for body in objects.values()]
    assert [e["type"] for e in sorted(stored, key=lambda e: e["seq"])] == [
        "verification.requested", "sergeants.notified", "sms.sent", "verification.accepted",
        "registry.disclosed", "verification.confirmed",
    ]
    assert all(event["hash"] == _spec_hash(event) for event in stored)
    assert verify_chain(stored) == []
    requested = json.loads(objects[f"audit/force=met/date=2026-11-28/{vid}/000001.json"])
    # Personal data is sealed (issue 4): ciphertext in S3, readable only with the chain's data key.
    assert requested["data"]["area"]["sealed"] == "aes-256-gcm"
    assert "Café".encode() not in objects[f"audit/force=met/date=2026-11-28/{vid}/000001.json"]
    assert stack.deps.envelope.open(vid, requested["data"]["area"]) == "Café Nero, Camden — north side"
    assert requested["at"] == "2026-11-28T23:59:50.000Z"
    head = _s3(stack).head_object(
        Bucket=stack.settings.audit_bucket, Key=f"audit/force=met/date=2026-11-28/{vid}/000005.json"
    )
    assert head["ContentType"] == "application/json"
    assert _versions_per_key(stack) == Counter({key: 1 for key in expected})


def test_redelivered_batches_create_no_second_version(stack):
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    services.accept_verification(stack.deps, sergeant("MP2002"), vid)
    services.cancel_verification(stack.deps, officer("MP4721"), vid)
    recorder = RecordingWorker(stack)
    assert recorder.drain() > 0
    expected = _expected_objects(stack, vid, "2026-11-28")
    assert _raw_objects(stack) == expected
    # The stream carried more than audit events, and the handler skipped them.
    records = [r for event in recorder.events for r in event["Records"]]
    kinds = {r["dynamodb"].get("NewImage", {}).get("kind", {}).get("S") for r in records}
    assert {"verification", "reference", "active_lock", "audit_event"} <= kinds
    assert {"INSERT", "MODIFY", "REMOVE"} <= {r["eventName"] for r in records}

    # Lambda redelivers the very same batches (at-least-once) ...
    for event in recorder.events:
        app.copy_audit_events_to_s3(event, None)
    # ... and a consumer that lost its checkpoint replays the stream from the start.
    assert RecordingWorker(stack).drain() > 0

    assert _raw_objects(stack) == expected
    assert _versions_per_key(stack) == Counter({key: 1 for key in expected})


def test_s3_outage_loses_nothing_and_does_not_block_state_changes(stack):
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    outage = S3Outage(stack.deps.s3, allow=1)  # one write gets through, then S3 goes down

    with pytest.raises(ClientError) as raised:
        stack.pump_audit()
    assert raised.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert list(_raw_objects(stack)) == [f"audit/force=met/date=2026-11-28/{vid}/000001.json"]

    # The verification moves on while S3 is down: its events wait in the outbox.
    accepted = services.accept_verification(stack.deps, sergeant("MP2003"), vid)
    assert accepted.verification.status.value == "connected"
    with pytest.raises(ClientError):
        stack.pump_audit()  # the same batch comes again, and fails again
    assert outage.refused >= 2

    outage.end()
    assert stack.pump_audit() > 0

    expected = _expected_objects(stack, vid, "2026-11-28")
    assert [key.rsplit("/", 1)[1] for key in sorted(expected)] == [f"{n:06d}.json" for n in range(1, 6)]
    assert _raw_objects(stack) == expected
    assert _versions_per_key(stack) == Counter({key: 1 for key in expected})
    assert stack.deps.verifications.get(vid).status.value == "connected"
    assert stack.pump_audit() == 0  # drained: the checkpoint moved past the batch


def _lambda_record(name: str, item: dict[str, Any] | None, keys: dict[str, Any], seq: int) -> dict[str, Any]:
    dynamodb: dict[str, Any] = {
        "Keys": serialise_item(keys),
        "SequenceNumber": f"{seq:021d}",
        "SizeBytes": 100,
        "StreamViewType": "NEW_IMAGE",
        "ApproximateCreationDateTime": 1795841220.0,
    }
    if item is not None:
        dynamodb["NewImage"] = serialise_item(item)
    return {
        "eventID": f"event-{seq}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": app.AUDIT_STREAM_ARN,
        "awsRegion": "eu-west-2",
        "dynamodb": dynamodb,
    }


def test_only_inserted_audit_events_are_copied(stack):
    event = {"event_id": "e1", "verification_id": "vid-x", "force": "met", "seq": 1, "type": "verification.requested",
             "at": "2026-11-28T02:47:00.000Z", "actor": {"role": "officer", "officer_id": "MP4721"},
             "data": {"note": "ü"}, "prev_hash": "0" * 64}
    event["hash"] = _spec_hash(event)
    audit_item = {"pk": "V#vid-x", "sk": "EVENT#000001", "kind": "audit_event",
                  "audit_key": "audit/force=met/date=2026-11-28/vid-x/000001.json",
                  "event_json": json.dumps(event, sort_keys=True, ensure_ascii=False)}
    meta = {"pk": "V#vid-x", "sk": "META", "kind": "verification", "status": "awaiting_sergeant"}
    ref = {"pk": "REF#SC-7KQ2-9XHM", "sk": "REF", "kind": "reference", "verification_id": "vid-x"}
    lock = {"pk": "ACTIVE#met#MP4721", "sk": "ACTIVE", "kind": "active_lock", "verification_id": "vid-x"}
    other_event = {**audit_item, "sk": "EVENT#000002", "audit_key": "audit/force=met/date=2026-11-28/vid-x/000002.json"}
    records = [
        _lambda_record("INSERT", meta, {"pk": meta["pk"], "sk": meta["sk"]}, 1),
        _lambda_record("INSERT", ref, {"pk": ref["pk"], "sk": ref["sk"]}, 2),
        _lambda_record("INSERT", lock, {"pk": lock["pk"], "sk": lock["sk"]}, 3),
        _lambda_record("MODIFY", {**meta, "status": "connected"}, {"pk": meta["pk"], "sk": meta["sk"]}, 4),
        _lambda_record("REMOVE", None, {"pk": lock["pk"], "sk": lock["sk"]}, 5),
        _lambda_record("MODIFY", other_event, {"pk": "V#vid-x", "sk": "EVENT#000002"}, 6),  # not an insert
        _lambda_record("INSERT", audit_item, {"pk": "V#vid-x", "sk": "EVENT#000001"}, 7),
    ]

    assert services.copy_audit_events(stack.deps, records) == 1
    app.copy_audit_events_to_s3({"Records": records}, None)  # the Lambda entry point, redelivered

    assert _raw_objects(stack) == {"audit/force=met/date=2026-11-28/vid-x/000001.json": _spec_bytes(event)}
    assert services.copy_audit_events(stack.deps, records) == 0


def test_not_serving_attempt_is_copied_too(stack):
    with pytest.raises(OfficerNotServing):
        services.start_verification(stack.deps, officer("MP3390"), start_request())
    (item,) = [i for i in stack.stored_items() if i["kind"]["S"] == "audit_event"]
    attempt_id = item["pk"]["S"].removeprefix("A#")

    stack.pump_audit()

    objects = _raw_objects(stack)
    key = f"audit/force=met/date=2026-11-28/{attempt_id}/000001.json"
    assert list(objects) == [key]
    event = json.loads(objects[key])
    assert objects[key] == _spec_bytes(event)
    assert event["type"] == "officer_not_serving.attempt" and event["seq"] == 1
    assert event["prev_hash"] == "0" * 64 and event["hash"] == _spec_hash(event)
    assert event["data"]["registry_status"] == "suspended"
