"""Web Push to the sergeant page (issue 17): opting in and out, a push instead of a text, the text
after all when the phone does not say it got the push, and never two texts to one sergeant.

Through the real routing and IAM-enforced roles; pushes go to the push-service stand-in, which
checks the VAPID token and decrypts each message with the device's own keys (local/push_standin.py).
"""

from __future__ import annotations

import pytest

from chalicelib.domain.push import b64url_decode
from tests.integration.escalation_helpers import START, events, types, waves

SUBSCRIBED = "MP2002"


def _start(stack, officer_id="MP4721"):
    status, body = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, body
    return body["verification_id"]


def _texted(stack) -> list[str]:
    phones = {stack.person(s).phone: s for s in ("MP2001", "MP2002", "MP2003")}
    return [phones.get(phone, phone) for phone, _ in stack.sms()]


def _registry_push(stack, officer_id):
    return stack.deps.registry.get("met", officer_id).push


def test_a_sergeant_sees_push_off_and_the_key_to_subscribe_with(stack):
    status, body = stack.call("GET", "/me/push-subscription", SUBSCRIBED)
    assert status == 200
    assert body["push"] == "off"
    key = b64url_decode(body["application_server_key"])
    assert len(key) == 65 and key[0] == 4  # an uncompressed P-256 point, as PushManager wants


def test_opting_in_stores_the_subscription_and_opting_out_removes_it(stack):
    subscription = stack.subscribe_push(SUBSCRIBED)
    stored = _registry_push(stack, SUBSCRIBED)
    assert stored is not None and stored.endpoint == subscription["endpoint"]
    assert stack.call("GET", "/me/push-subscription", SUBSCRIBED)[1]["push"] == "on"
    # Never shown by the registry API: the endpoint addresses her browser.
    status, record = stack.call("GET", f"/officers/{SUBSCRIBED}", "MP0001")
    assert status == 200 and "push" not in record and subscription["endpoint"] not in str(record)

    status, body = stack.call("DELETE", "/me/push-subscription", SUBSCRIBED)
    assert (status, body["push"]) == (200, "off")
    assert _registry_push(stack, SUBSCRIBED) is None


@pytest.mark.parametrize(("change", "field"), [
    (lambda s: {**s, "endpoint": "https://attacker.example/push/1"}, "endpoint"),
    (lambda s: {**s, "endpoint": "http://push.example.test/push/1"}, "endpoint"),
    (lambda s: {**s, "endpoint": "https://user:pw@push.example.test/push/1"}, "endpoint"),
    (lambda s: {**s, "keys": {**s["keys"], "p256dh": "A" * 87}}, "keys.p256dh"),
    (lambda s: {**s, "keys": {**s["keys"], "auth": "!" * 22}}, "keys.auth"),
    (lambda s: {**s, "keys": {"auth": s["keys"]["auth"]}}, "keys.p256dh"),
    (lambda s: {**s, "extra": 1}, "extra"),
    (lambda s: {k: v for k, v in s.items() if k != "endpoint"}, "endpoint"),
])
def test_a_bad_subscription_is_400_and_nothing_is_stored(stack, change, field):
    assert stack.push_service is not None
    body = change(stack.push_service.new_device())
    status, reply = stack.call("PUT", "/me/push-subscription", SUBSCRIBED, body)
    assert status == 400, reply
    assert reply["error"]["code"] == "validation_error"
    assert reply["error"]["message"].startswith(field)
    assert _registry_push(stack, SUBSCRIBED) is None


@pytest.mark.parametrize("caller", ["MP4721", "MP0001", "MP0003"])  # officer, admin, control room
def test_only_a_sergeant_has_a_push_subscription(stack, caller):
    assert stack.push_service is not None
    subscription = stack.push_service.new_device()
    for method, body in (("GET", None), ("PUT", subscription), ("DELETE", None)):
        status, reply = stack.call(method, "/me/push-subscription", caller, body)
        assert (status, reply["error"]["code"]) == (403, "forbidden"), (method, reply)


def test_a_subscribed_sergeant_gets_a_push_not_a_text_once_the_phone_says_so(stack, clock):
    stack.subscribe_push(SUBSCRIBED)
    vid = _start(stack)

    assert sorted(_texted(stack)) == ["MP2001", "MP2003"]
    (wave,) = waves(stack, vid)
    # Her page was open a moment ago (she subscribed on it): she is the likeliest to answer, first.
    assert wave == {"wave": 1, "recipients": [SUBSCRIBED, "MP2001", "MP2003"], "pushed": [SUBSCRIBED]}
    (message,) = stack.push_service.messages()  # decrypted by the device's own key
    assert message["verification_id"] == vid and message["sergeant"] == SUBSCRIBED
    assert message["url"] == f"https://verify.police.example/s/{vid}"
    assert "push.sent" in types(stack, vid)

    assert stack.post_push_receipts() == [202]
    clock.advance(seconds=5)
    assert stack.fire_due_timers() == ["push_fallback"]
    assert sorted(_texted(stack)) == ["MP2001", "MP2003"]  # no text for the push that arrived
    received = [e for e in events(stack, vid) if e["type"] == "push.received"]
    assert [e["data"] for e in received] == [{"sergeant": SUBSCRIBED}]

    # The push's link works as the text's does: she accepts.
    status, body = stack.call("POST", f"/verifications/{vid}/accept", SUBSCRIBED, {})
    assert status == 200, body


