"""The control room's console `/c` in Chromium (issue 15): a check nobody answers raises its alert on
the open page without a reload, one operator acknowledges it and a colleague sees who did and why,
a check confirmed by radio from the board reaches the citizen's page, and axe finds nothing serious
on a board with checks and alerts on it.

This module runs its own stack with short escalation timings (as `make run` allows through the
environment): waves of one sergeant a second and an answer timeout of 25 s, long enough for an
operator to act on a live check on a loaded 2-core machine, short enough to wait for it to lapse.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import wait_for

from ..conftest import FAST_TIMINGS, _run_stack, onboard_person
from .conftest import (
    app_code,
    axe_violations,
    citizen_view,
    phone,
    screenshot,
    serious,
    sign_in,
    signed_in,
    start_by_api,
)

pytestmark = pytest.mark.e2e

CONSOLE_TIMINGS = {**FAST_TIMINGS, "ANSWER_TIMEOUT_SECONDS": "25"}
# Every beep the page plays (Web Audio oscillators started), counted from outside the page's CSP.
COUNT_BEEPS = """{
  window.__beeps = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__beeps += 1; return start.apply(this, args); };
}
undefined;"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from _run_stack(tmp_path_factory.mktemp("control-stack"), CONSOLE_TIMINGS)


def console(browser, stack, officer_id: str):
    """An operator's phone with `/c` open and signed in, the board shown: (context, page)."""
    context, page = signed_in(browser, stack, "/c", officer_id)
    page.wait_for_selector("#board:not([hidden])")
    return context, page


def card(page, list_id: str, reference: str):
    """The card on the board (`alerts` or `active`) that names this reference."""
    return page.locator(f"#{list_id} > li", has_text=reference)


def polls(page, count: int) -> None:
    """Wait until the page has redrawn the board `count` more times (its "Updated" line changes)."""
    for _ in range(count):
        before = page.text_content("#board-status")
        page.wait_for_function("(before) => document.querySelector('#board-status').textContent !== before",
                               arg=before, timeout=5_000)


def status_of(stack, officer_id: str, verification_id: str) -> str:
    return stack.call("GET", f"/verifications/{verification_id}", officer_id)[1]["status"]


def first_sign_in(page, person: dict, password: str) -> None:
    """Her first sign-in on the page itself: the temporary password, her own, then her authenticator app."""
    page.wait_for_selector("#sign-in-form:not([hidden])")
    page.fill("#username", person["username"])
    page.fill("#password", person["temporary_password"])
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#new-password-form:not([hidden])")
    page.fill("#new-password", password)
    page.fill("#new-password-again", password)
    page.click("#new-password-form button[type=submit]")
    page.wait_for_selector("#mfa-setup-form:not([hidden])")
    secret = page.text_content("#mfa-secret").replace(" ", "")
    page.fill("#mfa-setup-code", app_code(secret))
    page.click("#mfa-setup-form button[type=submit]")


