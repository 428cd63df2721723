"""Abuse limits (issue 3 §7): at most N starts per officer per hour (429, nothing sent, audited,
alerted), and the public view rate-limited per client address (stored only as a hash)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib import services
from chalicelib.domain.errors import NotFound, RateLimited
from chalicelib.domain.references import ALPHABET
from tests.integration.escalation_helpers import START, body_json, tune
from tests.integration.helpers import officer, start_request


def _start_and_cancel(stack, officer_id="MP4721"):
    status, body = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, body
    assert stack.call("POST", f"/verifications/{body['verification_id']}/cancel", officer_id, {})[0] == 200
    return body["verification_id"]


def _post_start(stack, officer_id="MP4721"):
    headers = {**stack.headers(officer_id), "Content-Type": "application/json"}
    return stack.client.http.post("/verifications", headers=headers, body=json.dumps(START))


def _verification_items(stack):
    return {i["pk"]["S"] for i in stack.stored_items() if i["pk"]["S"].startswith("V#") and i["sk"]["S"] == "META"}


def test_the_seventh_start_in_an_hour_is_429_sends_nothing_and_is_audited_and_alerted(stack, clock):
    first_start = clock()
    for _ in range(6):
        _start_and_cancel(stack)
        clock.advance(minutes=1)
    stack.alerts()
    sms, meetings, stored = len(stack.sms()), dict(stack.standin.meetings), _verification_items(stack)
    timers = list(stack.deps.timers.scheduled)
    assert sms == 18 and len(meetings) == 6 and len(stored) == 6

    response = _post_start(stack)  # +6 min

    assert response.status_code == 429
    error = body_json(response)["error"]
    assert error["code"] == "rate_limited" and "radio" in error["message"]
    # The oldest start frees up at +60 min, 54 minutes from now (rounded up by a second).
    assert response.headers["Retry-After"] == str(54 * 60 + 1)
    assert len(stack.sms()) == sms and stack.standin.meetings == meetings
    assert _verification_items(stack) == stored
    assert stack.deps.verifications.active_verification_id("met", "MP4721") is None
    assert stack.deps.timers.scheduled == timers  # no timers armed either

    (alert,) = stack.alerts()
    assert alert["type"] == "rate_limited" and alert["force"] == "met" and alert["officer_id"] == "MP4721"
    assert alert["starts_in_last_hour"] == 6 and alert["limit"] == 6
    assert alert["location"] == START["location"] and alert["at"] == "2026-11-28T02:53:00.000Z"

    stack.pump_audit()
    limited = [e for e in stack.audit_objects().values() if e["type"] == "verification.rate_limited"]
    assert len(limited) == 1
    (event,) = limited
    assert event["actor"] == {"role": "officer", "officer_id": "MP4721"} and event["seq"] == 1
    assert event["data"]["starts_in_last_hour"] == 6 and event["data"]["limit"] == 6
    assert event["verification_id"] == alert["attempt_id"]

    # Another officer is not limited by MP4721's starts.
    _start_and_cancel(stack, "MP5102")

    # One second before the first start is an hour old: still limited. At the hour: allowed again.
    clock.advance(seconds=54 * 60 - 1)
    assert _post_start(stack).status_code == 429
    clock.advance(seconds=1)
    assert clock() - first_start == timedelta(hours=1)
    response = _post_start(stack)
    assert response.status_code == 201, response.body
    # And the window slides: the next start frees a minute later.
    assert stack.call("POST", f"/verifications/{body_json(response)['verification_id']}/cancel", "MP4721", {})[0] == 200
    assert _post_start(stack).status_code == 429


def test_the_hourly_limit_is_configurable(stack, clock, monkeypatch):
    tune(stack, monkeypatch, max_starts_per_hour=2)
    for _ in range(2):
        services.cancel_verification(
            stack.deps,
            officer(),
            services.start_verification(stack.deps, officer(), start_request()).verification.verification_id,
        )
    texts = len(stack.sms())
    with pytest.raises(RateLimited) as raised:
        services.start_verification(stack.deps, officer(), start_request())
    assert raised.value.code == "rate_limited" and raised.value.retry_after == 3601
    assert len(stack.sms()) == texts
    assert [a["type"] for a in stack.alerts()] == ["rate_limited"]


# ---- the public view ---------------------------------------------------------------------------


def test_public_look_ups_that_miss_are_limited_per_client_address_per_minute(stack, clock):
    """SPEC §7.4: lookups of unknown references stay limited (a real one watched is not: see
    tests/api/test_public_lookup_limits.py)."""
    reference = services.start_verification(stack.deps, officer(), start_request()).verification.reference
    clock.advance(seconds=5)  # within one fixed one-minute window
    limit = stack.settings.public_views_per_minute
    assert limit == 30
    guesses = [f"SC-{symbol * 3}-222-222" for symbol in ALPHABET[:limit]]

    for guess in guesses:  # well-formed, unknown
        with pytest.raises(NotFound):
            services.public_view(stack.deps, guess, client_address="203.0.113.7")
    with pytest.raises(RateLimited) as raised:
        services.public_view(stack.deps, "SC-AAA-BBB-CCC", client_address="203.0.113.7")
    assert raised.value.retry_after == 60
    with pytest.raises(RateLimited):  # malformed ones are misses too
        services.public_view(stack.deps, "SC-AAAA-BBBB", client_address="203.0.113.7")
    # Over its budget the address finds nothing new: a real reference it never found is refused too,
    # or a guesser could still tell hits from refusals.
    with pytest.raises(RateLimited):
        services.public_view(stack.deps, reference, client_address="203.0.113.7")

    # Another address is counted on its own.
    shown = services.public_view(stack.deps, reference, client_address="198.51.100.23")
    assert shown.verification.reference == reference

    # The next minute, the first address may look again.
    clock.advance(seconds=55)
    assert services.public_view(stack.deps, reference, client_address="203.0.113.7").verification.reference == reference

    # Only a keyed pseudonym of the address is stored, and it expires.
    dynamodb = stack.session.client("dynamodb")
    items = dynamodb.scan(TableName=stack.settings.idempotency_table)["Items"]
    counters = [i for i in items if i["id"]["S"].startswith("ratelimit#")]
    assert counters and "203.0.113.7" not in json.dumps(items) and "198.51.100.23" not in json.dumps(items)
    assert reference not in json.dumps(items)
    hashed = stack.deps.client_address_keys.address("203.0.113.7")
    mine = sorted((i for i in counters if hashed in i["id"]["S"]), key=lambda i: i["id"]["S"])
    assert [int(i["hits"]["N"]) for i in mine] == [limit]  # the refused look-ups counted nothing
    now = int(clock().timestamp())
    assert all(now < int(i["expiration"]["N"]) <= now + 180 for i in mine)


def test_public_misses_over_http_are_429_with_retry_after(stack):
    services.start_verification(stack.deps, officer(), start_request())
    for _ in range(stack.settings.public_views_per_minute):
        assert stack.client.http.get("/public/verifications/SC-222-222-222").status_code == 404

    response = stack.client.http.get("/public/verifications/SC-333-333-333")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert body_json(response)["error"]["code"] == "rate_limited"
