"""Issue 13, finding 7: forged outbox items never reach the audit log.

A compromised API function can put `audit_event` items of its own into the outbox (it may write the
verifications table). Before this fix the stream consumer copied whatever it was given into the
chain, and the next digest signed it. Now an event is copied only if it extends the chain already
written in S3 for its verification; anything else is kept under `quarantine/`, alerted to the
control room and audited (an event of its own chain), never copied. An event that is merely early
(its predecessor still waits in the outbox) is not forged: it waits, and is copied after it.

Everything below runs the real stream handler under the copier's role from the template.
"""

from __future__ import annotations

import json
from datetime import date

from chalicelib.auditing.digests import write_digest
from chalicelib.domain.audit import GENESIS_HASH, verify_chain
from tests.integration.outbox_helpers import (
    awaiting_copy,
    deliver,
    forged,
    key,
    outbox_items,
    put_forged_event,
    put_outbox_item,
    quarantine_events,
    s3_json,
    s3_keys,
    start,
)

REFUSED = "audit_event_quarantined"


def _refusals(stack) -> list[dict]:
    return [alert for alert in stack.alerts() if alert.get("type") == REFUSED]


def _quarantined(stack) -> dict[str, dict]:
    return {k: s3_json(stack, k) for k in s3_keys(stack, "quarantine/")}


