"""Issue 4: personal data in the audit log can be erased without breaking the chain.

Location, area and notes inside audit events are sealed under a per-chain data key. Erasure (after
the retention period) appends `personal_data.erased`, deletes the data key and the DynamoDB copy;
the S3 chain still verifies, the sealed values can no longer be opened, and active checks are skipped.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

import app
from chalicelib import cli, services
from chalicelib.adapters.envelope import DataKeyErased, KmsEnvelope
from chalicelib.auditing.digests import write_digest
from chalicelib.auditing.verifier import AuditVerifier
from chalicelib.domain.audit import verify_chain

DAY = "2026-11-28"  # the FakeClock's date: every chain below is created (and indexed) on it
ERASED = "personal_data.erased"
CAMDEN = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
WESTMINSTER = {"location": {"lat": 51.5007, "lon": -0.1246, "accuracy_m": 8}, "area": "Westminster Bridge"}
EUSTON = {"location": {"lat": 51.5282, "lon": -0.1337, "accuracy_m": 20}, "area": "Euston Road"}
NOTE = "Warrant card 4721 seen, matches registry photo"


def _chain(stack, chain_id: str) -> list[dict[str, Any]]:
    objects = stack.audit_objects()
    events = [body for key, body in objects.items() if f"/{chain_id}/" in key]
    for key, body in objects.items():
        if f"/{chain_id}/" in key:
            assert key == f"audit/force=met/date={DAY}/{chain_id}/{body['seq']:06d}.json"
    return sorted(events, key=lambda e: e["seq"])


def _fresh_envelope(stack) -> KmsEnvelope:
    """A new envelope (no cached plaintext keys), as a later Lambda container or the CLI would have."""
    return KmsEnvelope(stack.session.client("kms"), stack.session.client("dynamodb"),
                       stack.settings.verifications_table, stack.settings.audit_data_key_id)


def _attempt_id(stack) -> str:
    (item,) = [i for i in stack.stored_items() if i["kind"]["S"] == "audit_event" and i["pk"]["S"].startswith("A#")]
    return item["pk"]["S"].removeprefix("A#")


def _use_stack_env(stack, monkeypatch) -> None:
    """The CLI builds its Dependencies from the environment; it shares only the stack's boto3 Session."""
    import boto3.session

    for name in ("audit_bucket", "audit_signing_key_id", "audit_data_key_id", "verifications_table"):
        monkeypatch.setenv(name.upper(), getattr(stack.settings, name))
    monkeypatch.setattr(boto3.session, "Session", lambda *args, **kwargs: stack.session)


def _start_and_cancel(stack, officer_id: str = "MP4721") -> str:
    status, started = stack.call("POST", "/verifications", officer_id, CAMDEN)
    assert status == 201, started
    vid = started["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/cancel", officer_id, {})[0] == 200
    return vid


