"""The SMS link at 3 a.m.: sign in, accept, compare the registry photo, confirm - and what others see."""

from __future__ import annotations

import pytest

from .conftest import citizen_view, phone, screenshot, sign_in, signed_in, sms_link_for, start_by_api

pytestmark = pytest.mark.e2e


def test_sergeant_confirms_from_the_sms_link_and_the_citizen_sees_it_without_javascript(browser, stack):
    started = start_by_api(stack, "MP4721")
    link = sms_link_for(stack, "MP2001", started["verification_id"])
    assert link.startswith(stack.api + "/s/")

    sergeant = phone(browser, stack)
    page = sergeant.new_page()
    page.goto(link)
    page.wait_for_selector("#sign-in:not([hidden])")
    screenshot(page, "sergeant-sign-in")
    sign_in(page, stack, "MP2001")

    page.wait_for_selector("#request:not([hidden])")
    assert page.text_content("#officer-name") == "PC Sam Jones (MP4721)"
    assert page.text_content("#where") == "Camden High St"
    assert "openstreetmap.org/?mlat=51.539" in page.get_attribute("#map-link", "href")
    assert page.text_content("#reference") == started["reference"]
    assert page.text_content("#request-status") == "Waiting for a sergeant"
    screenshot(page, "sergeant-request")

    page.click("#accept")
    page.wait_for_selector("#call:not([hidden])")
    # The registry's photo (not the officer's own) has loaded beside the video.
    page.wait_for_function("() => document.querySelector('#registry-photo').naturalWidth > 0")
    assert "PC Sam Jones (MP4721)" in page.text_content("#registry-caption")
    assert page.is_visible("#video-banner")
    # The Chime SDK's device controller is previewing the (fake) camera.
    page.wait_for_function("() => document.querySelector('#local-video').videoWidth > 0")
    screenshot(page, "sergeant-call")

    # A second sergeant opening the same link sees it was taken, by whom, and nothing to press.
    other, late = signed_in(browser, stack, sms_link_for(stack, "MP2002", started["verification_id"]), "MP2002")
    late.wait_for_selector("#taken:not([hidden])")
    assert late.text_content("#taken").startswith("Already taken by PS Patel")
    assert not late.is_visible("#accept")
    screenshot(late, "sergeant-already-taken")
    other.close()

    page.fill("#note", "Matches registry photo")
    page.click("#confirm")
    page.wait_for_selector("#done:not([hidden])")
    assert page.text_content("#done-title") == "Confirmed: PC Sam Jones (MP4721)"
    assert sergeant.csp_violations == []
    sergeant.close()

    citizen, view = citizen_view(browser, stack, started["citizen_url"])
    assert view.text_content(".status") == "Confirmed police officer"
    assert "PS Patel (MP2001)" in view.text_content(".officer")
    assert "Matches registry photo" not in view.content()  # notes never reach the citizen
    screenshot(view, "citizen-confirmed")
    citizen.close()

    status, body = stack.call("GET", f"/verifications/{started['verification_id']}", "MP4721")
    assert status == 200 and body["status"] == "confirmed" and body["sergeant"]["officer_id"] == "MP2001"


def test_cannot_confirm_sends_the_citizen_to_999(browser, stack):
    started = start_by_api(stack, "MP5102")
    sergeant, page = signed_in(browser, stack, sms_link_for(stack, "MP2003", started["verification_id"]), "MP2003")
    page.click("#accept")
    page.wait_for_selector("#call:not([hidden])")
    page.click("#deny")
    page.wait_for_selector("#done:not([hidden])")
    assert "The control room has been alerted" in page.text_content("#done-title")
    sergeant.close()

    citizen, view = citizen_view(browser, stack, started["citizen_url"])
    assert view.text_content(".status") == "NOT confirmed"
    assert "Call 999 now" in view.text_content(".advice")
    screenshot(view, "citizen-not-confirmed")
    citizen.close()
    alerts = stack.alerts_for(started["verification_id"], wait_seconds=2)
    assert [a["type"] for a in alerts] == ["verification_not_confirmed"]


def test_an_officer_cannot_use_the_sergeant_page(browser, stack):
    context, page = signed_in(browser, stack, "/s/an-sms-link", "MP4721")
    page.wait_for_selector("#sign-in-error:has-text('This page is for sergeants')")
    assert page.evaluate("() => sessionStorage.length") == 0
    context.close()


def test_wrong_password_is_told_plainly(browser, stack):
    context = phone(browser, stack)
    page = context.new_page()
    page.goto("/s/anything")
    page.fill("#username", "mp2001")
    page.fill("#password", "not-the-password")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('Wrong username or password.')")
    context.close()


def test_an_off_duty_sergeant_is_told_why_accept_did_not_work(browser, stack):
    started = start_by_api(stack, "WP1187", area="Devizes")
    context, page = signed_in(browser, stack, f"/s/{started['verification_id']}", "WP3004")  # off duty
    page.click("#accept")
    page.wait_for_selector("#error:has-text('You are not on duty as available')")
    assert page.is_visible("#request") and not page.is_visible("#call")
    context.close()
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "WP1187", {})[0] == 200