def _fingerprint(item: dict) -> str:
    """SHA-256 of exactly what the item held: names its quarantined copy, whoever sees it again."""
    import hashlib

    found = {name: item.get(name, {}).get("S") for name in ("pk", "sk", "audit_key", "event_json")}
    return hashlib.sha256(json.dumps(found, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def test_a_forged_event_that_does_not_extend_the_chain_is_quarantined_alerted_and_audited_never_copied(stack):
    vid = start(stack)
    assert stack.pump_audit() > 0
    second, third = s3_json(stack, key(vid, 2)), s3_json(stack, key(vid, 3))
    # A "confirmed" at seq 4 that links to seq 2: its own hash is right, the chain is not.
    fake = forged(third, seq=4, type="verification.confirmed", prev_hash=second["hash"],
                  event_id="00000000-0000-4000-8000-000000000004", actor={"role": "sergeant", "officer_id": "MP2001"})
    item = put_forged_event(stack, fake)

    stack.pump_audit()

    assert key(vid, 4) not in s3_keys(stack)  # never copied into the chain
    ((quarantine_key, kept),) = _quarantined(stack).items()
    assert quarantine_key == f"quarantine/{_fingerprint(item)}.json"
    assert kept["reason"] == "chain_mismatch"
    assert json.loads(kept["item"]["event_json"]) == fake and kept["item"]["audit_key"] == key(vid, 4)
    (alert,) = _refusals(stack)
    assert {k: alert[k] for k in ("force", "verification_id", "seq", "reason", "quarantine_key")} == {
        "force": "met", "verification_id": vid, "seq": 4, "reason": "chain_mismatch", "quarantine_key": quarantine_key}
    stack.pump_audit()  # the refusal is itself an audit event, in a chain of its own
    (audited,) = quarantine_events(stack)
    assert audited["verification_id"] != vid and audited["seq"] == 1 and audited["prev_hash"] == GENESIS_HASH
    assert audited["actor"] == {"role": "system", "officer_id": None}
    assert audited["data"] == {"verification_id": vid, "seq": 4, "reason": "chain_mismatch",
                               "quarantine_key": quarantine_key, "item_sha256": _fingerprint(item), "alert": "sent"}
    # The outbox item is out of the backlog for good; the real chain and the digest are untouched.
    ((stored),) = [i for i in outbox_items(stack, f"V#{vid}") if i["sk"]["S"] == "EVENT#000004"]
    assert "awaiting_copy" not in stored and stored["quarantined"]["S"] == quarantine_key
    assert awaiting_copy(stack) == []
    assert verify_chain([s3_json(stack, key(vid, seq)) for seq in (1, 2, 3)]) == []
    _, digest = write_digest(stack.session.client("s3"), stack.settings.audit_bucket, stack.deps.audit_index,
                             stack.deps.digest_signer, "met", date(2026, 11, 28), stack.clock())
    assert key(vid, 4) not in {entry["key"] for entry in digest["events"]}


def test_items_that_are_not_events_at_their_own_place_are_each_quarantined_with_their_reason(stack):
    vid = start(stack)
    assert stack.pump_audit() > 0
    first, third = s3_json(stack, key(vid, 1)), s3_json(stack, key(vid, 3))
    put_forged_event(stack, {**forged(third, seq=4, prev_hash=third["hash"]), "hash": "0" * 64})  # hash_mismatch
    put_forged_event(stack, forged(third, seq=5, prev_hash=third["hash"]), sk="EVENT#000009")  # misplaced
    put_forged_event(stack, forged(third, seq=6, prev_hash=third["hash"]),
                     audit_key=key(vid, 6, day="2026-11-27"))  # another date's folder: no seq 5 there
    put_outbox_item(stack, f"V#{vid}", "EVENT#000007", key(vid, 7), "{not json")  # not_an_event
    put_outbox_item(stack, f"V#{vid}", "EVENT#000008", key(vid, 8), None)  # not_an_event
    put_outbox_item(stack, f"V#{vid}", "EVENT#000010", None, "[]")  # not_an_event, and names no force
    put_forged_event(
        stack, forged(first, verification_id="NewChain00000001", prev_hash=third["hash"])
    )  # seq 1, not genesis

    stack.pump_audit()

    reasons = ["chain_mismatch", "hash_mismatch", "misplaced"] + ["not_an_event"] * 3 + ["predecessor_missing"]
    assert sorted(kept["reason"] for kept in _quarantined(stack).values()) == reasons
    # Nothing of them is in the log: only the real chain, and one refusal event each (own chains).
    assert [k for k in s3_keys(stack) if f"/{vid}/" in k] == [key(vid, seq) for seq in (1, 2, 3)]
    assert len(s3_keys(stack)) == 3 + len(reasons)
    assert sorted(e["data"]["reason"] for e in quarantine_events(stack)) == reasons
    alerts = _refusals(stack)
    assert sorted(alert["reason"] for alert in alerts) == reasons
    assert sorted(alert["force"] for alert in alerts) == ["met"] * 6 + ["unknown"]  # still alerted
    assert awaiting_copy(stack) == []


def test_an_event_that_differs_from_the_one_written_at_its_key_is_quarantined(stack):
    """A copied item replaced by another (delete + put: the stream sees an INSERT) is a fork."""
    vid = start(stack)
    assert stack.pump_audit() > 0
    first, second = s3_json(stack, key(vid, 1)), s3_json(stack, key(vid, 2))
    written = stack.session.client("s3").get_object(Bucket=stack.settings.audit_bucket, Key=key(vid, 2))["Body"].read()
    dynamodb = stack.session.client("dynamodb")
    dynamodb.delete_item(TableName=stack.settings.verifications_table,
                         Key={"pk": {"S": f"V#{vid}"}, "sk": {"S": "EVENT#000002"}})
    put_forged_event(stack, forged(second, data={"recipients": ["MP9999"]}, prev_hash=first["hash"]))

    stack.pump_audit()

    assert stack.session.client("s3").get_object(
        Bucket=stack.settings.audit_bucket, Key=key(vid, 2))["Body"].read() == written
    assert [kept["reason"] for kept in _quarantined(stack).values()] == ["conflicts_with_written"]
    assert [alert["reason"] for alert in _refusals(stack)] == ["conflicts_with_written"]


def test_a_shuffled_redelivered_batch_copies_the_chain_in_order_and_refuses_the_forgery_once(stack):
    vid = start(stack)
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    real = outbox_items(stack, f"V#{vid}")
    assert len(real) == 5
    events = [json.loads(item["event_json"]["S"]) for item in real]
    fake = put_forged_event(stack, forged(events[-1], seq=6, type="verification.confirmed", prev_hash="f" * 64))
    batch = [real[4], fake, real[2], real[0], real[3], real[1], real[4]]  # shuffled, one record twice

    deliver(batch)
    deliver(batch)  # Lambda delivers at least once
    deliver(list(reversed(batch)))

    assert s3_keys(stack) == [key(vid, seq) for seq in range(1, 6)]
    assert [s3_json(stack, key(vid, seq)) for seq in range(1, 6)] == events
    assert [kept["reason"] for kept in _quarantined(stack).values()] == ["chain_mismatch"]
    assert len(_refusals(stack)) == 1
    stack.pump_audit()
    assert len(quarantine_events(stack)) == 1
    versions = stack.session.client("s3").list_object_versions(Bucket=stack.settings.audit_bucket)["Versions"]
    assert len(versions) == len({v["Key"] for v in versions})  # each object written once


def test_an_event_whose_predecessor_still_waits_in_the_outbox_waits_too_and_is_not_quarantined(stack):
    """Out of order across batches (a batch given up on, a retry still running) is not forgery."""
    vid = start(stack)
    first, second, third = outbox_items(stack, f"V#{vid}")

    deliver([third])  # seq 3 arrives while seq 1 and 2 are still in the outbox

    assert s3_keys(stack) == []
    assert _quarantined(stack) == {} and _refusals(stack) == []
    assert awaiting_copy(stack) == [key(vid, seq) for seq in (1, 2, 3)]

    deliver([first, second])
    assert s3_keys(stack) == [key(vid, 1), key(vid, 2)]
    deliver([third])  # its redelivery (or the reconciler) now finds its predecessor written
    assert s3_keys(stack) == [key(vid, seq) for seq in (1, 2, 3)]
    assert awaiting_copy(stack) == [] and _quarantined(stack) == {}


def test_an_event_whose_predecessor_is_nowhere_is_quarantined(stack):
    vid = start(stack)
    assert stack.pump_audit() > 0
    third = s3_json(stack, key(vid, 3))
    put_forged_event(stack, forged(third, seq=5, prev_hash="a" * 64))  # seq 4 exists neither in S3 nor the outbox

    stack.pump_audit()

    assert [kept["reason"] for kept in _quarantined(stack).values()] == ["predecessor_missing"]
    assert key(vid, 5) not in s3_keys(stack)
