"""`Idempotency-Key` on POST /verifications (Powertools Idempotency on DynamoDB)."""

from __future__ import annotations

START = {"location": {"lat": 51.5390, "lon": -0.1426}, "area": "Camden High St"}


def _start(stack, officer="MP4721", body=START, key="retry-7f3a"):
    return stack.call("POST", "/verifications", officer, body, headers={"Idempotency-Key": key})


def test_retry_returns_the_same_201_and_sends_nothing_twice(stack):
    status, first = _start(stack)
    assert status == 201
    sms_after_first = len(stack.sms())
    assert sms_after_first == 3
    status, again = _start(stack)
    assert status == 201 and again == first
    assert len(stack.sms()) == sms_after_first
    assert len(stack.standin.meetings) == 1


def test_same_key_other_body_is_a_conflict(stack):
    assert _start(stack)[0] == 201
    status, body = _start(stack, body={**START, "area": "Kentish Town Rd"})
    assert (status, body["error"]["code"]) == (409, "idempotency_conflict")
    assert len(stack.sms()) == 3


def test_keys_are_scoped_to_the_officer(stack):
    status_a, first = _start(stack, officer="MP4721")
    status_b, second = _start(stack, officer="MP5102")
    assert (status_a, status_b) == (201, 201)
    assert first["verification_id"] != second["verification_id"]
    assert second["officer"]["officer_id"] == "MP5102"


def test_a_new_key_while_active_is_refused_with_the_active_id(stack):
    _, first = _start(stack, key="one")
    status, body = _start(stack, key="two")
    assert (status, body["error"]["code"]) == (409, "active_verification_exists")
    assert body["error"]["verification_id"] == first["verification_id"]


def test_failed_attempt_is_not_cached(stack):
    """A 403 is not stored as the key's answer: once the officer may start, the same key works."""
    status, body = _start(stack, officer="MP3390", key="k1")
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")
    person = stack.person("MP3390")
    stack.call("PUT", "/officers/MP3390", "MP0001", {
        "given_name": person.given_name, "family_name": person.family_name, "rank": person.rank,
        "status": "serving", "role": "officer",
    })
    assert _start(stack, officer="MP3390", key="k1")[0] == 201


def test_bad_keys_are_rejected(stack):
    for key in ["x" * 65, ""]:
        status, body = _start(stack, key=key)
        assert (status, body["error"]["code"]) == (400, "validation_error"), key
    assert stack.sms() == []
