"""SPEC §7.4, "I feel unsafe": the JSON route and the citizen page's form, through the real routing.

No sign-in; the reference as typed; every status; a control-room alert (board and topic) with the
officer, the location and her words; audited with her words sealed; at most three alerts per check
per 15 minutes, every press still answered; bad input refused with nothing stored or sent.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from chalicelib.domain.registry import OfficerStatus, RegistryRecord, Role
from chalicelib.services.citizen_unsafe import ALERTS_PER_WINDOW, WINDOW_SECONDS

START = {"location": {"lat": 51.5390, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
CONTROL = "MP7001"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def started(stack) -> dict:
    status, body = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, body
    stack.alerts()  # nothing else on the topic
    return body


def _board(stack) -> list[dict]:
    stack.deps.registry.put(RegistryRecord(force="met", officer_id=CONTROL, given_name="Tariq", family_name="Osei",
                                           rank="PC", status=OfficerStatus.SERVING,
                                           role=Role.CONTROL_ROOM))
    status, board = stack.call("GET", "/control/board", headers=stack.tokens.header("control_room", "met", CONTROL))
    assert status == 200, board
    return board["alerts"]


def _unsafe_events(stack, vid: str) -> list[dict]:
    return [e for e in stack.deps.verifications.events(vid) if e["type"] == "citizen.unsafe_reported"]


def _nothing_recorded(stack, vid: str) -> None:
    assert stack.alerts() == [] and stack.deps.alert_store.of_chain(vid) == [] and _unsafe_events(stack, vid) == []


def test_no_sign_in_the_reference_as_typed_and_the_control_room_hears_with_her_words(stack, started):
    vid, reference = started["verification_id"], started["reference"]
    typed = reference.lower().replace("-", " ")

    status, body = stack.call("POST", f"/public/verifications/{typed}/unsafe", body={"where": "  by the bus stop  "})

    assert (status, body) == (202, {"status": "sent"})
    [message] = stack.alerts()
    assert message["type"] == message["kind"] == "citizen_unsafe" and message["verification_id"] == vid
    assert message["reference"] == reference and message["where"] == "by the bus stop"
    assert message["officer"] == {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}
    assert message["location"] == {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12.0}
    assert message["status"] == "awaiting_sergeant"
    [alert] = [a for a in _board(stack) if a["kind"] == "citizen_unsafe"]
    assert alert["alert_id"] == message["alert_id"] and alert["where"] == "by the bus stop"
    assert alert["officer"]["officer_id"] == "MP4721" and alert["location"]["lat"] == 51.539
    assert alert["area"] == "Camden High St" and alert["acknowledged_at"] is None
    # Audited on the check's chain, her words sealed as a location is (erased with its data key).
    [event] = _unsafe_events(stack, vid)
    assert event["actor"] == {"role": "citizen", "officer_id": None}
    assert event["data"]["alert_id"] == alert["alert_id"] and event["data"]["alert"] == "sent"
    assert "bus stop" not in json.dumps(event) and event["data"]["where"]["sealed"]
    assert stack.deps.envelope.open(vid, event["data"]["where"]) == "by the bus stop"


def test_without_words_and_after_a_confirmation_it_still_works(stack, started, clock):
    vid = started["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})[0] == 200
    stack.alerts()

    for body in (None, {}, {"where": ""}, {"where": None}):
        status, answer = stack.call("POST", f"/public/verifications/{started['reference']}/unsafe", body=body)
        assert (status, answer) == (202, {"status": "sent"}), body
        [message] = stack.alerts()
        assert message["where"] is None and message["status"] == "confirmed"
        clock.advance(seconds=WINDOW_SECONDS)  # each its own window: the limit is tested below


@pytest.mark.parametrize("body, message", [
    ({"where": "x" * 81}, "where: String should have at most 80 characters"),
    ({"where": 12}, "where: Input should be a valid string"),
    ({"where": "by the\u0007 bus stop"}, "where: must be printable text (no control characters)"),
    ({"where": "a\tb"}, "where: must be printable text (no control characters)"),
    ({"where": "ok", "name": "Ann"}, "name: unknown field"),
    ([], "body: must be a JSON object"),
])
def test_bad_input_is_refused_and_nothing_is_stored_or_sent(stack, started, body, message):
    status, answer = stack.call("POST", f"/public/verifications/{started['reference']}/unsafe", body=body)

    assert status == 400 and answer["error"] == {"code": "validation_error", "message": message}
    _nothing_recorded(stack, started["verification_id"])


def test_eighty_characters_after_trimming_are_accepted(stack, started):
    words = "y" * 80
    status, _ = stack.call("POST", f"/public/verifications/{started['reference']}/unsafe",
                           body={"where": f"   {words}\n"})
    assert status == 202
    assert stack.alerts()[0]["where"] == words


def test_unknown_and_no_longer_shown_references_are_404_and_count_as_misses(stack, started, clock):
    status, answer = stack.call("POST", "/public/verifications/SC-222-222-222/unsafe", body={"where": "here"})
    assert status == 404 and answer["error"]["code"] == "not_found"

    # The same per-address budget as the public view: 30 misses a minute, then 429, for both routes.
    for n in range(29):
        assert stack.call("POST", f"/public/verifications/SC-{n % 7 + 2}33-333-333/unsafe", body={})[0] == 404
    status, answer = stack.call("POST", "/public/verifications/SC-444-444-444/unsafe", body={})
    assert status == 429 and answer["error"]["code"] == "rate_limited"
    assert stack.call("GET", "/public/verifications/SC-444-444-444")[0] == 429
    clock.advance(hours=24, seconds=61)
    status, _ = stack.call("POST", f"/public/verifications/{started['reference']}/unsafe", body={})
    assert status == 404  # shown for 24 hours only
    _nothing_recorded(stack, started["verification_id"])


def test_at_most_three_alerts_per_check_per_window_and_every_press_answered(stack, started, clock):
    vid, path = started["verification_id"], f"/public/verifications/{started['reference']}/unsafe"

    answers = [stack.call("POST", path, body={"where": f"press {n}"}) for n in range(ALERTS_PER_WINDOW + 3)]

    assert answers == [(202, {"status": "sent"})] * (ALERTS_PER_WINDOW + 3)
    assert [m["where"] for m in stack.alerts()] == [f"press {n}" for n in range(ALERTS_PER_WINDOW)]
    assert len(stack.deps.alert_store.of_chain(vid)) == ALERTS_PER_WINDOW == len(_unsafe_events(stack, vid))
    clock.advance(seconds=WINDOW_SECONDS)
    assert stack.call("POST", path, body={"where": "later"})[0] == 202
    assert [m["where"] for m in stack.alerts()] == ["later"]


def test_the_page_carries_the_form_and_the_quick_exit_on_every_status(stack, started):
    vid, reference = started["verification_id"], started["reference"]
    for step in (None, "accept", "outcome"):
        if step == "accept":
            assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
        if step == "outcome":
            assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"})[0] == 200
        html = stack.client.http.get(f"/v/{reference}").body.decode()
        assert f'<form class="unsafe-form" method="post" action="../v/{reference}/unsafe?lang=en">' in html
        assert '<label for="where">Where are you? (optional)</label>' in html and 'maxlength="80"' in html
        assert '<button type="submit" class="unsafe-button">I feel unsafe</button>' in html
        assert html.index('class="quick-exit"') < html.index("<main>")
    for path in ("/verify", "/verify?lang=cy", "/v/SC-222-222-222", f"/v/{reference}?lang=cy"):
        html = stack.client.http.get(path).body.decode()
        assert ('<a class="quick-exit" href="https://www.bbc.co.uk/weather" rel="noreferrer">'
                in html.split("<main>")[0]), path
    assert "Gadael y dudalen hon" in html and "Rwy&#x27;n teimlo" not in html and "Rwy'n teimlo'n anniogel" in html


def test_the_form_tells_the_control_room_and_sends_her_back_to_her_page(stack, started):
    vid, reference = started["verification_id"], started["reference"]
    assert "control room has been told" not in stack.client.http.get(f"/v/{reference}").body.decode()

    response = stack.client.http.post(f"/v/{reference.lower()}/unsafe?lang=cy&refresh=off", headers=FORM,
                                      body=urlencode({"where": "Outside Boots"}))

    assert response.status_code == 303
    assert response.headers["Location"] == f"../{reference}?lang=cy&refresh=off"
    assert response.headers["Cache-Control"] == "no-store" and "form-action 'self'" in (
        response.headers["Content-Security-Policy"])
    cookie = response.headers["Set-Cookie"]
    assert cookie == "sc_told=1; Max-Age=900; HttpOnly; SameSite=Strict"  # no Path: only the page's own
    [message] = stack.alerts()
    assert message["where"] == "Outside Boots" and message["verification_id"] == vid
    told = stack.client.http.get(f"/v/{reference}?lang=cy", headers={"Cookie": "sc_told=1"}).body.decode()
    assert "Mae'r ystafell reoli wedi cael gwybod. Os gallwch chi, ffoniwch 999 nawr." in told
    english = stack.client.http.get(f"/v/{reference}", headers={"Cookie": "other=2; sc_told=1"}).body.decode()
    assert '<p class="told" role="status">The control room has been told. If you can, call 999 now.</p>' in english


def test_the_form_behind_https_sets_a_secure_cookie_and_an_empty_field_is_fine(stack, started):
    response = stack.client.http.post(f"/v/{started['reference']}/unsafe",
                                      headers={**FORM, "X-Forwarded-Proto": "https"}, body="where=")
    assert response.status_code == 303 and response.headers["Set-Cookie"].endswith("; Secure")
    assert response.headers["Location"] == f"../{started['reference']}?lang=en"
    assert stack.alerts()[0]["where"] is None


@pytest.mark.parametrize("body", [urlencode({"where": "z" * 81}), "where=a%07b", "where=a&where=b", "name=Ann"])
def test_the_form_refuses_bad_input_with_her_page_and_nothing_sent(stack, started, body):
    response = stack.client.http.post(f"/v/{started['reference']}/unsafe", headers=FORM, body=body)

    html = response.body.decode()
    assert response.status_code == 400 and "We could not send what you typed" in html
    assert 'role="alert"' in html and 'http-equiv="refresh"' not in html
    # Its links lead back to the page from the form's own URL.
    assert f'action="../../v/{started["reference"]}/unsafe?lang=en&amp;refresh=off"' in html
    assert 'href="../../static/citizen.css"' in html
    _nothing_recorded(stack, started["verification_id"])


def test_the_form_for_an_unknown_reference_is_404_and_sends_nothing(stack, started):
    response = stack.client.http.post("/v/SC-222-222-222/unsafe", headers=FORM, body="where=here")
    assert response.status_code == 404 and "could not find that reference" in response.body.decode()
    assert stack.alerts() == []


def test_a_token_is_neither_needed_nor_looked_at(stack, started):
    path = f"/public/verifications/{started['reference']}/unsafe"
    status, body = stack.call("POST", path, body={}, headers={"Authorization": "Bearer not-a-token"})
    assert (status, body) == (202, {"status": "sent"})
    assert len(stack.alerts()) == 1


def test_her_words_and_the_place_never_reach_the_logs(stack, started, caplog, capfd):
    caplog.set_level(logging.DEBUG, logger="safe-connection")
    path = f"/public/verifications/{started['reference']}/unsafe"
    for _ in range(ALERTS_PER_WINDOW + 1):  # the last one over the limit
        assert stack.call("POST", path, body={"where": "Outside Boots"})[0] == 202
    stack.client.http.post(f"/v/{started['reference']}/unsafe", headers=FORM, body="where=Outside+Boots")
    stack.client.http.post(f"/v/{started['reference']}/unsafe", headers=FORM, body="where=" + "B" * 81)

    records = [r for r in caplog.records if r.name == "safe-connection"]
    assert {"citizen_unsafe_reported", "citizen_unsafe_over_limit"} <= {r.getMessage() for r in records}
    everything = json.dumps([{k: str(v) for k, v in vars(r).items()} for r in records]) + capfd.readouterr().out
    for forbidden in ("Boots", "BBBB", "Jones", "Sam", "51.539", "-0.1426", "Camden"):
        assert forbidden not in everything, forbidden


def test_the_form_from_an_address_over_its_miss_budget_is_429_for_a_check_it_never_opened(stack, started):
    for n in range(30):
        assert stack.call("POST", f"/public/verifications/SC-{n % 7 + 2}33-333-333/unsafe", body={})[0] == 404

    response = stack.client.http.post(f"/v/{started['reference']}/unsafe", headers=FORM, body="where=here")

    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert "Wait a minute" in response.body.decode() and 'class="quick-exit"' in response.body.decode()
    _nothing_recorded(stack, started["verification_id"])
