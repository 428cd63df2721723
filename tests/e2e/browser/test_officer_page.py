"""The officer's page: start (position, or the area typed by hand), the reference and the force site's
address as text (no QR code, no link for the citizen: SPEC §7.4), live status, cancel."""

from __future__ import annotations

import re

import pytest

from .conftest import screenshot, signed_in

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"^SC-[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}$")


def _nothing_for_her_to_open(page) -> None:
    """No QR code (canvas, image or SVG) and no link to the citizen pages anywhere on the page."""
    assert page.locator("canvas, svg, #active img").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert not [href for href in hrefs if "/v/" in href or "verify" in href], hrefs
    assert "/v/" not in page.text_content("#active")


def test_the_officer_bundle_draws_no_qr_code(stack):
    import urllib.request

    def bundle(name: str) -> str:
        with urllib.request.urlopen(f"{stack.api}/static/{name}.js", timeout=15) as response:
            return response.read().decode()

    officer, sergeant = bundle("officer"), bundle("sergeant")
    assert "qrcode" not in officer.lower()
    # Both carry the QR library only for the staff's own authenticator setup at first sign-in
    # (frontend/src/auth.js); the officer page's own code adds no drawing call of its own.
    for call in ("toCanvas", "toDataURL"):
        assert officer.count(call) <= sergeant.count(call), call


def test_officer_starts_sees_reference_and_the_site_as_text_then_cancels(browser, stack):
    context, page = signed_in(browser, stack, "/o", "MP4721")
    page.wait_for_selector("#start:not([hidden])")
    screenshot(page, "officer-start")
    page.click("#start-button")

    page.wait_for_selector("#active:not([hidden])")
    reference = page.text_content("#reference")
    assert REFERENCE.match(reference), reference
    site = stack.api.removeprefix("http://") + "/verify"  # the local stack's host; the force's domain in AWS
    assert page.text_content("#citizen-site") == site
    assert f"go to {site} on her own phone" in page.text_content("#active")
    _nothing_for_her_to_open(page)
    assert page.text_content("#live-status") == "Waiting for a sergeant"
    page.wait_for_function("() => document.querySelector('#local-video').videoWidth > 0")
    screenshot(page, "officer-active")

    # The position came from the phone (granted), not typed; the API agrees on what was started.
    _, listed = stack.call("GET", "/verifications?status=awaiting_sergeant", "MP2001")
    mine = next(v for v in listed["items"] if v["reference"] == reference)
    assert mine["location"]["lat"] == pytest.approx(51.539) and mine["officer"]["officer_id"] == "MP4721"

    # A sergeant accepting shows up live on the officer's phone.
    assert stack.call("POST", f"/verifications/{mine['verification_id']}/accept", "MP2002", {})[0] == 200
    page.wait_for_selector("#live-status:has-text('Sergeant on the call')")

    page.click("#cancel")
    page.wait_for_selector("#live-status:has-text('Cancelled')")
    assert page.is_visible("#new-check") and not page.is_visible("#cancel")
    _, body = stack.call("GET", f"/verifications/{mine['verification_id']}", "MP4721")
    assert body["status"] == "cancelled"
    screenshot(page, "officer-cancelled")

    # After a reload the page still knows the check (sessionStorage), then a new one can start.
    page.reload()
    page.wait_for_selector("#live-status:has-text('Cancelled')")
    page.click("#new-check")
    page.wait_for_selector("#start:not([hidden])")
    assert context.csp_violations == []
    context.close()


def test_without_a_position_the_officer_types_the_area(browser, stack):
    # The officer refused the position prompt.
    context, page = signed_in(browser, stack, "/o", "MP5102", located=False)
    page.click("#start-button")
    page.wait_for_selector("#location-note:not([hidden])")
    assert "Type the area" in page.text_content("#location-note")
    assert not page.is_visible("#active")

    page.fill("#area", "Kentish Town Rd")
    page.click("#start-button")
    page.wait_for_selector("#active:not([hidden])")
    reference = page.text_content("#reference")
    _, listed = stack.call("GET", "/verifications?status=awaiting_sergeant", "MP2001")
    mine = next(v for v in listed["items"] if v["reference"] == reference)
    assert mine["location"] is None and mine["area"] == "Kentish Town Rd"
    assert any("near Kentish Town Rd" in sms["message"] for sms in stack.sms())
    page.click("#cancel")
    page.wait_for_selector("#live-status:has-text('Cancelled')")
    context.close()


def test_a_suspended_officer_is_told_to_use_the_radio(browser, stack):
    context, page = signed_in(browser, stack, "/o", "MP3390")
    page.click("#start-button")
    page.wait_for_selector("#error:has-text('does not list you as serving')")
    assert not page.is_visible("#active")
    context.close()
