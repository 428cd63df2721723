""""I feel unsafe" and the quick exit (SPEC §7.4) in a real browser with JavaScript off, against the
stack `make run` starts: she presses the button on her result page, the page says the control room
has been told, and the control room's board and alerts topic carry the officer, the location and
her words. axe-core finds nothing serious in English or Welsh, before or after her report."""

from __future__ import annotations

import pytest

from .conftest import axe_violations, citizen_view, phone, screenshot, serious, signed_in, start_by_api

pytestmark = pytest.mark.e2e

CONTROL_ROOM = "MP0003"  # the Met's seeded control-room operator
NEUTRAL = "https://www.bbc.co.uk/weather"
TOLD = "The control room has been told. If you can, call 999 now."
TOLD_CY = "Mae'r ystafell reoli wedi cael gwybod. Os gallwch chi, ffoniwch 999 nawr."


def _neutral_site(context) -> list[dict]:
    """The quick exit's destination, answered locally (this machine has no internet): its requests."""
    seen: list[dict] = []

    def answer(route):
        seen.append({"url": route.request.url, "headers": route.request.headers})
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Sunny")

    context.route(f"{NEUTRAL}**", answer)
    return seen


def test_she_presses_i_feel_unsafe_and_the_control_room_is_told(browser, stack):
    started = start_by_api(stack, "MP4721")
    vid, reference = started["verification_id"], started["reference"]
    stack.alerts_for(vid)  # nothing else about this check on the queue
    context, page = citizen_view(browser, stack, f"/v/{reference}")

    # The page refreshes itself while pending: she stops it first, so what she types stays.
    assert page.locator("meta[http-equiv=refresh]").count() == 1
    page.click("text=Stop the page updating so you can type")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert page.text_content("label[for=where]") == "Where are you? (optional)"
    page.fill("#where", "Outside Boots, by the bus stop")
    page.click("button.unsafe-button")

    page.wait_for_selector("p.told")
    assert page.text_content("p.told") == TOLD
    assert page.url == f"{stack.api}/v/{reference}?lang=en&refresh=off"
    assert "Checking - please wait" in page.text_content("p.status")
    screenshot(page, "citizen-unsafe-told")
    # Only this page of hers says so: another phone opening the same reference does not.
    other, other_page = citizen_view(browser, stack, f"/v/{reference}")
    assert other_page.locator("p.told").count() == 0
    other.close()

    # The control room's board (its own sign-in, MFA included) and its topic have her report.
    status, board = stack.call("GET", "/control/board", CONTROL_ROOM)
    assert status == 200, board
    [alert] = [a for a in board["alerts"] if a["kind"] == "citizen_unsafe" and a["verification_id"] == vid]
    assert alert["where"] == "Outside Boots, by the bus stop" and alert["reference"] == reference
    assert alert["officer"]["officer_id"] == "MP4721" and alert["officer"]["family_name"] == "Jones"
    assert alert["location"]["lat"] == pytest.approx(51.539) and alert["area"] == "Camden High St"
    [message] = [m for m in stack.alerts_for(vid, wait_seconds=5) if m["type"] == "citizen_unsafe"]
    assert message["alert_id"] == alert["alert_id"] and message["where"] == "Outside Boots, by the bus stop"
    assert message["officer"]["officer_id"] == "MP4721" and message["location"]["lon"] == pytest.approx(-0.1426)

    # Pressing again is answered the same way (the limit never refuses her).
    page.click("button.unsafe-button")
    page.wait_for_selector("p.told")
    assert context.csp_violations == []

    # The quick exit leaves at once, without JavaScript, telling the neutral site nothing.
    seen = _neutral_site(context)
    assert page.locator("a.quick-exit").first.bounding_box()["y"] < 80  # at the top, in view
    page.click("a.quick-exit")
    page.wait_for_url(f"{NEUTRAL}**")
    assert page.title() == "Weather" and "referer" not in seen[0]["headers"]
    context.close()


def test_the_control_rooms_page_shows_her_alert_first_with_her_words(browser, stack):
    started = start_by_api(stack, "MP5102")
    status, _ = stack.call("POST", f"/public/verifications/{started['reference']}/unsafe",
                           body={"where": "Near the station exit"})
    assert status == 202
    # Then the same check is not confirmed: a newer alert, so first in the API's order; the page puts hers on top.
    vid = started["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2002", {"outcome": "not_confirmed"})[0] == 200
    status, board = stack.call("GET", "/control/board", CONTROL_ROOM)
    assert [a["kind"] for a in board["alerts"] if a["verification_id"] == vid] == [
        "verification_not_confirmed", "citizen_unsafe"]

    context, page = signed_in(browser, stack, "/c", CONTROL_ROOM)
    page.wait_for_selector("#alerts li.urgent")
    first = page.locator("#alerts li").first
    assert "The person stopped feels unsafe" in first.text_content()
    assert "She says she is at: Near the station exit" in first.text_content()
    assert f"reference {started['reference']}" in first.text_content()
    assert "Officer: DC Priya Shah (MP5102)" in first.text_content() and "Where: Camden High St" in first.text_content()
    context.close()


def _axe_clean(page) -> list:
    return serious(axe_violations(page))


def test_the_result_page_has_no_serious_accessibility_violations_before_and_after(browser, stack):
    reference = start_by_api(stack, "WP1187", area="Devizes")["reference"]
    # axe needs JavaScript on (its timers never fire on a page without): injected as a script, as in
    # test_accessibility; the pages carry no script, so they are the same pages she sees.
    context = phone(browser, stack, bypass_csp=True)
    page = context.new_page()
    for path in (f"/v/{reference}?refresh=off", f"/v/{reference}?lang=cy&refresh=off"):
        page.goto(path)
        assert _axe_clean(page) == [], path
    # While it refreshes itself (axe's meta-refresh rule always flags that; see test_accessibility).
    page.goto(f"/v/{reference}")
    assert serious(axe_violations(page, ("meta-refresh",))) == []

    page.goto(f"/v/{reference}?refresh=off")
    page.fill("#where", "Bus stop")
    page.click("button.unsafe-button")
    page.wait_for_selector("p.told")
    assert _axe_clean(page) == []
    page.click("text=Cymraeg")
    page.wait_for_selector("p.told")
    assert page.text_content("p.told") == TOLD_CY
    assert _axe_clean(page) == []
    # The form's refusal page too (what no browser sends, but a page must still be usable).
    page.goto(f"/v/{reference}?refresh=off")
    page.evaluate("() => document.getElementById('where').removeAttribute('maxlength')")
    page.fill("#where", "x" * 81)
    page.click("button.unsafe-button")
    page.wait_for_selector("#where-error")
    assert _axe_clean(page) == []
    context.close()