def test_a_phone_that_never_says_it_got_the_push_is_texted_after_the_grace_once(stack, clock):
    stack.subscribe_push(SUBSCRIBED, online=False)
    vid = _start(stack)
    assert sorted(_texted(stack)) == ["MP2001", "MP2003"]

    clock.advance(seconds=4)
    assert stack.fire_due_timers() == []  # not a second early
    clock.advance(seconds=1)
    assert stack.fire_due_timers() == ["push_fallback"]
    assert sorted(_texted(stack)) == ["MP2001", "MP2002", "MP2003"]
    fallback = [e["data"] for e in events(stack, vid) if e["type"] == "sms.sent"][-1]
    assert fallback == {"wave": 1, "recipients": [SUBSCRIBED], "reason": "push_not_received"}

    # A duplicate timer, and a receipt that comes too late, text nobody again.
    from chalicelib.domain.escalation import Timer, TimerKind
    from tests.integration.escalation_helpers import deliver

    deliver(Timer(TimerKind.PUSH_FALLBACK, vid, clock(), wave=1))
    assert len(stack.sms()) == 3


def test_a_receipt_after_acceptance_changes_nothing(stack, clock):
    stack.subscribe_push(SUBSCRIBED)
    vid = _start(stack)
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    before = types(stack, vid)
    assert stack.post_push_receipts() == [202]
    clock.advance(seconds=5)
    stack.fire_due_timers()
    assert types(stack, vid) == before and len(stack.sms()) == 2


def test_a_subscription_the_push_service_says_is_gone_is_texted_at_once_and_dropped(stack):
    subscription = stack.subscribe_push(SUBSCRIBED)
    stack.push_service.forget(subscription["endpoint"])
    vid = _start(stack)
    assert sorted(_texted(stack)) == ["MP2001", "MP2002", "MP2003"]
    failed = [e["data"] for e in events(stack, vid) if e["type"] == "push.failed"]
    assert failed == [{"wave": 1, "failed": [SUBSCRIBED], "errors": {SUBSCRIBED: "push_service_410"}}]
    reasons = [e["data"]["reason"] for e in events(stack, vid) if e["type"] == "sms.sent"]
    assert reasons == ["identity_verification_request", "push_failed"]
    assert _registry_push(stack, SUBSCRIBED) is None
    assert not stack.deps.timers.scheduled or all(t.kind.value != "push_fallback" for t in stack.deps.timers.scheduled)


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"verification_id": "x", "sergeant": SUBSCRIBED}, 400, "validation_error"),
    ({"verification_id": "x", "sergeant": SUBSCRIBED, "receipt": "A" * 43, "more": 1}, 400, "validation_error"),
    ({"verification_id": "x", "sergeant": SUBSCRIBED, "receipt": "A" * 42}, 400, "validation_error"),
    ({"verification_id": "x", "sergeant": SUBSCRIBED, "receipt": "A" * 43}, 404, "not_found"),
])
def test_a_bad_or_wrong_receipt_is_refused_and_changes_nothing(stack, body, status, code):
    stack.subscribe_push(SUBSCRIBED)
    vid = _start(stack)
    before = types(stack, vid)
    if body["verification_id"] == "x":
        body = {**body, "verification_id": vid}
    got, reply = stack.call("POST", "/push/receipts", body=body)
    assert (got, reply["error"]["code"]) == (status, code)
    assert types(stack, vid) == before


def test_one_sergeants_receipt_does_not_stand_for_another(stack):
    stack.subscribe_push(SUBSCRIBED)
    vid = _start(stack)
    (message,) = stack.push_service.messages()
    forged = {"verification_id": vid, "sergeant": "MP2001", "receipt": message["receipt"]}
    assert stack.call("POST", "/push/receipts", body=forged)[0] == 404


def test_suspending_a_sergeant_drops_their_push_subscription(stack):
    stack.subscribe_push(SUBSCRIBED)
    status, record = stack.call("GET", f"/officers/{SUBSCRIBED}", "MP0001")
    assert status == 200
    body = {k: record[k] for k in ("given_name", "family_name", "rank", "role", "phone", "photo", "duty")}
    status, reply = stack.call("PUT", f"/officers/{SUBSCRIBED}", "MP0001", {**body, "status": "suspended"})
    assert status == 200, reply
    assert _registry_push(stack, SUBSCRIBED) is None
