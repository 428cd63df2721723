"""Issue 15 in the browser: a call that degrades is said so and falls back to audio; a call that
cannot be joined shows the radio route; a radio confirmation reaches the citizen's page.

The local stack simulates video (no media servers), so the test plays the Chime SDK's part: it calls
the observer the page registered (kept on `window.safeConnectionCallObserver` only when video is
simulated) exactly as the SDK would call it on a real call.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.local.seed import DEMO_PASSWORD
from chalicelib.local.sign_in import enrol_totp, sign_in

from ..conftest import onboard_person
from .conftest import citizen_view, screenshot, signed_in, sms_link_for, start_by_api

pytestmark = pytest.mark.e2e

OBSERVER = "window.safeConnectionCallObserver"


def _sdk(page, call: str) -> None:
    page.evaluate(f"() => {OBSERVER}.{call}")


def _status(page) -> str:
    return page.text_content("#call-status") or ""


def test_a_poor_connection_switches_the_sergeant_to_audio_and_the_decision_says_audio(browser, stack):
    started = start_by_api(stack, "MP4721")
    vid = started["verification_id"]
    context, page = signed_in(browser, stack, sms_link_for(stack, "MP2001", vid), "MP2001")
    page.click("#accept")
    page.wait_for_selector("#call:not([hidden])")
    page.wait_for_function("() => document.querySelector('#local-video').videoWidth > 0")
    page.wait_for_function(f"() => typeof {OBSERVER} === 'object'")
    assert _status(page) == "Connected."
    assert not page.is_visible("#audio-only")

    _sdk(page, "connectionDidBecomePoor()")
    page.wait_for_selector("#call-status:has-text('Poor connection.')")
    assert "Your video is paused to keep the sound" in _status(page)
    assert page.is_visible("#audio-only")
    # Our own video is no longer sent (the preview stopped); the call itself goes on.
    page.wait_for_function("() => !document.querySelector('#local-video').srcObject")
    screenshot(page, "sergeant-call-poor-connection")

    _sdk(page, "connectionDidBecomeGood()")
    page.wait_for_selector("#call-status:has-text('Connection good again')")
    assert not page.is_visible("#audio-only")
    _sdk(page, "audioVideoDidStartConnecting(true)")
    page.wait_for_selector("#call-status:has-text('reconnecting')")
    _sdk(page, "audioVideoDidStart()")
    page.wait_for_selector("#call-status:text-is('Connected.')")

    _sdk(page, "connectionDidBecomePoor()")
    page.click("#audio-only")
    page.wait_for_selector("#call-status:has-text('Audio only')")
    assert not page.is_visible("#audio-only")
    _sdk(page, "connectionDidBecomeGood()")  # recovering does not bring video back unasked
    page.wait_for_selector("#call-status:has-text('stays audio only')")

    page.click("#confirm")
    page.wait_for_selector("#done:not([hidden])")
    assert "by audio call" in page.text_content("#done-detail")
    assert context.csp_violations == []
    context.close()

    status, body = stack.call("GET", f"/verifications/{vid}", "MP4721")
    assert status == 200 and (body["status"], body["method"]) == ("confirmed", "audio")
    assert body["decided_by"]["officer_id"] == "MP2001"
    citizen, view = citizen_view(browser, stack, started["citizen_url"])
    assert view.text_content(".method") == "Confirmed by a sergeant by audio call."
    citizen.close()


def test_a_good_call_is_decided_as_video(browser, stack):
    started = start_by_api(stack, "MP5102")
    vid = started["verification_id"]
    context, page = signed_in(browser, stack, sms_link_for(stack, "MP2002", vid), "MP2002")
    page.click("#accept")
    page.wait_for_function(f"() => typeof {OBSERVER} === 'object'")
    page.click("#deny")
    page.wait_for_selector("#done:not([hidden])")
    context.close()
    assert stack.call("GET", f"/verifications/{vid}", "MP5102")[1]["method"] == "video"


def _control_room_token(stack, force: str, officer_id: str) -> str:
    """A control-room operator onboarded by `registry import`, her password set and TOTP enrolled."""
    onboard_person(stack, force=force, officer_id=officer_id, role="control_room", rank="PC",
                   given_name="Tariq", family_name="Osei")
    cognito, client_id = stack.client("cognito-idp"), stack.details["cognito"]["client_id"]
    username = officer_id.lower()
    cognito.admin_set_user_password(UserPoolId=stack.details["cognito"]["user_pool_id"], Username=username,
                                    Password=DEMO_PASSWORD, Permanent=True)
    secret = enrol_totp(cognito, client_id, username, DEMO_PASSWORD)
    return sign_in(cognito, client_id, username, DEMO_PASSWORD, secret)["IdToken"]


def test_no_call_shows_the_radio_route_and_the_control_rooms_confirmation_reaches_everyone(browser, stack):
    started = start_by_api(stack, "WP1187", area="Devizes")
    vid = started["verification_id"]
    context, page = signed_in(browser, stack, sms_link_for(stack, "WP3001", vid), "WP3001")

    def no_meeting(route):  # the join fails (Chime down): the API answers `meeting: null`
        response = route.fetch()
        body = response.json()
        body["meeting"] = None
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/verifications/*/accept", no_meeting)
    page.click("#accept")
    page.wait_for_selector("#radio-route:not([hidden])")
    assert page.text_content("#radio-call-sign") == "PC WP1187"
    route_text = page.text_content("#radio-route")
    assert "Call the officer on the radio: call sign PC WP1187" in route_text
    assert "ask the control room to confirm them by radio" in route_text
    screenshot(page, "sergeant-no-call-radio-route")

    # Not the Met's control room: Wiltshire's check is not theirs to see.
    met_token = _control_room_token(stack, "met", "MP7101")
    status, body = stack.call("POST", f"/verifications/{vid}/radio-confirmation", body={"outcome": "confirmed"},
                              headers={"Authorization": f"Bearer {met_token}"})
    assert status == 404 and body["error"]["code"] == "not_found"

    token = _control_room_token(stack, "wiltshire", "WP7101")
    status, body = stack.call("POST", f"/verifications/{vid}/radio-confirmation",
                              body={"outcome": "confirmed", "note": "Answered on channel 2"},
                              headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and (body["status"], body["method"]) == ("confirmed", "radio"), body
    assert body["sergeant"]["officer_id"] == "WP3001" and body["decided_by"]["officer_id"] == "WP7101"

    # The sergeant's page (no call, so it keeps polling) shows who decided, and how.
    page.wait_for_selector("#done:not([hidden])")
    assert "by the control room (PC Osei) by radio" in page.text_content("#done-detail")
    assert context.csp_violations == []
    context.close()

    citizen, view = citizen_view(browser, stack, started["citizen_url"])
    assert view.text_content(".status") == "Confirmed police officer"
    assert "PC Osei (WP7101)" in view.text_content(".officer")
    assert view.text_content(".method") == "Confirmed by the control room by radio."
    assert "channel 2" not in view.content() and "Tariq" not in view.content()
    screenshot(view, "citizen-confirmed-by-radio")
    view.goto(started["citizen_url"] + "?lang=cy")
    assert view.text_content(".method") == "Wedi'i gadarnhau gan yr ystafell reoli drwy radio."
    citizen.close()


def test_the_officers_page_says_when_the_call_degrades_and_can_go_audio_only(browser, stack):
    context, page = signed_in(browser, stack, "/o", "WP1450")
    page.wait_for_selector("#start:not([hidden])")
    page.click("#start-button")
    page.wait_for_selector("#active:not([hidden])")
    page.wait_for_function(f"() => typeof {OBSERVER} === 'object'")

    _sdk(page, "connectionDidBecomePoor()")
    page.wait_for_selector("#call-status:has-text('Poor connection.')")
    page.wait_for_function("() => !document.querySelector('#local-video').srcObject")
    page.click("#audio-only")
    page.wait_for_selector("#call-status:has-text('Audio only')")
    _sdk(page, "audioVideoDidStartConnecting(true)")
    page.wait_for_selector("#call-status:has-text('reconnecting')")
    page.click("#cancel")
    page.wait_for_selector("#new-check:not([hidden])")
    assert context.csp_violations == []
    context.close()


def test_no_video_from_the_other_side_for_10_seconds_is_said_so(browser, stack):
    started = start_by_api(stack, "WP1187", area="Devizes")
    context, page = signed_in(browser, stack, sms_link_for(stack, "WP3002", started["verification_id"]), "WP3002")
    page.click("#accept")
    page.wait_for_function(f"() => typeof {OBSERVER} === 'object'")
    # The officer's video arrives, then stops arriving (as the SDK reports a tile, then its removal).
    _sdk(page, "videoTileDidUpdate({tileId: 7, boundAttendeeId: 'officer', localTile: false, isContent: false})")
    _sdk(page, "videoTileWasRemoved(7)")
    page.wait_for_timeout(3_000)
    assert "No video" not in _status(page)  # not before 10 s
    page.wait_for_selector("#call-status:has-text('No video from the other side for 10 seconds.')",
                           timeout=12_000)
    assert page.is_visible("#audio-only")
    page.click("#audio-only")
    page.click("#confirm")
    page.wait_for_selector("#done:not([hidden])")
    context.close()
    assert stack.call("GET", f"/verifications/{started['verification_id']}", "WP1187")[1]["method"] == "audio"
