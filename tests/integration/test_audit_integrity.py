"""Issue 4: `audit verify` (AuditVerifier) passes on an untouched log and names the object for each
kind of tampering an attacker with write access to the audit bucket (but not the KMS key) can try.

About "today": the verifier reports events that are in no signed digest as *pending* when their S3
LastModified date is >= its `today`, and as problems otherwise. moto stamps LastModified with the real
time, while the consumer records each event in the digest index under the FakeClock's date (2026-11-28
here). So each test either writes a digest of DAY (the FakeClock date at pump time) before tampering,
and verifies with `today=_after_real_today()` so that anything undigested counts as a problem.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

import app
from chalicelib.adapters.kms_signer import KmsDigestSigner
from chalicelib.auditing.digests import write_digest
from chalicelib.auditing.verifier import AuditVerifier, Problem, Report
from chalicelib.domain import digest as d
from chalicelib.domain.audit import GENESIS_HASH, canonical_bytes, event_hash

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
DAY = date(2026, 11, 28)  # the FakeClock's date: the key partition and the index day of every event here
STARTED_TYPES = ["verification.requested", "sergeants.notified", "sms.sent"]


# ---- helpers -------------------------------------------------------------------------------


def _after_real_today() -> date:
    """A `today` after moto's (real-time) LastModified dates: every undigested object is a problem."""
    return datetime.now(UTC).date() + timedelta(days=1)


def _key(vid: str, seq: int, day: date = DAY) -> str:
    return f"audit/force=met/date={day.isoformat()}/{vid}/{seq:06d}.json"


def _s3(stack):
    return stack.session.client("s3")


def _started(stack) -> str:
    """An officer's start through the real routing (3 events), copied to S3 by the real stream handler.

    Three events are enough to tamper with a first, a middle and a last one (and keep these tests fast)."""
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, started
    vid = started["verification_id"]
    assert stack.pump_audit() > 0
    return vid


def _digest(stack, day: date = DAY) -> tuple[str, dict[str, Any]]:
    """Sign and store the digest of `day` (the index day) at the FakeClock's instant."""
    return write_digest(
        _s3(stack), stack.settings.audit_bucket, stack.deps.audit_index, stack.deps.digest_signer,
        "met", day, stack.clock(),
    )


def _verify(stack, today: date | None = None, force: str = "met", **kw) -> Report:
    verifier = AuditVerifier(
        _s3(stack), stack.settings.audit_bucket, stack.deps.digest_signer, today=today or _after_real_today()
    )
    return verifier.verify(force, **kw)


def _raw(stack, key: str) -> bytes:
    return _s3(stack).get_object(Bucket=stack.settings.audit_bucket, Key=key)["Body"].read()


def _put(stack, key: str, body: bytes) -> None:
    """What an attacker with s3:PutObject can do: a plain write (a new version on an existing key)."""
    _s3(stack).put_object(
        Bucket=stack.settings.audit_bucket, Key=key, Body=body, ContentType="application/json",
        ChecksumAlgorithm="SHA256",
    )


def _event(stack, key: str) -> dict[str, Any]:
    return json.loads(_raw(stack, key))


