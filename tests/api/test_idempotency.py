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
        "status": "serving", "role": "officer", "phone": person.phone,
        "photo": "photos/met/MP3390.png", "duty": None,
    })
    assert _start(stack, officer="MP3390", key="k1")[0] == 201


def test_bad_keys_are_rejected(stack):
    for key in ["x" * 65, ""]:
        status, body = _start(stack, key=key)
        assert (status, body["error"]["code"]) == (400, "validation_error"), key
    assert stack.sms() == []


def test_the_stored_record_holds_only_the_verification_id(stack):
    """Red team (issue 13, finding 8): the table is plain text, so it keeps no location, area or join token."""
    import json

    status, first = _start(stack)
    assert status == 201
    items = [i for i in stack.session.client("dynamodb").scan(TableName=stack.settings.idempotency_table)["Items"]
             if "data" in i]
    assert len(items) == 1, items
    stored = json.dumps(items[0])
    for secret in ("51.539", "-0.1426", "Camden High St", first["meeting"]["Attendee"]["JoinToken"],
                   first["reference"], first["citizen_url"], "Jones"):
        assert secret not in stored, secret
    assert json.loads(items[0]["data"]["S"]) == {"verification_id": first["verification_id"]}


def test_a_retry_rebuilds_the_answer_from_the_verification(stack):
    """The replay is the same check, as it stands now, with the officer's own attendee (Chime hands
    back the existing attendee for the same ExternalUserId), in the 201 shape of the first answer."""
    status, first = _start(stack)
    assert status == 201
    vid = first["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    status, again = _start(stack)
    assert status == 201
    assert set(again) == set(first)
    assert {k: again[k] for k in ("verification_id", "reference", "citizen_url", "created_at")} == {
        k: first[k] for k in ("verification_id", "reference", "citizen_url", "created_at")}
    assert again["status"] == "connected" and again["sergeant"]["officer_id"] == "MP2001"
    assert again["meeting"] == first["meeting"]  # the same meeting and the officer's same attendee
    assert len(stack.sms()) == 3 and len(stack.standin.meetings) == 1


def test_a_retry_after_the_check_ended_says_so_without_a_meeting(stack):
    _, first = _start(stack)
    vid = first["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {})[0] == 200
    status, again = _start(stack)
    assert status == 201 and again["verification_id"] == vid
    assert again["status"] == "cancelled" and again["meeting"] is None
