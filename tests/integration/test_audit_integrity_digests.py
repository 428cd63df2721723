"""Issue 4: the daily signed digests (one per force and day; every key and hash written that day,
the previous digest's hash, an RSASSA_PSS_SHA_256 signature by the KMS key), on demand and scheduled.

The digest's day is the day the stream consumer recorded in its index: the FakeClock's date at pump
time (2026-11-28 unless advanced). Verifications use a `today` after the real date, because moto
stamps S3 LastModified with real time (see test_audit_integrity.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

import app
from chalicelib import services
from chalicelib.auditing.digests import DigestExists, write_digest
from chalicelib.auditing.verifier import AuditVerifier, Problem
from chalicelib.domain import digest as d

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
DAY = date(2026, 11, 28)


def _s3(stack):
    return stack.session.client("s3")


def _start(stack, officer_id: str = "MP4721") -> str:
    status, started = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, started
    return started["verification_id"]


def _digest(stack, force: str = "met", day: date = DAY) -> tuple[str, dict[str, Any]]:
    return write_digest(_s3(stack), stack.settings.audit_bucket, stack.deps.audit_index, stack.deps.digest_signer,
                        force, day, stack.clock())


def _raw(stack, key: str) -> bytes:
    return _s3(stack).get_object(Bucket=stack.settings.audit_bucket, Key=key)["Body"].read()


def _audit_hashes(stack, force: str) -> dict[str, str]:
    """Every event object of the force in the bucket: key -> the event's own hash."""
    return {key: body["hash"] for key, body in stack.audit_objects().items()
            if key.startswith(f"audit/force={force}/")}


def _digest_keys(stack, force: str, day: date = DAY) -> list[str]:
    listed = _s3(stack).list_objects_v2(Bucket=stack.settings.audit_bucket, Prefix=d.digest_prefix(force, day))
    return sorted(item["Key"] for item in listed.get("Contents", []))


def _verify(stack, force: str = "met"):
    later = datetime.now(UTC).date() + timedelta(days=1)
    return AuditVerifier(_s3(stack), stack.settings.audit_bucket, stack.deps.digest_signer, today=later).verify(force)


def _kms_verifies(stack, document: dict[str, Any]) -> bool:
    """Ask KMS directly (not through the app's signer) whether the signature covers the document."""
    kms = stack.session.client("kms")
    signed = {k: v for k, v in document.items() if k != "signature"}
    message = hashlib.sha256(json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                             .encode("utf-8")).digest()
    try:
        return kms.verify(KeyId=stack.settings.audit_signing_key_id, Message=message, MessageType="DIGEST",
                          Signature=d.signature_of(document), SigningAlgorithm="RSASSA_PSS_SHA_256")["SignatureValid"]
    except ClientError as error:
        assert error.response["Error"]["Code"] == "KMSInvalidSignatureException"
        return False


