"""Requests on this phone (Web Push, issue 17): the sergeant turns notifications on and off on her
page, and the page's service worker shows a pushed request and posts its receipt to the API.

Headless Chromium reaches no browser vendor's push service, so `PushManager.subscribe` is replaced
(before the page loads) by one giving a subscription at the local stack's push-service stand-in,
with keys made here: everything from the page's button to the registry is real. A push is handed to
the registered service worker through the DevTools protocol, as Chromium's own push service would.
"""

from __future__ import annotations

import base64
import json
import os
import secrets

import pytest

from .conftest import axe_violations, phone, screenshot, serious, sign_in, sms_link_for, start_by_api

pytestmark = pytest.mark.e2e

OFF_BUTTON = "Get requests as notifications on this phone"
NOT_AT_A_PUSH_SERVICE = "https://push.attacker.example/push/1"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def device_subscription(stack, endpoint: str | None = None) -> dict:
    """What `PushSubscription.toJSON()` gives on a phone subscribed at the stand-in (its own keys)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {
        "endpoint": endpoint or f"{stack.details['push_service_url']}/push/{secrets.token_urlsafe(16)}",
        "expirationTime": None,
        "keys": {"p256dh": _b64url(point), "auth": _b64url(os.urandom(16))},
    }


# The browser's push subscription, as Chromium would give it had it a push service to reach: kept
# in localStorage so a reloaded page finds it (getSubscription), gone once unsubscribed.
FAKE_PUSH_MANAGER = """
(() => {
  const subscription = %s;
  const stored = 'test.push-subscribed';
  const made = () => ({
    endpoint: subscription.endpoint,
    toJSON: () => subscription,
    unsubscribe: async () => { localStorage.removeItem(stored); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    window.pushSubscribeOptions = { userVisibleOnly: options.userVisibleOnly, keyLength: key.length, first: key[0] };
    localStorage.setItem(stored, '1');
    return made();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem(stored) ? made() : null;
  };
})();
"""


def push_phone(browser, stack, subscription: dict, *, allow_notifications: bool = True):
    context = phone(browser, stack)
    if allow_notifications:
        context.grant_permissions(["notifications"], origin=stack.api)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
    return context


def open_request(context, stack, sergeant_id: str, verification_id: str):
    page = context.new_page()
    page.goto(sms_link_for(stack, sergeant_id, verification_id))
    sign_in(page, stack, sergeant_id)
    page.wait_for_selector("#request:not([hidden])")
    page.wait_for_selector("#push:not([hidden])")
    return page


def _push_state(stack, sergeant_id: str) -> str:
    status, body = stack.call("GET", "/me/push-subscription", sergeant_id)
    assert status == 200, body
    return body["push"]


def test_a_sergeant_turns_notifications_on_and_off_for_this_phone(browser, stack):
    started = start_by_api(stack, "MP4721")
    subscription = device_subscription(stack)
    context = push_phone(browser, stack, subscription)
    page = open_request(context, stack, "MP2002", started["verification_id"])
    assert page.text_content("#push-title") == "Requests on this phone"
    assert page.text_content("#push-toggle") == OFF_BUTTON
    assert "you still get the text" in page.text_content("#push-explain")
    assert page.text_content("#push-status") == ""
    assert _push_state(stack, "MP2002") == "off"

    page.click("#push-toggle")
    page.wait_for_selector("#push-status:has-text('Notifications are on for this phone.')")
    assert page.text_content("#push-toggle") == "Turn off" and not page.is_visible("#push-explain")
    assert _push_state(stack, "MP2002") == "on"
    # Subscribed as Web Push requires: every push shown, to the service's P-256 key (65 bytes, 0x04 first).
    assert page.evaluate("() => window.pushSubscribeOptions") == {"userVisibleOnly": True, "keyLength": 65,
                                                                    "first": 4}
    # The service worker lives under /static/ but controls the sergeant's pages (Service-Worker-Allowed).
    worker = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration('/s/');
        return { scope: registration.scope, script: registration.active.scriptURL };
    }""")
    assert worker == {"scope": f"{stack.api}/s/", "script": f"{stack.api}/static/sergeant-sw.js"}
    # The request itself is untouched beside it.
    assert page.is_visible("#accept") and page.text_content("#request-status") == "Waiting for a sergeant"
    assert serious(axe_violations(page)) == []
    page.locator("#push").scroll_into_view_if_needed()
    screenshot(page, "sergeant-push-on")

    # Reopened later (the token is still in this tab): still on for this phone.
    page.reload()
    page.wait_for_selector("#push-status:has-text('Notifications are on for this phone.')")

    page.click("#push-toggle")
    page.wait_for_selector("#push-status:has-text('Notifications are off for this phone.')")
    assert page.text_content("#push-toggle") == OFF_BUTTON and page.is_visible("#push-explain")
    assert _push_state(stack, "MP2002") == "off"
    assert page.evaluate("() => localStorage.getItem('test.push-subscribed')") is None  # unsubscribed too
    assert serious(axe_violations(page)) == []
    assert context.csp_violations == []
    context.close()
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "MP4721", {})[0] == 200


