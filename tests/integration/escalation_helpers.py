"""Shared helpers for the escalation tests (issue 3): more sergeants, tuned timings, audit lookups."""

from __future__ import annotations

import json
import threading
from typing import Any

from chalicelib.adapters.sqs_timers import timer_to_body
from chalicelib.domain.audit import verify_chain
from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12.0}, "area": "Camden High St"}
SEEDED_MET_SERGEANTS = ["MP2001", "MP2002", "MP2003"]
EXTRA_MET_SERGEANTS = [f"MP21{n:02d}" for n in range(1, 6)]  # MP2101..MP2105
EXTRA_PHONES = {officer_id: f"+4477009005{n:02d}" for n, officer_id in enumerate(EXTRA_MET_SERGEANTS, start=1)}


def add_sergeant(stack, officer_id: str, phone: str | None, *, force: str = "met",
                 duty: Duty = Duty.AVAILABLE, status: OfficerStatus = OfficerStatus.SERVING) -> None:
    stack.deps.registry.put(RegistryRecord(
        force=force, officer_id=officer_id, given_name="Extra", family_name=f"Sergeant{officer_id[-2:]}",
        rank="PS", status=status, role=Role.SERGEANT, phone=phone, photo=f"photos/{force}/{officer_id}.png",
        duty=duty,
    ))


def add_extra_sergeants(stack) -> dict[str, str]:
    """Five more available Met sergeants, plus some who must never be texted. Returns id -> phone."""
    for officer_id, phone in EXTRA_PHONES.items():
        add_sergeant(stack, officer_id, phone)
    add_sergeant(stack, "MP2190", "+447700900590", duty=Duty.OFF_DUTY)
    add_sergeant(stack, "MP2191", "+447700900591", status=OfficerStatus.SUSPENDED)
    add_sergeant(stack, "MP2192", None)  # no phone: cannot be texted
    return {**{s: stack.person(s).phone for s in SEEDED_MET_SERGEANTS}, **EXTRA_PHONES}


def tune(stack, monkeypatch, **changes: Any) -> None:
    """Change escalation settings for one test (the deps are already built; drop the cached policy)."""
    monkeypatch.setattr(stack.deps, "settings", stack.deps.settings.model_copy(update=changes))
    stack.deps.__dict__.pop("escalation", None)


def events(stack, verification_id: str) -> list[dict[str, Any]]:
    found = stack.deps.verifications.events(verification_id)
    assert verify_chain(found) == [], "audit chain broken"
    assert [e["seq"] for e in found] == list(range(1, len(found) + 1))
    return found


def types(stack, verification_id: str) -> list[str]:
    return [e["type"] for e in events(stack, verification_id)]


def waves(stack, verification_id: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events(stack, verification_id) if e["type"] == "sergeants.notified"]


def phones_texted(stack) -> list[str]:
    return [phone for phone, _ in stack.sms()]


def sqs_event(body: str) -> dict[str, Any]:
    """An SQS event as Lambda hands it to `app.run_timers`."""
    return {"Records": [{
        "messageId": "m-1", "receiptHandle": "r-1", "body": body, "attributes": {}, "messageAttributes": {},
        "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:safe-connection-timers", "awsRegion": "eu-west-2",
    }]}


def deliver(timer) -> None:
    """Deliver one timer to the real SQS handler, as Lambda would (also used for duplicates)."""
    import app

    app.run_timers(sqs_event(timer_to_body(timer)), None)


def pending(stack, kind: str) -> list[Any]:
    return [t for t in stack.deps.timers.scheduled if t.kind.value == kind]


def make_dynamodb_atomic(stack, monkeypatch) -> None:
    """One DynamoDB API call at a time, as the real service guarantees per request (in-process moto
    is not thread-safe for TransactWriteItems; see tests/integration/test_concurrent_accept.py)."""
    client = stack.deps.dynamodb
    lock = threading.Lock()
    make_api_call = client._make_api_call

    def atomic(operation_name, api_params):
        with lock:
            return make_api_call(operation_name, api_params)

    monkeypatch.setattr(client, "_make_api_call", atomic)


def body_json(response) -> Any:
    return json.loads(response.body) if response.body else None
