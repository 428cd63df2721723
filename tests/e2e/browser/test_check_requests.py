"""The citizen's own channel on `/verify` (SPEC §7.4), on her own phone with JavaScript off: the
reference typed by hand, or the officer's number from the warrant card when there is no reference."""

from __future__ import annotations

import re

import pytest

from .conftest import axe_violations, phone, screenshot, serious, signed_in, start_by_api

pytestmark = pytest.mark.e2e


def _her_phone(browser, stack):
    context = phone(browser, stack, javascript=False, located=False)
    return context, context.new_page()


def _by_number(page, number: str, lang: str = "en") -> None:
    page.goto(f"/verify?lang={lang}")
    page.fill("#officer", number)
    page.click("#officer ~ button[type=submit]")


def _main_text(page) -> str:
    return page.inner_text("main")


def test_the_reference_typed_by_hand_in_lower_case_with_spaces_finds_the_check(browser, stack):
    started = start_by_api(stack, "MP4721")
    context, page = _her_phone(browser, stack)
    page.goto("/verify")
    page.fill("#reference", " " + started["reference"].lower().replace("-", " ") + " ")
    page.click("#reference ~ button[type=submit]")
    assert page.url.endswith(f"/v/{started['reference']}?lang=en")
    assert "Checking - please wait" in page.text_content(".status")
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "MP4721", {})[0] == 200
    context.close()


def test_a_number_whose_officer_has_a_running_check_goes_to_it(browser, stack):
    started = start_by_api(stack, "WP1187")
    context, page = _her_phone(browser, stack)
    _by_number(page, "wp 1187", lang="cy")
    assert page.url.endswith(f"/v/{started['reference']}?lang=cy")
    assert "Morgan" in page.text_content(".officer") and page.locator(".officer img").count() == 1
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "WP1187", {})[0] == 200
    context.close()


def test_a_number_without_a_check_asks_for_one_and_the_officer_is_texted(browser, stack):
    officer_phone = stack.user("MP5102")["phone"]
    texted_before = [m for m in stack.sms() if m["phone_number"] == officer_phone]
    context, page = _her_phone(browser, stack)
    _by_number(page, "mp5102")
    assert re.search(r"/verify\?lang=en&officer=mp5102$", page.url), page.url
    assert "No check to show for this number yet" in _main_text(page)
    assert page.locator("img").count() == 0 and "Shah" not in _main_text(page)
    page.fill("#where", "Bus stop on Camden Rd")
    screenshot(page, "citizen-ask-for-check")
    page.click("#where ~ button[type=submit]")

    assert page.url.endswith("/verify?officer=MP5102&asked=1&lang=en")
    assert "We have asked for a check." in _main_text(page)
    assert "they get a text asking them to start a check" in _main_text(page)
    texts = [m for m in stack.sms() if m["phone_number"] == officer_phone]
    assert len(texts) == len(texted_before) + 1
    assert texts[-1]["message"].startswith("Safe Connection: someone asks you (DC MP5102) to start an ID check.")
    assert texts[-1]["message"].endswith(f"{stack.api}/o") and "Camden" not in texts[-1]["message"]

    # The officer starts the check: "Look again" takes her to it.
    started = start_by_api(stack, "MP5102")
    page.click("button:has-text('Look again')")
    page.wait_for_url(f"**/v/{started['reference']}?lang=en")
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "MP5102", {})[0] == 200
    context.close()


def test_an_unknown_number_gets_the_same_pages(browser, stack):
    def pages_for(number: str) -> list[str]:
        context, page = _her_phone(browser, stack)
        _by_number(page, number)
        before = page.content()
        page.click("#where ~ button[type=submit]")
        after = page.content()
        context.close()
        return [html.replace(number, "NUMBER") for html in (before, after)]

    sent = len(stack.sms())
    assert pages_for("WP1450") == pages_for("WP9876")  # a serving officer's number, and nobody's
    assert len(stack.sms()) == sent + 1  # only the officer was texted


def test_the_verify_pages_have_no_serious_accessibility_violations(browser, stack):
    for lang in ("en", "cy"):
        for path in (f"/verify?lang={lang}", f"/verify?lang={lang}&officer=MP0000",
                     f"/verify?lang={lang}&officer=MP0000&asked=1", f"/verify?lang={lang}&officer=%3F%3F"):
            # axe is a script: JavaScript on here (the pages carry none, their CSP allows none).
            context = phone(browser, stack, located=False, bypass_csp=True)
            page = context.new_page()
            page.goto(path)
            assert serious(axe_violations(page)) == [], path
            context.close()


def test_the_control_room_board_shows_her_words(browser, stack):
    status, body = stack.call("POST", "/public/check-requests", body={"officer_id": "WP1187", "where": "Outside Boots"})
    assert (status, body) == (202, {"status": "sent"})
    context, page = signed_in(browser, stack, "/c", "WP0103")
    card = page.locator("#alerts li", has_text="A citizen asks for a check").first
    card.wait_for()
    assert "She says she is at: Outside Boots" in card.inner_text()
    assert "Morgan" in card.inner_text()  # who it is about, as the registry names them
    assert context.csp_violations == []
    context.close()