def test_an_unanswered_check_raises_its_alert_on_the_open_board_and_a_colleague_sees_it_acknowledged(
        browser, stack):
    operator, page = console(browser, stack, "MP0003")
    page.add_init_script(COUNT_BEEPS)  # for any reload; this page gets it now
    page.evaluate(COUNT_BEEPS)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
    page.evaluate("() => { window.__sameDocument = true; }")

    started = start_by_api(stack, "MP4721")
    vid, reference = started["verification_id"], started["reference"]
    check = card(page, "active", reference)
    check.wait_for(timeout=5_000)  # two polls
    assert check.locator("h3").text_content() == "PC Sam Jones (MP4721)"
    assert check.locator(".pill").text_content() == "Waiting for a sergeant"
    assert "Where: Camden High St" in check.text_content()
    assert "openstreetmap.org/?mlat=51.539&mlon=-0.1426" in check.get_by_role("link", name="Map").get_attribute("href")
    assert page.is_hidden("#new-alert") and page.evaluate("() => window.__beeps") == 0

    # Nobody answers: the check times out (25 s), and within 3 s the page shows its alert by itself.
    wait_for(lambda: status_of(stack, "MP4721", vid) == "unanswered", timeout=45, interval=0.2)
    timed_out = time.monotonic()
    page.wait_for_selector("#new-alert:not([hidden])", timeout=3_000)
    alert = card(page, "alerts", reference)
    alert.wait_for(timeout=max(1, 3_000 - int((time.monotonic() - timed_out) * 1000)))
    assert time.monotonic() - timed_out <= 3
    assert page.text_content("#new-alert") == "New alert: No sergeant answered"
    assert alert.get_attribute("class") == "card open"
    assert alert.locator("h3").text_content() == "No sergeant answered"
    assert "Officer: PC Sam Jones (MP4721)" in alert.text_content()
    assert "openstreetmap.org/?mlat=51.539" in alert.get_by_role("link", name="Map").get_attribute("href")
    assert page.evaluate("() => window.__beeps") >= 1
    card(page, "active", reference).wait_for(state="detached", timeout=3_000)  # no longer live
    assert navigations == [] and page.evaluate("() => window.__sameDocument") is True
    screenshot(page, "control-console-alert")

    # 2. She acknowledges it with a note.
    alert.get_by_label("Note (optional)").fill("Units sent to Camden High St")
    alert.get_by_role("button", name="Acknowledge").click()
    acknowledged = page.locator("#alerts > li.done", has_text=reference)
    acknowledged.wait_for(timeout=5_000)
    assert "Acknowledged by PC Osei at " in acknowledged.text_content()
    assert acknowledged.text_content().endswith("UTC: Units sent to Camden High St")
    assert acknowledged.get_by_role("button", name="Acknowledge").count() == 0
    page.wait_for_selector("#new-alert", state="hidden", timeout=5_000)  # nothing left to acknowledge
    assert operator.csp_violations == [] and page.text_content("#error") == ""

    # A colleague on the same force, onboarded as the force would (registry import, her own first
    # sign-in), sees it acknowledged - by whom, and the note - on her own console.
    person = onboard_person(stack, force="met", officer_id="MP0004", role="control_room", rank="PC",
                            given_name="Joy", family_name="Adeyemi", phone="+447700900099")
    colleague = phone(browser, stack)
    other = colleague.new_page()
    other.goto("/c")
    first_sign_in(other, person, "Night-Shift-Desk-19")
    other.wait_for_selector("#board:not([hidden])")
    assert other.text_content("#who-name") == "MP0004"
    seen = other.locator("#alerts > li", has_text=reference)
    seen.wait_for(timeout=5_000)
    assert seen.get_attribute("class") == "card done"
    assert "Acknowledged by PC Osei at " in seen.text_content()
    assert seen.text_content().endswith("UTC: Units sent to Camden High St")
    assert other.is_hidden("#new-alert")
    assert colleague.csp_violations == []
    colleague.close()
    operator.close()

    status, board = stack.call("GET", "/control/board", "MP0003")
    assert status == 200, board
    [stored] = [a for a in board["alerts"] if a["verification_id"] == vid]
    assert stored["kind"] == "verification_unanswered"
    assert stored["acknowledged_by"] == {"officer_id": "MP0003", "rank": "PC", "family_name": "Osei"}
    assert stored["note"] == "Units sent to Camden High St"


def test_confirm_by_radio_from_the_board_reaches_the_citizen_page_without_javascript(browser, stack):
    operator, page = console(browser, stack, "WP0103")
    started = start_by_api(stack, "WP1187", area="Devizes Market Place")
    check = card(page, "active", started["reference"])
    check.wait_for(timeout=5_000)
    # A change of mind first: nothing is recorded until the second button.
    check.get_by_role("button", name="Cannot confirm by radio").click()
    assert "told to call 999" in check.locator(".radio-panel .notice").text_content()
    check.get_by_role("button", name="Back").click()
    assert check.get_by_role("button", name="Cannot confirm by radio").evaluate("b => b === document.activeElement")
    check.get_by_role("button", name="Confirm by radio", exact=True).click()
    question = check.locator(".radio-panel .notice")
    assert question.text_content().startswith("Did PC Rhys Morgan (WP1187) answer on the radio")
    assert question.evaluate("q => q === document.activeElement")
    assert serious(axe_violations(page)) == []
    polls(page, 1)  # still open after a redraw
    assert stack.call("GET", f"/verifications/{started['verification_id']}", "WP1187")[1]["status"] \
        == "awaiting_sergeant"
    check.get_by_label("Note (optional)").fill("Call sign and warrant number given on Airwave")
    screenshot(page, "control-console-radio")
    check.get_by_role("button", name="Yes: record confirmed by radio").click()
    check.wait_for(state="detached", timeout=5_000)  # decided: no longer a live check
    assert page.text_content("#error") == "" and operator.csp_violations == []
    operator.close()

    citizen, view = citizen_view(browser, stack, started["citizen_url"])
    assert view.text_content(".status") == "Confirmed police officer"
    assert view.text_content(".method") == "Confirmed by the control room by radio."
    assert "PC Hale (WP0103)" in view.text_content(".officer")
    screenshot(view, "citizen-confirmed-by-radio")
    citizen.close()

    _, decided = stack.call("GET", f"/verifications/{started['verification_id']}", "WP1187")
    assert decided["status"] == "confirmed" and decided["method"] == "radio"
    assert decided["outcome_note"] == "Call sign and warrant number given on Airwave"


