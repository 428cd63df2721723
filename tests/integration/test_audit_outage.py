"""Issue 13, finding 6: no audit event is lost in an S3 outage longer than the stream's retries.

SPEC §5: an event whose S3 write fails is retried until written. The deployed stream retries a
failing batch for 6 hours (MaximumRecordAgeInSeconds, read here from the synthesised template) and
then drops it: its on-failure queue gets shard positions, not events. Before this fix nothing ever
copied those events, the nightly erasure then deleted their outbox items, and `audit verify` could
not tell (a chain missing its tail looks like a chain that ended). Now:
- the reconciler (a scheduled function, its own role) copies every outbox event still awaiting copy;
- erasure postpones a check whose events are not all in S3;
- `audit verify` compares each chain with what DynamoDB recorded for it and names a missing tail.
"""

from __future__ import annotations

import io
from datetime import timedelta

import app
from chalicelib import cli
from chalicelib.domain.audit import verify_chain
from tests.integration.outbox_helpers import (
    SCHEDULE_EVENT,
    GivingUpStream,
    S3Outage,
    awaiting_copy,
    key,
    outbox_items,
    s3_json,
    s3_keys,
    start,
)

DAY = "2026-11-28"


def _point_cli_at(stack, monkeypatch) -> None:
    import boto3.session

    for name in ("audit_bucket", "audit_signing_key_id", "audit_data_key_id", "verifications_table"):
        monkeypatch.setenv(name.upper(), getattr(stack.settings, name))
    monkeypatch.setattr(boto3.session, "Session", lambda *args, **kwargs: stack.session)


def _cli(*argv: str) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out=out, err=err), out.getvalue().splitlines()


def _recorded(stack) -> list[str]:
    """The S3 key of every audit event in the outbox."""
    items = stack.session.client("dynamodb").scan(TableName=stack.settings.verifications_table)["Items"]
    return sorted(i["audit_key"]["S"] for i in items if i["kind"]["S"] == "audit_event")


def _chains(stack) -> dict[str, list[dict]]:
    chains: dict[str, list[dict]] = {}
    for object_key in s3_keys(stack):
        event = s3_json(stack, object_key)
        chains.setdefault(event["verification_id"], []).append(event)
    return chains


def test_a_24_hour_s3_outage_loses_no_event_once_the_reconciler_runs(stack, clock, monkeypatch):
    stream = GivingUpStream(stack)
    assert stream.max_age_seconds == 6 * 3600
    outage = S3Outage(stack.deps.s3)
    first = start(stack)
    assert stack.call("POST", f"/verifications/{first}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{first}/outcome", "MP2001", {"outcome": "confirmed"})[0] == 200
    for hour in range(1, 25):  # S3 refuses every write for 24 hours; the stream retries each hour
        clock.advance(hours=1)
        if hour == 3:
            assert stack.call("POST", "/verifications", "MP3390", {"location": {"lat": 51.5, "lon": -0.1}})[0] == 403
        if hour == 8:
            second = start(stack, "MP5102")
            assert stack.call("POST", f"/verifications/{second}/cancel", "MP5102", {})[0] == 200
        stream.poll()
    recorded = _recorded(stack)
    assert len(recorded) == 6 + 1 + 4 and outage.refused >= 6  # each batch retried hourly for 6 hours
    assert stream.given_up, "the stream should have dropped the batches older than 6 hours"

    outage.end()
    stream.drain()
    assert s3_keys(stack) == []  # S3 is back, yet the stream has nothing left to deliver
    assert awaiting_copy(stack) == recorded  # ...but the outbox knows what never reached S3

    # `audit verify` sees what the bucket alone cannot: every chain is missing its tail.
    _point_cli_at(stack, monkeypatch)
    code, out = _cli("audit", "verify", "--force", "met")
    assert code == 1
    assert f"{key(first, 1)}: missing chain tail: seq 1..6 recorded in DynamoDB, the bucket has none of them" in out
    assert (f"{key(second, 1, '2026-11-28')}: missing chain tail: seq 1..4 recorded in DynamoDB, "
            "the bucket has none of them") in out

    app.reconcile_audit_outbox(SCHEDULE_EVENT, None)

    assert s3_keys(stack) == recorded  # 0 events lost
    assert awaiting_copy(stack) == []
    chains = _chains(stack)
    assert len(chains) == 3 and all(verify_chain(events) == [] for events in chains.values())
    assert [e["type"] for e in chains[first]][-1] == "verification.confirmed"
    # Signed and verified as any other day: clean.
    index_day = clock().date().isoformat()
    assert _cli("audit", "digest", "--force", "met", "--date", index_day)[0] == 0
    code, out = _cli("audit", "verify", "--force", "met")
    assert (code, out) == (0, ["INTACT: 11 events in 3 chains, 1 digests checked"])
    stream.drain()  # the stream now carries the reconciler's marks: nothing more is written
    assert s3_keys(stack, "audit/force=met/date=2026-11-28/") == recorded and s3_keys(stack, "quarantine/") == []