def test_erasure_keeps_the_chain_verifiable_and_makes_personal_data_unreadable(stack, monkeypatch):
    real_new_id = stack.deps.new_id  # ids starting with "-" are tested on their own in test_audit_cli.py
    monkeypatch.setattr(stack.deps, "new_id", lambda: "V" + real_new_id()[1:])
    status, started = stack.call("POST", "/verifications", "MP4721", CAMDEN)
    assert status == 201
    vid, reference = started["verification_id"], started["reference"]
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert (
        stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed", "note": NOTE})[0] == 200
    )
    status, active = stack.call("POST", "/verifications", "MP5102", WESTMINSTER)  # still awaiting a sergeant
    assert status == 201
    active_id = active["verification_id"]
    assert stack.call("POST", "/verifications", "MP3390", EUSTON)[0] == 403  # suspended: an attempt chain
    attempt_id = _attempt_id(stack)
    stack.pump_audit()

    before = _chain(stack, vid)
    assert [e["type"] for e in before][-1] == "verification.confirmed"
    sealed_location, sealed_area = before[0]["data"]["location"], before[0]["data"]["area"]
    sealed_note = before[-1]["data"]["note"]
    sealed_attempt_location = _chain(stack, attempt_id)[0]["data"]["location"]
    assert _fresh_envelope(stack).open(vid, sealed_location) == CAMDEN["location"]  # readable until erased
    assert _fresh_envelope(stack).open(vid, sealed_note) == NOTE

    erased = services.erase_personal_data(stack.deps, DAY)
    stack.pump_audit()

    assert sorted(erased) == sorted([vid, attempt_id])  # the active check is skipped
    # The erasure is itself an audit event, appended to each chain; the chains still verify.
    after = _chain(stack, vid)
    assert after[:-1] == before
    assert after[-1]["type"] == ERASED and after[-1]["seq"] == len(before) + 1
    assert after[-1]["actor"] == {"role": "system", "officer_id": None}
    assert after[-1]["data"] == {"erased": ["location", "area", "outcome_note", "data_key"],
                                 "reason": "retention_period_expired"}
    assert verify_chain(after) == []
    attempt = _chain(stack, attempt_id)
    assert [e["type"] for e in attempt] == ["officer_not_serving.attempt", ERASED]
    assert verify_chain(attempt) == []

    # The DynamoDB copy is gone (the API answers as for any unknown check) ...
    assert stack.deps.verifications.get(vid) is None
    assert stack.call("GET", f"/verifications/{vid}", "MP4721")[0] == 404
    assert stack.call("GET", f"/verifications/{vid}", "MP0002")[0] == 404
    items = stack.stored_items()
    keys = {(i["pk"]["S"], i["sk"]["S"]) for i in items}
    # Only the erasure event itself stays in the outbox (it holds no personal data).
    assert {k for k in keys if k[0] in (f"V#{vid}", f"REF#{reference}", f"DATAKEY#{vid}", f"DATAKEY#{attempt_id}")} \
        == {(f"V#{vid}", "EVENT#000007")}
    (left,) = [i for i in items if i["pk"]["S"] == f"V#{vid}"]
    assert json.loads(left["event_json"]["S"])["type"] == ERASED
    assert (f"RETAIN#{DAY}", vid) not in keys and (f"RETAIN#{DAY}", attempt_id) not in keys
    table_text = json.dumps(items, default=repr)
    for personal in ("Camden High St", "51.539", "Euston Road", "51.5282", NOTE):
        assert personal not in table_text, personal

    # ... and the sealed values in the locked bucket can no longer be opened, by anyone.
    for envelope in (_fresh_envelope(stack), stack.deps.envelope):
        for chain_id, sealed in ((vid, sealed_location), (vid, sealed_area), (vid, sealed_note),
                                 (attempt_id, sealed_attempt_location)):
            with pytest.raises(DataKeyErased):
                envelope.open(chain_id, sealed)

    # The active check kept everything.
    assert stack.deps.envelope.chains_created_on(DAY) == [active_id]
    assert stack.call("GET", f"/verifications/{active_id}", "MP5102")[0] == 200
    assert _fresh_envelope(stack).open(active_id, _chain(stack, active_id)[0]["data"]["area"]) == "Westminster Bridge"
    assert services.erase_personal_data(stack.deps, DAY) == []  # nothing left to erase that day
    stack.pump_audit()

    # The whole log still verifies against a signed digest.
    write_digest(stack.session.client("s3"), stack.settings.audit_bucket, stack.deps.audit_index,
                 stack.deps.digest_signer, "met", date(2026, 11, 28), stack.clock())
    later = datetime.now(UTC).date() + timedelta(days=1)
    report = AuditVerifier(stack.session.client("s3"), stack.settings.audit_bucket, stack.deps.digest_signer,
                           today=later).verify("met")
    assert report.intact, report.problems
    assert report.chains == 3

    # `audit show` prints the timeline with the erased values marked, the chain intact.
    _use_stack_env(stack, monkeypatch)
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["audit", "show", vid], out=out, err=err) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Verification {vid} (force met): 7 events, chain intact"
    requested = next(line for line in lines if "verification.requested" in line)
    assert "location=[erased]" in requested and "area=[erased]" in requested
    assert "note=[erased]" in next(line for line in lines if "verification.confirmed" in line)
    assert ERASED in lines[-1] and "reason=retention_period_expired" in lines[-1]
    assert "Camden" not in out.getvalue() and "51.539" not in out.getvalue()


