"""Red team, issue 13 finding 1: refused starts flooded the control room.

Every refused start (suspended, unknown, over the hourly limit) published an alert, created a KMS
data key and started an audit chain of its own, without limit: 15 HTTP attempts gave 15 alerts in
0.7 s. Every refusal is still audited, as the next event of the caller's refusal chain of the day;
the control room hears at most once per caller and kind per 10 minutes (the alert says how many
attempts it covers), and the chain's one data key seals where the officer was each time.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import services
from chalicelib.auditing.verifier import AuditVerifier
from chalicelib.domain.audit import verify_chain
from chalicelib.domain.errors import OfficerNotServing
from tests.integration.escalation_helpers import make_dynamodb_atomic, tune
from tests.integration.helpers import officer, start_request

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
SUSPENDED = "MP3390"
CHAIN = f"refusals-met-{SUSPENDED}-2026-11-28"


def _kinds(stack, prefix: str) -> list[dict]:
    return [i for i in stack.stored_items() if i["pk"]["S"].startswith(prefix)]


def _chain(stack, chain_id: str) -> list[dict]:
    stack.pump_audit()
    events = sorted((e for k, e in stack.audit_objects().items() if k.startswith("audit/")
                     and e["verification_id"] == chain_id), key=lambda e: e["seq"])
    assert verify_chain(events) == [] and [e["seq"] for e in events] == list(range(1, len(events) + 1))
    return events


def test_fifteen_refused_starts_raise_one_alert_and_one_data_key_and_are_all_audited(stack, clock):
    stack.alerts()
    for _ in range(15):
        status, body = stack.call("POST", "/verifications", SUSPENDED, START)
        assert (status, body["error"]["code"]) == (403, "officer_not_serving")
        clock.advance(seconds=2)

    (alert,) = stack.alerts()
    assert alert["type"] == "officer_not_serving" and alert["officer_id"] == SUSPENDED
    assert (alert["attempts"], alert["previous_alert_at"]) == (1, None)
    assert alert["attempt_id"] == CHAIN and alert["audit_seq"] == 1 and alert["location"] == START["location"]
    assert len(_kinds(stack, "DATAKEY#")) == 1  # one key for the caller's day, not one per refusal
    events = _chain(stack, CHAIN)
    assert len(events) == 15 and {e["type"] for e in events} == {"officer_not_serving.attempt"}
    assert [e["data"]["alert"] for e in events] == ["raised"] + ["folded"] * 14
    for event in events:  # where the officer was, each time, under the chain's one key
        assert stack.deps.envelope.open(CHAIN, event["data"]["location"])["lat"] == 51.539
        assert stack.deps.envelope.open(CHAIN, event["data"]["area"]) == "Camden High St"

    # Ten minutes after the alert, the next refusal alerts again and reports those folded since.
    clock.advance(seconds=600 - 30)
    assert stack.call("POST", "/verifications", SUSPENDED, START)[0] == 403
    (second,) = stack.alerts()
    assert (second["attempts"], second["previous_alert_at"]) == (15, "2026-11-28T02:47:00.000Z")
    assert second["at"] == "2026-11-28T02:57:00.000Z" and second["audit_seq"] == 16
    assert _published_subjects(stack) == [
        f"Safe Connection: officer not serving - {SUSPENDED} tried to start a check",
        f"Safe Connection: officer not serving - {SUSPENDED} tried to start a check (15 attempts)"]

    # The chain is whole for `audit verify`: every event in place, hashes linked.
    stack.pump_audit()
    report = AuditVerifier(stack.session.client("s3"), stack.settings.audit_bucket, None,
                           today=clock().date()).verify("met")
    assert report.intact, [str(p) for p in report.problems]
    assert report.events == 16 and report.chains == 1


def _published_subjects(stack) -> list[str]:
    """The subjects moto's alerts topic was published with, in order."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    topic = sns_backends[DEFAULT_ACCOUNT_ID][stack.settings.region].topics[stack.settings.alerts_topic_arn]
    return [subject for _, _, subject, _, _ in topic.sent_notifications]


def test_each_kind_and_each_caller_has_its_own_window(stack, clock, monkeypatch):
    tune(stack, monkeypatch, max_starts_per_hour=1)
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "MP4721", {})[0] == 200
    stack.alerts()
    for _ in range(4):
        assert stack.call("POST", "/verifications", "MP4721", START)[0] == 429  # over the hourly limit
        assert stack.call("POST", "/verifications", SUSPENDED, START)[0] == 403
        clock.advance(seconds=30)

    alerts = stack.alerts()
    assert sorted((a["type"], a["officer_id"], a["attempts"]) for a in alerts) == [
        ("officer_not_serving", SUSPENDED, 1), ("rate_limited", "MP4721", 1)]
    assert len(_chain(stack, "refusals-met-MP4721-2026-11-28")) == 4
    assert len(_chain(stack, CHAIN)) == 4