def test_the_board_with_checks_and_alerts_has_no_serious_accessibility_violations(browser, stack):
    # An alert still open (a sergeant could not confirm), one acknowledged (a suspended officer
    # tried to start a check), and a live check.
    refused = stack.call("POST", "/verifications", "MP3390", {"location": {"lat": 51.5, "lon": -0.12}})
    assert refused[0] == 403 and refused[1]["error"]["code"] == "officer_not_serving"
    status, board = stack.call("GET", "/control/board", "MP0003")
    assert status == 200, board
    [not_serving] = [a for a in board["alerts"] if a["kind"] == "officer_not_serving" and not a["acknowledged_by"]]
    assert stack.call("POST", f"/control/alerts/{not_serving['alert_id']}/acknowledge", "MP0003",
                      {"note": "Professional Standards told"})[0] == 200
    denied = start_by_api(stack, "MP4721", area="Euston Road")
    assert stack.call("POST", f"/verifications/{denied['verification_id']}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{denied['verification_id']}/outcome", "MP2001",
                      {"outcome": "not_confirmed"})[0] == 200
    live = start_by_api(stack, "MP5102", area="Camden High St")

    operator, page = console(browser, stack, "MP0003")
    card(page, "active", live["reference"]).wait_for(timeout=5_000)
    card(page, "alerts", denied["reference"]).wait_for(timeout=5_000)
    page.locator("#alerts > li.done", has_text="Officer not serving").first.wait_for(timeout=5_000)
    page.wait_for_selector("#new-alert:not([hidden])")
    assert serious(axe_violations(page)) == []
    screenshot(page, "control-console")
    assert operator.csp_violations == []
    operator.close()


def test_polling_keeps_the_operators_focus_and_what_she_types(browser, stack):
    """The board refreshes every 2 s: a keyboard user's focus and a half-typed note survive it."""
    live = start_by_api(stack, "WP1450", area="Salisbury Market Square")
    operator, page = console(browser, stack, "WP0103")
    check = card(page, "active", live["reference"])
    check.wait_for(timeout=5_000)
    radio = check.get_by_role("button", name="Cannot confirm by radio")
    radio.focus()
    polls(page, 2)
    assert page.evaluate("() => document.activeElement.textContent") == "Cannot confirm by radio"
    assert check.get_by_role("button", name="Cannot confirm by radio").evaluate("b => b === document.activeElement")
    # The waiting time still moves on in the card she is on.
    assert "waiting" in check.text_content()
    page.keyboard.press("Enter")  # the second step: what it tells her, a note, the button that records it
    assert check.locator(".radio-panel .notice").evaluate("q => q === document.activeElement")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Yes: record not confirmed"
    polls(page, 1)
    page.keyboard.press("Enter")
    check.wait_for(state="detached", timeout=5_000)
    operator.close()
    _, decided = stack.call("GET", f"/verifications/{live['verification_id']}", "WP1450")
    assert decided["status"] == "not_confirmed" and decided["method"] == "radio"

    # The alert that decision raised: she starts a note, the board redraws, her words and caret stay.
    operator, page = console(browser, stack, "WP0103")
    alert = page.locator("#alerts > li.open", has_text=live["reference"])
    alert.wait_for(timeout=5_000)
    note = alert.get_by_label("Note (optional)")
    note.click()
    page.keyboard.type("Unit 7 on the")
    polls(page, 2)
    page.keyboard.type(" way")
    assert note.input_value() == "Unit 7 on the way"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Acknowledge"
    polls(page, 1)
    page.keyboard.press("Enter")
    page.locator("#alerts > li.done", has_text=live["reference"]).wait_for(timeout=5_000)
    assert "Unit 7 on the way" in page.locator("#alerts > li.done", has_text=live["reference"]).text_content()
    operator.close()


# Chrome's autoplay policy, which headless Chromium does not apply: Web Audio stays suspended until
# `resume()` is called during a user activation (a real click or key press on the page).
AUTOPLAY_POLICY = """{
  let allowed = false;
  Object.defineProperty(BaseAudioContext.prototype, 'state', {
    configurable: true, get() { return allowed ? 'running' : 'suspended'; },
  });
  const resume = AudioContext.prototype.resume;
  AudioContext.prototype.resume = function () {
    if (!allowed && navigator.userActivation.isActive) {
      allowed = true;
      this.dispatchEvent(new Event('statechange'));
    }
    return resume.call(this);
  };
}
undefined;"""