def test_the_nightly_job_erases_checks_once_their_retention_period_is_over(stack):
    vid = _start_and_cancel(stack)
    stack.pump_audit()
    created = stack.clock()
    event = {"version": "0", "id": "schedule", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2027-02-26T01:30:00Z", "region": "eu-west-2", "resources": [],
             "detail": {}}

    stack.clock.now = created + timedelta(days=89)
    app.erase_expired_personal_data(event, None)
    assert stack.deps.verifications.get(vid) is not None  # 89 days: still kept

    stack.clock.now = created + timedelta(days=92)  # two nights were missed: the weekly sweep catches up
    app.erase_expired_personal_data(event, None)
    stack.pump_audit()

    assert stack.deps.verifications.get(vid) is None
    chain = _chain(stack, vid)
    assert [e["type"] for e in chain][-1] == ERASED
    assert chain[-1]["at"] == "2027-02-28T02:47:00.000Z"
    assert verify_chain(chain) == []
    # Written to S3 on 2027-02-28: that day's digest lists it (under its creation-date key).
    (digest_key,) = services.write_daily_digests(stack.deps, date(2027, 2, 28))
    document = json.loads(stack.session.client("s3").get_object(
        Bucket=stack.settings.audit_bucket, Key=digest_key)["Body"].read())
    assert [e["key"] for e in document["events"]] == [f"audit/force=met/date={DAY}/{vid}/{len(chain):06d}.json"]


def test_a_failed_start_does_not_block_the_erasure_of_its_day(stack, monkeypatch):
    vid = _start_and_cancel(stack, "MP5102")
    status, first = stack.call("POST", "/verifications", "MP4721", CAMDEN)
    assert status == 201
    # A second tap by the same officer read "no active check" before the first one committed.
    monkeypatch.setattr(stack.deps.verifications, "active_verification_id", lambda force, officer_id: None)
    status, body = stack.call("POST", "/verifications", "MP4721", CAMDEN)
    assert status == 409, body
    monkeypatch.undo()
    assert stack.call("POST", f"/verifications/{first['verification_id']}/cancel", "MP4721", {})[0] == 200
    stack.pump_audit()  # erasure waits until a check's events are in S3

    erased = services.erase_personal_data(stack.deps, DAY)  # regression: raised IndexError on the orphan key

    assert {vid, first["verification_id"]} <= set(erased)
    assert stack.deps.verifications.get(vid) is None
    assert stack.deps.envelope.chains_created_on(DAY) == []


def test_an_erasure_interrupted_before_deleting_the_data_key_completes_on_the_next_run(stack, monkeypatch):
    vid = _start_and_cancel(stack)
    stack.pump_audit()  # erasure waits until a check's events are in S3
    envelope = stack.deps.envelope
    real_erase = envelope.erase

    def throttled(chain_id):
        monkeypatch.setattr(envelope, "erase", real_erase)
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                          "DeleteItem")

    monkeypatch.setattr(envelope, "erase", throttled)
    with pytest.raises(ClientError):
        services.erase_personal_data(stack.deps, DAY)

    services.erase_personal_data(stack.deps, DAY)  # the next night's sweep (regression: raised IndexError)

    assert stack.deps.envelope.chains_created_on(DAY) == []
    stack.pump_audit()
    with pytest.raises(DataKeyErased):
        _fresh_envelope(stack).open(vid, _chain(stack, vid)[0]["data"]["location"])