def test_a_digest_lists_every_key_and_hash_written_that_day_and_kms_verifies_its_signature(stack):
    _start(stack)
    assert stack.call("GET", "/officers/MP4721", "MP0002")[0] == 200  # registry.viewed: a one-event chain
    assert stack.call("POST", "/verifications", "MP3390", START)[0] == 403  # a not-serving attempt chain
    stack.pump_audit()
    written = _audit_hashes(stack, "met")
    assert len(written) == 5

    key, document = _digest(stack)

    assert key == "digests/force=met/date=2026-11-28/digest-20261128T024700000000Z.json"
    assert _raw(stack, key) == d.canonical(document)  # stored exactly as signed
    assert [(e["key"], e["hash"]) for e in document["events"]] == sorted(written.items())
    assert document["event_count"] == 5
    assert (document["force"], document["date"], document["created_at"]) == (
        "met",
        "2026-11-28",
        "2026-11-28T02:47:00.000Z",
    )
    assert (document["previous_digest_key"], document["previous_digest_hash"]) == (None, "0" * 64)
    assert document["signing_key_id"] == stack.settings.audit_signing_key_id
    assert document["signing_algorithm"] == "RSASSA_PSS_SHA_256"
    assert _kms_verifies(stack, document)
    assert not _kms_verifies(stack, {**document, "event_count": 4})  # any change breaks the signature
    head = _s3(stack).head_object(Bucket=stack.settings.audit_bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"

    # Digests are written once: the same key again is refused and the stored digest is unchanged.
    with pytest.raises(DigestExists) as exists:
        _digest(stack)
    assert str(exists.value) == key
    versions = _s3(stack).list_object_versions(Bucket=stack.settings.audit_bucket, Prefix="digests/")["Versions"]
    assert [v["Key"] for v in versions] == [key]
    assert services.write_daily_digests(stack.deps, DAY) == []  # the scheduled path logs it and moves on

    assert _verify(stack).intact


def test_each_digest_links_to_the_previous_one_and_a_later_digest_covers_later_writes(stack):
    vid = _start(stack)
    stack.pump_audit()
    first_key, first = _digest(stack)

    stack.clock.advance(hours=2)
    assert stack.call("GET", f"/verifications/{vid}", "MP0002")[0] == 200  # verification.viewed, seq 4
    stack.pump_audit()
    late = f"audit/force=met/date=2026-11-28/{vid}/000004.json"
    # Until a digest lists it, the later event is named (once its S3 day is over).
    assert _verify(stack).problems == [
        Problem(late, "not listed in any signed digest (inserted, or omitted by a digest)")
    ]

    second_key, second = _digest(stack)
    assert second_key > first_key
    assert second["previous_digest_key"] == first_key
    assert second["previous_digest_hash"] == hashlib.sha256(_raw(stack, first_key)).hexdigest()
    assert {e["key"] for e in second["events"]} == {e["key"] for e in first["events"]} | {late}

    # The next day's first digest links to the last digest of the day before.
    stack.clock.advance(days=1)
    assert stack.call("GET", f"/verifications/{vid}", "MP0001")[0] == 200  # seq 5, indexed on 2026-11-29
    stack.pump_audit()
    third_key, third = _digest(stack, day=DAY + timedelta(days=1))
    assert third_key.startswith("digests/force=met/date=2026-11-29/")
    assert [e["key"] for e in third["events"]] == [f"audit/force=met/date=2026-11-28/{vid}/000005.json"]
    assert third["previous_digest_key"] == second_key
    assert third["previous_digest_hash"] == hashlib.sha256(_raw(stack, second_key)).hexdigest()

    report = _verify(stack)
    assert report.intact, report.problems
    assert (report.events, report.digests) == (5, 3)


def test_daily_digests_cover_every_force_that_wrote_that_day(stack):
    met_vid = _start(stack, "MP4721")
    wilts_vid = _start(stack, "WP1187")
    stack.pump_audit()

    keys = services.write_daily_digests(stack.deps, DAY)

    assert sorted(keys) == ["digests/force=met/date=2026-11-28/digest-20261128T024700000000Z.json",
                            "digests/force=wiltshire/date=2026-11-28/digest-20261128T024700000000Z.json"]
    for force, vid in (("met", met_vid), ("wiltshire", wilts_vid)):
        (key,) = _digest_keys(stack, force)
        document = json.loads(_raw(stack, key))
        assert document["force"] == force
        assert [(e["key"], e["hash"]) for e in document["events"]] == sorted(_audit_hashes(stack, force).items())
        assert {e["key"].split("/")[3] for e in document["events"]} == {vid}  # its own force's events only
    assert services.write_daily_digests(stack.deps, DAY + timedelta(days=1)) == []  # nobody wrote that day

    # The scheduled function, at 00:15 the next day, signs yesterday's digest for each force.
    _nightly(stack, datetime(2026, 11, 29, 0, 15, 3, tzinfo=UTC))
    for force in ("met", "wiltshire"):
        on_demand = f"digests/force={force}/date=2026-11-28/digest-20261128T024700000000Z.json"
        nightly = f"digests/force={force}/date=2026-11-28/digest-20261129T001503000000Z.json"
        assert set(_digest_keys(stack, force)) == {on_demand, nightly}
        document = json.loads(_raw(stack, nightly))
        assert (document["created_at"], document["event_count"]) == ("2026-11-29T00:15:03.000Z", 3)
        assert document["previous_digest_key"] == on_demand
        report = _verify(stack, force)
        assert report.intact and report.digests == 2, report.problems


def _nightly(stack, at: datetime) -> None:
    stack.clock.now = at
    app.write_daily_audit_digests({
        "version": "0", "id": "schedule", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": at.isoformat(), "region": "eu-west-2", "resources": [], "detail": {},
    }, None)


def test_the_next_days_digest_links_to_the_most_recently_written_digest(stack):
    vid = _start(stack)
    stack.pump_audit()
    on_demand, _ = _digest(stack)  # `audit digest` during the day, at 02:47
    _nightly(stack, datetime(2026, 11, 29, 0, 15, 3, tzinfo=UTC))  # the complete digest of the 28th
    nightly = "digests/force=met/date=2026-11-28/digest-20261129T001503000000Z.json"
    assert set(_digest_keys(stack, "met")) == {on_demand, nightly}

    stack.clock.now = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    assert stack.call("GET", f"/verifications/{vid}", "MP0002")[0] == 200
    stack.pump_audit()
    _nightly(stack, datetime(2026, 11, 30, 0, 15, 3, tzinfo=UTC))
    (next_day,) = _digest_keys(stack, "met", DAY + timedelta(days=1))

    document = json.loads(_raw(stack, next_day))
    assert document["previous_digest_key"] == nightly  # regression: linked to the 02:47 on-demand digest