def test_when_notifications_cannot_be_turned_on_the_sergeant_is_told_texts_continue(browser, stack):
    started = start_by_api(stack, "MP5102")
    # Not allowed by the browser: nothing is subscribed, nothing stored.
    context = push_phone(browser, stack, device_subscription(stack), allow_notifications=False)
    page = open_request(context, stack, "MP2001", started["verification_id"])
    page.click("#push-toggle")
    page.wait_for_selector("#push-status:has-text('requests still come by text')")
    assert page.evaluate("() => window.pushSubscribeOptions") is None
    assert _push_state(stack, "MP2001") == "off"
    context.close()

    # A subscription the API refuses (not at a browser's push service): said plainly, button still usable.
    context = push_phone(browser, stack, device_subscription(stack, NOT_AT_A_PUSH_SERVICE))
    page = open_request(context, stack, "MP2001", started["verification_id"])
    page.click("#push-toggle")
    failed = "This browser could not turn on notifications. You will still get texts."
    page.wait_for_selector(f"#push-status:has-text('{failed}')")
    assert page.is_enabled("#push-toggle") and page.text_content("#push-toggle") == OFF_BUTTON
    assert _push_state(stack, "MP2001") == "off"
    assert context.csp_violations == []
    context.close()
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "MP5102", {})[0] == 200


def test_the_service_worker_shows_a_pushed_request_and_posts_its_receipt(browser, stack):
    started = start_by_api(stack, "MP4721", area="Kentish Town")
    vid = started["verification_id"]
    context = push_phone(browser, stack, device_subscription(stack))
    page = open_request(context, stack, "MP2003", vid)
    page.click("#push-toggle")
    page.wait_for_selector("#push-status:has-text('Notifications are on for this phone.')")

    cdp = context.new_cdp_session(page)
    registrations: dict[str, str] = {}

    def updated(event):
        for registration in event["registrations"]:
            if not registration["isDeleted"]:
                registrations[registration["scopeURL"]] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    cdp.send("ServiceWorker.enable")
    for _ in range(150):  # the protocol reports the registrations it knows at once: within 15 s
        if f"{stack.api}/s/" in registrations:
            break
        page.wait_for_timeout(100)
    registration_id = registrations[f"{stack.api}/s/"]

    # What the app's push carries (domain/push.py's push_message), but with a receipt the API never
    # issued: the real one is an HMAC under the service's key, which only the encrypted push holds.
    message = {"title": "ID check request", "body": "PC Sam Jones (MP4721) at Kentish Town",
               "url": f"{stack.api}/s/{vid}", "verification_id": vid, "sergeant": "MP2003", "receipt": "A" * 43}
    with context.expect_event("request", lambda r: r.url == f"{stack.api}/push/receipts",
                              timeout=15_000) as posted:
        cdp.send("ServiceWorker.deliverPushMessage",
                 {"origin": stack.api, "registrationId": registration_id, "data": json.dumps(message)})
    receipt = posted.value
    assert receipt.method == "POST" and receipt.headers["content-type"] == "application/json"
    assert receipt.post_data_json == {"verification_id": vid, "sergeant": "MP2003", "receipt": "A" * 43}
    response = receipt.response()
    assert response is not None and response.status == 404  # refused: not a receipt this service issued

    # It was shown before the receipt went: one notification for this check, opening its page.
    shown = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration('/s/');
        return (await registration.getNotifications()).map(n => ({
            title: n.title, body: n.body, tag: n.tag, url: n.data.url, requireInteraction: n.requireInteraction }));
    }""")
    assert shown == [{"title": message["title"], "body": message["body"], "tag": vid, "url": message["url"],
                      "requireInteraction": True}]
    # A click on it (focus this page, or open the link) cannot be made headless: not tested here.

    # Notifications no longer allowed (she blocked them in the settings): the push cannot be shown,
    # so no receipt goes, and the text follows after the grace as for a phone that is off.
    receipts: list[str] = []
    context.on("request", lambda r: r.url.endswith("/push/receipts") and receipts.append(r.url))
    context.clear_permissions()
    assert page.evaluate("() => Notification.permission") != "granted"
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": stack.api, "registrationId": registration_id,
                                                  "data": json.dumps({**message, "body": "Not shown"})})
    page.wait_for_timeout(3000)
    assert receipts == []

    status, view = stack.call("GET", f"/verifications/{vid}", "MP4721")
    assert status == 200 and view["status"] == "awaiting_sergeant"
    assert context.csp_violations == []
    cdp.detach()
    context.close()
    assert stack.call("DELETE", "/me/push-subscription", "MP2003")[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {})[0] == 200