def _forge(template: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An event with a correctly recomputed hash (the attacker can compute SHA-256 too)."""
    forged = {k: v for k, v in template.items() if k != "hash"}
    forged.update(changes)
    forged["hash"] = event_hash(forged)
    return forged


def _by_key(report: Report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in report.problems:
        found.setdefault(problem.key, []).append(problem.what)
    return found


def _has(report: Report, key: str, fragment: str) -> bool:
    return any(p.key == key and fragment in p.what for p in report.problems)


NOT_LISTED = "not listed in any signed digest (inserted, or omitted by a digest)"


@pytest.fixture
def logged(stack):
    """One verification's three events in S3 and a signed digest of their day: an untouched log."""
    vid = _started(stack)
    digest_key, document = _digest(stack)
    assert document["event_count"] == 3
    assert _verify(stack).intact  # the starting point of every tampering test below
    return vid, digest_key


# ---- an untouched log -----------------------------------------------------------------------


def test_untouched_log_is_pending_on_its_day_a_problem_the_next_and_intact_once_digested(stack):
    vid = _started(stack)
    keys = [_key(vid, seq) for seq in range(1, 4)]
    assert [_event(stack, key)["type"] for key in keys] == STARTED_TYPES
    written_on = _s3(stack).head_object(Bucket=stack.settings.audit_bucket, Key=keys[0])["LastModified"].date()

    same_day = _verify(stack, today=written_on)  # moto's LastModified day: not yet digested is fine
    assert same_day.intact and same_day.problems == []
    assert sorted(same_day.pending) == keys
    assert (
        same_day.summary() == "INTACT: 3 events in 1 chains, 0 digests checked, 3 written today and not yet in a digest"
    )

    next_day = _verify(stack, today=written_on + timedelta(days=1))  # no digest by then: each named
    assert next_day.problems == [Problem(key, NOT_LISTED) for key in keys]

    _digest(stack)
    report = _verify(stack)
    assert report.intact and report.pending == []
    assert (report.events, report.chains, report.digests) == (3, 1, 1)
    assert report.summary() == "INTACT: 3 events in 1 chains, 1 digests checked"


# ---- tampering with events -------------------------------------------------------------------


def test_one_flipped_byte_is_detected_and_named(stack, logged):
    vid, _ = logged
    key = _key(vid, 2)
    body = bytearray(_raw(stack, key))
    at = body.index(b'"at":"2026-11-28T') + len(b'"at":"2026-11-2')
    assert body[at : at + 1] == b"8"
    body[at] ^= 0x01  # '8' -> '9': one bit, still valid JSON, the stored hash left as it was
    _put(stack, key, bytes(body))

    report = _verify(stack)

    assert not report.intact
    assert set(_by_key(report)) == {key}
    assert _has(report, key, "content changed: hash does not match the event")
    assert _has(report, key, "overwritten: 2 versions exist")


def test_an_edit_with_a_recomputed_hash_is_caught_by_versions_and_the_digest(stack, logged):
    """The last event has no successor whose prev_hash would break: versioning and the digest catch it."""
    vid, digest_key = logged
    key = _key(vid, 3)
    original = _event(stack, key)
    _put(stack, key, canonical_bytes(_forge(original, data={**original["data"], "recipients": ["MP2004"]})))

    report = _verify(stack)

    assert set(_by_key(report)) == {key}
    assert _has(report, key, "overwritten: 2 versions exist")
    assert _has(report, key, f"differs from the hash in digest {digest_key}")


def test_a_deleted_event_is_detected_and_named(stack, logged):
    vid, _ = logged
    key = _key(vid, 2)
    marker = _s3(stack).delete_object(Bucket=stack.settings.audit_bucket, Key=key)
    assert marker.get("DeleteMarker") is True  # a plain delete is allowed: it only hides the event

    report = _verify(stack)

    assert set(_by_key(report)) == {key, _key(vid, 3)}
    assert _has(report, key, "deleted: a delete marker hides this event")
    assert _has(report, _key(vid, 3), "gap: seq 2..2 missing before this event")


def test_a_reordered_pair_is_detected_and_named(stack, logged):
    vid, _ = logged
    second, third = _key(vid, 2), _key(vid, 3)
    body_2, body_3 = _raw(stack, second), _raw(stack, third)
    _put(stack, second, body_3)
    _put(stack, third, body_2)

    report = _verify(stack)

    assert set(_by_key(report)) == {second, third}
    for key, says in ((second, 3), (third, 2)):
        assert _has(report, key, "overwritten: 2 versions exist")
        assert _has(report, key, f"misplaced: the event says seq {says} of {vid}")
        assert _has(report, key, "differs from the hash in digest")
    assert _has(report, second, "chain broken: prev_hash does not match the previous event")


def test_forged_inserted_events_are_detected_and_named(stack, logged):
    """Correct hashes, canonical bytes, one version each: only the signed digests can tell."""
    vid, _ = logged
    last = _event(stack, _key(vid, 3))
    appended = _forge(last, seq=4, type="verification.cancelled", prev_hash=last["hash"],
                      event_id="00000000-0000-4000-8000-000000000000", data={})
    appended_key = _key(vid, 4)
    fake_chain = "ForgedChain00001"
    new_chain = _forge(_event(stack, _key(vid, 1)), verification_id=fake_chain, seq=1, prev_hash=GENESIS_HASH)
    new_chain_key = _key(fake_chain, 1)
    _put(stack, appended_key, canonical_bytes(appended))
    _put(stack, new_chain_key, canonical_bytes(new_chain))

    written_on = _s3(stack).head_object(Bucket=stack.settings.audit_bucket, Key=appended_key)["LastModified"].date()
    on_the_day = _verify(stack, today=written_on)
    assert on_the_day.intact and sorted(on_the_day.pending) == sorted([appended_key, new_chain_key])

    report = _verify(stack)  # from the next day on, with no digest listing them: problems, named

    assert report.chains == 2
    assert sorted(report.problems, key=str) == sorted(
        [Problem(appended_key, NOT_LISTED), Problem(new_chain_key, NOT_LISTED)], key=str
    )


def test_a_gap_in_seq_is_detected_and_named(stack, logged):
    """An event at seq 5 linked straight to seq 3: every hash is right, seq 4 is missing."""
    vid, _ = logged
    last = _event(stack, _key(vid, 3))
    forged = _forge(last, seq=5, type="verification.cancelled", prev_hash=last["hash"], data={})
    key = _key(vid, 5)
    _put(stack, key, canonical_bytes(forged))

    report = _verify(stack)

    assert set(_by_key(report)) == {key}
    assert _has(report, key, "gap: seq 4..4 missing before this event")
    assert _has(report, key, NOT_LISTED)


def test_an_event_that_never_reached_s3_leaves_a_gap_that_is_named(stack, monkeypatch):
    """The consumer indexed seq 2 but its object never reached the bucket (a lost write)."""
    writer = stack.deps.audit_log
    real_write = writer.write
    monkeypatch.setattr(
        writer, "write", lambda key, body: True if key.endswith("/000002.json") else real_write(key, body)
    )
    vid = _started(stack)
    _digest(stack)

    report = _verify(stack)

    assert set(_by_key(report)) == {_key(vid, 2), _key(vid, 3)}
    assert _has(report, _key(vid, 3), "gap: seq 2..2 missing before this event")
    assert any(p.key == _key(vid, 2) and p.what.startswith("listed in digest digests/force=met/date=2026-11-28/")
               and p.what.endswith("but missing from the bucket") for p in report.problems)


# ---- tampering with digests ------------------------------------------------------------------


def test_an_overwritten_digest_with_a_changed_event_list_fails_its_signature(stack, logged):
    vid, digest_key = logged
    document = json.loads(_raw(stack, digest_key))
    document["events"] = [e for e in document["events"] if e["key"] != _key(vid, 2)]
    document["event_count"] -= 1
    _put(stack, digest_key, d.canonical(document))  # the original signature over a different list

    report = _verify(stack)

    assert _has(report, digest_key, "digest signature is not valid")
    assert _has(report, digest_key, "digest overwritten: 2 versions exist")
    # An unverified digest vouches for nothing: every event is now undigested, each named.
    assert set(_by_key(report)) == {digest_key, *(_key(vid, seq) for seq in range(1, 4))}


def test_an_added_digest_with_a_bad_signature_is_named(stack, logged):
    """A second digest of the day (a new key, no overwrite): the real document, signature off by one bit."""
    _, digest_key = logged
    document = json.loads(_raw(stack, digest_key))
    signature = bytearray(d.signature_of(document))
    signature[10] ^= 0x01
    stack.clock.advance(minutes=5)
    forged_key = d.digest_key("met", DAY, stack.clock())
    _put(stack, forged_key, d.canonical(d.with_signature(document, bytes(signature))))

    report = _verify(stack)

    assert report.digests == 2
    assert report.problems == [Problem(forged_key, "digest signature is not valid")]


def test_a_signed_digest_that_omits_an_event_is_named(stack):
    """A correctly signed digest (the real KMS key) built from an index missing one entry."""
    vid = _started(stack)
    omitted = _key(vid, 2)
    written = [entry for entry in stack.deps.audit_index.written("met", DAY.isoformat()) if entry[0] != omitted]
    assert len(written) == 2
    signer = stack.deps.digest_signer
    document = d.unsigned_digest("met", DAY, written, None, d.GENESIS, signer.key_id, stack.clock())
    document = d.with_signature(document, signer.sign(d.message_digest(document)))
    _put(stack, d.digest_key("met", DAY, stack.clock()), d.canonical(document))

    report = _verify(stack)

    assert report.digests == 1
    assert report.problems == [Problem(omitted, NOT_LISTED)]


def test_a_digest_signed_by_another_kms_key_is_not_trusted(stack, logged):
    vid, digest_key = logged
    last = _event(stack, _key(vid, 3))
    forged = _forge(last, seq=4, type="verification.cancelled", prev_hash=last["hash"], data={})
    forged_key = _key(vid, 4)
    _put(stack, forged_key, canonical_bytes(forged))

    kms = stack.session.client("kms")
    attacker = KmsDigestSigner(kms, kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"])
    real = json.loads(_raw(stack, digest_key))
    listed = [(e["key"], e["hash"]) for e in real["events"]] + [(forged_key, forged["hash"])]
    stack.clock.advance(minutes=5)
    document = d.unsigned_digest("met", DAY, listed, digest_key, d.object_hash(_raw(stack, digest_key)),
                                 attacker.key_id, stack.clock())
    document = d.with_signature(document, attacker.sign(d.message_digest(document)))
    bogus_key = d.digest_key("met", DAY, stack.clock())
    _put(stack, bogus_key, d.canonical(document))

    report = _verify(stack)

    assert not report.intact
    assert any(p.key == bogus_key and "untrusted signing key" in p.what for p in report.problems)
    assert Problem(forged_key, NOT_LISTED) in report.problems  # the untrusted digest vouches for nothing


# ---- immutability ---------------------------------------------------------------------------


def test_compliance_retention_blocks_deleting_event_and_digest_versions(stack, logged):
    vid, digest_key = logged
    s3, bucket = _s3(stack), stack.settings.audit_bucket
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    retention = lock["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Days"]) == ("COMPLIANCE", 7 * 365)

    for key in (_key(vid, 2), digest_key):
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        version = head["VersionId"]
        for bypass in ({}, {"BypassGovernanceRetention": True}):
            with pytest.raises(ClientError) as refused:
                s3.delete_object(Bucket=bucket, Key=key, VersionId=version, **bypass)
            assert refused.value.response["Error"]["Code"] == "AccessDenied", (key, bypass)
        versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
        assert [v["VersionId"] for v in versions["Versions"]] == [version]
        assert not versions.get("DeleteMarkers")
    assert _verify(stack).intact


def test_a_redelivered_stream_record_creates_no_second_version(stack):
    vid = _started(stack)
    # Lambda delivers the same INSERTs again (at-least-once), straight to the real handler.
    items = stack.session.client("dynamodb").query(
        TableName=stack.settings.verifications_table, KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
        ExpressionAttributeValues={":pk": {"S": f"V#{vid}"}, ":e": {"S": "EVENT#"}},
    )["Items"]
    assert len(items) == 3
    records = [{
        "eventID": f"redelivered-{n}", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "eventSourceARN": app.AUDIT_STREAM_ARN, "awsRegion": "eu-west-2",
        "dynamodb": {"Keys": {"pk": item["pk"], "sk": item["sk"]}, "NewImage": item, "SequenceNumber": f"{n:021d}",
                     "SizeBytes": 100, "StreamViewType": "NEW_IMAGE", "ApproximateCreationDateTime": 1795841220.0},
    } for n, item in enumerate(items, start=1)]
    app.copy_audit_events_to_s3({"Records": records}, None)
    app.copy_audit_events_to_s3({"Records": records}, None)

    versions = _s3(stack).list_object_versions(Bucket=stack.settings.audit_bucket, Prefix="audit/")
    assert Counter(v["Key"] for v in versions["Versions"]) == Counter({_key(vid, seq): 1 for seq in range(1, 4)})
    assert not versions.get("DeleteMarkers")
    _, document = _digest(stack)
    assert document["event_count"] == 3  # the digest index, too, holds each key once
    assert _verify(stack).intact