def test_after_a_reload_the_page_says_the_alert_sound_is_off_until_she_turns_it_on(browser, stack):
    operator, page = console(browser, stack, "MP0003")
    operator.add_init_script(AUTOPLAY_POLICY)
    page.reload()  # her session is kept in the tab: no sign-in, so no click the browser counts yet
    page.wait_for_selector("#board:not([hidden])")
    page.wait_for_selector("#sound-on:not([hidden])")
    assert page.text_content("#sound-on") == "Turn on the alert sound"
    assert serious(axe_violations(page)) == []
    page.click("#sound-on")
    page.wait_for_selector("#sound-on", state="hidden")
    operator.close()

    # Any click on the page turns it on as well.
    operator, page = console(browser, stack, "MP0003")
    operator.add_init_script(AUTOPLAY_POLICY)
    page.reload()
    page.wait_for_selector("#sound-on:not([hidden])")
    page.click("#board h1")
    page.wait_for_selector("#sound-on", state="hidden")
    operator.close()


def board_requests(context) -> list[str]:
    """Every poll of the board the page makes from now on (their times, as the browser sent them)."""
    seen: list[str] = []
    context.on("request", lambda request: request.url.endswith("/control/board") and seen.append(request.url))
    return seen


def refuse_board(context, stack, status: int, code: str | None, times: int = 1) -> list[int]:
    """The next `times` polls get the API's own error answer (what the real service says when the
    token has ended or the registry no longer lists her); later ones pass. Returns the answered."""
    answered: list[int] = []

    def route(route):
        if len(answered) < times:
            answered.append(status)
            if code is None:
                route.abort("connectionrefused")
            else:
                route.fulfill(status=status, content_type="application/json",
                              body=f'{{"error": {{"code": "{code}", "message": "refused"}}}}')
        else:
            route.continue_()

    context.route(f"{stack.api}/control/board", route)
    return answered


def test_a_token_the_api_refuses_is_forgotten_and_she_signs_in_again_once(browser, stack):
    """A 401 (expired, or a clock that disagrees with the server's) must not reload into the same token."""
    operator, page = console(browser, stack, "WP0103")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
    answered = refuse_board(operator, stack, 401, "unauthenticated")
    page.wait_for_selector("#sign-in-form:not([hidden])", timeout=5_000)
    assert answered == [401]
    assert page.evaluate("() => sessionStorage.getItem('safe-connection.id-token')") is None
    time.sleep(4)  # two polls' worth: no reload loop
    assert len(navigations) == 1 and page.is_visible("#sign-in-form")
    operator.close()


def test_refused_by_the_registry_the_board_says_so_and_stops_asking(browser, stack):
    operator, page = console(browser, stack, "WP0103")
    polled = board_requests(operator)
    refuse_board(operator, stack, 403, "officer_not_serving", times=100)
    page.wait_for_selector("#error:has-text('does not list you as serving')", timeout=5_000)
    asked = len(polled)
    time.sleep(4.5)
    assert len(polled) == asked == 1
    assert page.text_content("#board-status") == "Not updating."
    # The message is at the top of the board, where she is looking, not below every card.
    assert page.evaluate("() => document.querySelector('#error').compareDocumentPosition("
                         "document.querySelector('#alerts')) & Node.DOCUMENT_POSITION_FOLLOWING")
    operator.close()


def test_a_board_that_cannot_reach_the_service_says_so_until_it_can(browser, stack):
    operator, page = console(browser, stack, "WP0103")
    refuse_board(operator, stack, 0, None, times=2)
    page.wait_for_selector("#error:has-text('cannot reach the service, so it is not up to date')", timeout=5_000)
    page.wait_for_selector("#error", state="hidden", timeout=8_000)  # the third poll gets through
    operator.close()


def test_an_actions_error_stays_until_her_next_action(browser, stack):
    started = start_by_api(stack, "WP1187", area="Marlborough High St")
    operator = phone(browser, stack)
    page = operator.new_page()
    page.clock.install()  # the page's own timers: its polling can be held still
    page.goto("/c")
    sign_in(page, stack, "WP0103")
    check = card(page, "active", started["reference"])
    check.wait_for(timeout=5_000)
    page.clock.pause_at(time.time() + 0.5)  # no poll from here until resumed
    # Another operator confirmed it a moment ago, by radio: hers is refused, as the API refuses it.
    assert stack.call("POST", f"/verifications/{started['verification_id']}/radio-confirmation", "WP0103",
                      {"outcome": "confirmed"})[0] == 200
    check.get_by_role("button", name="Cannot confirm by radio").click()
    check.get_by_role("button", name="Yes: record not confirmed").click()
    page.wait_for_selector("#error:has-text('This has moved on')", timeout=5_000)
    check.wait_for(state="detached", timeout=5_000)  # the board fetched at once shows it decided
    page.clock.resume()
    polls(page, 2)
    assert page.is_visible("#error:has-text('This has moved on')")
    operator.close()
    _, decided = stack.call("GET", f"/verifications/{started['verification_id']}", "WP1187")
    assert decided["status"] == "confirmed"