def test_concurrent_refusals_raise_one_alert_and_extend_one_chain(stack, monkeypatch):
    make_dynamodb_atomic(stack, monkeypatch)
    stack.alerts()
    callers = 6
    barrier = threading.Barrier(callers)

    def refused() -> object:
        barrier.wait(timeout=10)
        with stack.running_as("APIHandler"):
            try:
                return services.start_verification(stack.deps, officer(SUSPENDED), start_request())
            except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
                return error

    with ThreadPoolExecutor(max_workers=callers) as pool:
        outcomes = [f.result(timeout=60) for f in [pool.submit(refused) for _ in range(callers)]]

    assert all(type(o) is OfficerNotServing for o in outcomes), outcomes
    (alert,) = stack.alerts()
    assert alert["attempts"] == 1
    events = _chain(stack, CHAIN)  # six events, seq 1..6, one linked chain: never forked
    assert len(events) == callers
    assert sorted(e["data"]["alert"] for e in events) == ["folded"] * (callers - 1) + ["raised"]
    assert len(_kinds(stack, "DATAKEY#")) == 1


def test_an_alert_that_could_not_be_sent_is_audited_and_the_next_refusal_alerts(stack, clock, monkeypatch):
    stack.alerts()
    real = stack.deps.alerts.publish
    monkeypatch.setattr(stack.deps.alerts, "publish", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("SNS down")))
    assert stack.call("POST", "/verifications", SUSPENDED, START)[0] == 403
    monkeypatch.setattr(stack.deps.alerts, "publish", real)
    clock.advance(seconds=5)
    assert stack.call("POST", "/verifications", SUSPENDED, START)[0] == 403

    (alert,) = stack.alerts()
    assert (alert["attempts"], alert["previous_alert_at"]) == (2, None)
    assert [e["type"] for e in _chain(stack, CHAIN)] == [
        "officer_not_serving.attempt", "alert.failed", "officer_not_serving.attempt"]


def test_the_registry_gate_audits_every_refusal_on_the_same_chain_without_a_data_key(stack, clock):
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201
    vid = started["verification_id"]
    record = stack.call("GET", "/officers/MP2002", "MP0001")[1]
    fields = {k: v for k, v in record.items() if k not in ("officer_id", "force", "photo_url", "updated_at")}
    assert stack.call("PUT", "/officers/MP2002", "MP0001", {**fields, "status": "suspended"})[0] == 200
    stack.alerts()
    keys = len(_kinds(stack, "DATAKEY#"))
    for _ in range(10):  # the sergeant's page keeps polling
        status, body = stack.call("GET", f"/verifications/{vid}", "MP2002")
        assert (status, body["error"]["code"]) == (403, "officer_not_serving")
        clock.advance(seconds=4)

    events = _chain(stack, "refusals-met-MP2002-2026-11-28")
    assert len(events) == 10 and {e["data"]["route"] for e in events} == {"GET /verifications/{verification_id}"}
    assert len(_kinds(stack, "DATAKEY#")) == keys and stack.alerts() == []


@pytest.mark.parametrize("force, officer_id, expected", [
    ("met", "MP3390", "refusals-met-MP3390-2026-11-28"),
    ("met", "a/b c", "refusals-met-h"),
])
def test_refusal_chain_ids_fit_an_object_key(force, officer_id, expected):
    from chalicelib.services.refusals import refusal_chain_id

    chain_id = refusal_chain_id(force, officer_id, "2026-11-28")
    assert chain_id.startswith(expected) and "/" not in chain_id and " " not in chain_id


def test_a_refusal_chain_is_erased_after_the_retention_period_like_any_other(stack, clock):
    import app
    from chalicelib.adapters.envelope import DataKeyErased

    for _ in range(3):
        assert stack.call("POST", "/verifications", SUSPENDED, START)[0] == 403
    stack.pump_audit()  # erasure waits until a chain's events are in S3
    schedule = {"version": "0", "id": "schedule", "detail-type": "Scheduled Event", "source": "aws.events",
                "account": "123456789012", "time": "2027-02-27T01:30:00Z", "region": "eu-west-2",
                "resources": [], "detail": {}}
    clock.advance(days=stack.settings.personal_data_retention_days + 1)
    app.erase_expired_personal_data(schedule, None)

    events = _chain(stack, CHAIN)
    assert [e["type"] for e in events] == ["officer_not_serving.attempt"] * 3 + ["personal_data.erased"]
    assert _kinds(stack, "DATAKEY#") == []
    stack.deps.__dict__.pop("envelope")  # a fresh container: nothing cached
    with pytest.raises(DataKeyErased):
        stack.deps.envelope.open(CHAIN, events[0]["data"]["location"])