def test_verify_names_a_tail_lost_after_the_first_events_and_not_one_still_on_its_way(stack, clock, monkeypatch):
    vid = start(stack)
    stack.pump_audit()  # seq 1-3 in S3
    outage = S3Outage(stack.deps.s3)
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200  # seq 4, 5 wait
    clock.advance(days=1)
    _point_cli_at(stack, monkeypatch)

    # Recorded a day ago and not in S3: lost unless copied. (The CLI's clock is the real one.)
    code, out = _cli("audit", "verify", "--force", "met")
    assert code == 1
    assert f"{key(vid, 4)}: missing chain tail: seq 4..5 recorded in DynamoDB, the bucket ends at seq 3" in out

    outage.end()
    stack.pump_audit()
    assert _cli("audit", "digest", "--force", "met", "--date", DAY)[0] == 0
    assert _cli("audit", "digest", "--force", "met", "--date", clock().date().isoformat())[0] == 0
    assert _cli("audit", "verify", "--force", "met")[0] == 0


def test_erasure_postpones_a_check_whose_events_are_not_in_s3_and_erases_it_once_copied(stack, clock):
    vid = start(stack)
    assert stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {})[0] == 200
    stream = GivingUpStream(stack)
    outage = S3Outage(stack.deps.s3)
    for _ in range(7):
        clock.advance(hours=1)
        stream.poll()
    assert stream.given_up
    events = len(outbox_items(stack, f"V#{vid}"))
    clock.advance(days=stack.settings.personal_data_retention_days + 1)
    tomorrow = (clock() - timedelta(days=stack.settings.personal_data_retention_days - 1)).date().isoformat()

    app.erase_expired_personal_data(SCHEDULE_EVENT, None)

    assert stack.deps.verifications.get(vid) is not None  # kept: its events are not in S3
    assert len(outbox_items(stack, f"V#{vid}")) == events
    assert stack.deps.envelope.chains_created_on(DAY) == []
    assert stack.deps.envelope.chains_created_on(tomorrow) == [vid]  # left for the next night
    assert stack.deps.envelope.open(vid, s3_or_outbox_location(stack, vid)) is not None  # the key is still there

    outage.end()
    app.reconcile_audit_outbox(SCHEDULE_EVENT, None)
    clock.advance(days=1)
    app.erase_expired_personal_data(SCHEDULE_EVENT, None)
    stack.pump_audit()

    assert stack.deps.verifications.get(vid) is None
    chain = _chains(stack)[vid]
    assert len(chain) == events + 1 and chain[-1]["type"] == "personal_data.erased"
    assert verify_chain(chain) == []
    assert stack.deps.envelope.chains_created_on(tomorrow) == []


def test_erasure_never_deletes_an_event_appended_after_it_checked_the_chain(stack, clock, monkeypatch):
    """An auditor reads the check while the sweep is on it: that read's event is not in S3 yet."""
    vid = start(stack)
    assert stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {})[0] == 200
    stack.pump_audit()
    clock.advance(days=stack.settings.personal_data_retention_days + 1)
    outbox = stack.deps.audit_outbox
    read = outbox.chain_items

    def checked_then_read_by_an_auditor(pk):
        items = read(pk)
        if pk == f"V#{vid}":
            monkeypatch.setattr(outbox, "chain_items", read)
            assert stack.call("GET", f"/verifications/{vid}", "MP0002")[0] == 200
        return items

    monkeypatch.setattr(outbox, "chain_items", checked_then_read_by_an_auditor)
    app.erase_expired_personal_data(SCHEDULE_EVENT, None)

    assert stack.deps.verifications.get(vid) is not None
    (viewed,) = [k for k in awaiting_copy(stack) if f"/{vid}/" in k]
    assert s3_keys(stack) and viewed not in s3_keys(stack)
    stack.pump_audit()
    clock.advance(days=1)
    app.erase_expired_personal_data(SCHEDULE_EVENT, None)  # the next night: everything is in S3
    stack.pump_audit()
    assert stack.deps.verifications.get(vid) is None
    assert [e["type"] for e in _chains(stack)[vid]][-2:] == ["verification.viewed", "personal_data.erased"]


def s3_or_outbox_location(stack, vid: str):
    """The sealed location of the check's first event, read from the outbox (S3 has nothing yet)."""
    import json

    first = outbox_items(stack, f"V#{vid}")[0]
    return json.loads(first["event_json"]["S"])["data"]["location"]
