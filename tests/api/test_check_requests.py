"""SPEC §7.4: `POST /public/check-requests` and the `/verify` forms by the officer's number.

The answer never says whether a number is an officer's; a serving officer is texted and the
control room alerted at most once per 10 minutes; an address may ask 6 times per 10 minutes.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlencode

import pytest

from chalicelib.adapters.dynamodb.keys import check_request_chain_id

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MP4721_PHONE = "+447700900001"  # the seeded phone (chalicelib/local/seed.py)


def _ask(stack, body, raw=None):
    return stack.call("POST", "/public/check-requests", body=body, raw=raw)


def _stored_ids(stack) -> set[str]:
    """Every item in the three tables (ids of the short-lived ones, keys of the others)."""
    dynamodb = stack.session.client("dynamodb")
    found = set()
    for table in (stack.settings.verifications_table, stack.settings.registry_table, stack.settings.idempotency_table):
        for item in dynamodb.scan(TableName=table)["Items"]:
            found.add(json.dumps(item, sort_keys=True))
    return found


def _texts_to(stack, phone: str) -> list[str]:
    return [message for number, message, *_ in stack.sms() if number == phone]


def test_a_known_and_an_unknown_number_get_the_same_answer_only_the_officer_is_texted(stack):
    known = stack.client.http.post("/public/check-requests", headers={"Content-Type": "application/json"},
                                   body=json.dumps({"officer_id": "MP4721", "where": "  Bus stop, Camden Rd  "}))
    unknown = stack.client.http.post("/public/check-requests", headers={"Content-Type": "application/json"},
                                     body=json.dumps({"officer_id": "MP9999", "where": "  Bus stop, Camden Rd  "}))
    assert (known.status_code, json.loads(known.body)) == (unknown.status_code, json.loads(unknown.body)) \
        == (202, {"status": "sent"})
    assert dict(known.headers) == dict(unknown.headers)

    [text] = _texts_to(stack, MP4721_PHONE)
    assert text.startswith("Safe Connection: someone asks you (PC MP4721) to start an ID check.")
    assert text.endswith(" https://verify.police.example/o") and "Camden" not in text
    assert len(stack.sms()) == 1

    [alert] = stack.alerts()
    assert (alert["type"], alert["kind"], alert["force"], alert["officer_id"], alert["where"]) == (
        "citizen_request", "citizen_request", "met", "MP4721", "Bus stop, Camden Rd")
    [stored] = stack.deps.alert_store.board("met", 10, 10)
    assert stored.where == "Bus stop, Camden Rd" and stored.officer["family_name"] == "Jones"
    status, board = stack.call("GET", "/control/board", "MP0003")
    assert status == 200 and board["alerts"][0]["where"] == "Bus stop, Camden Rd"


def test_every_request_is_audited_on_the_officers_chain_with_her_words_sealed(stack, clock):
    assert _ask(stack, {"officer_id": "MP4721", "where": "Outside the library"})[0] == 202
    assert _ask(stack, {"officer_id": "mp 4721"})[0] == 400  # the JSON route takes the number as printed
    assert _ask(stack, {"officer_id": "mp4721"})[0] == 202
    stack.pump_audit()
    chain = check_request_chain_id("met", "MP4721", clock().date().isoformat())
    events = sorted((e for key, e in stack.audit_objects().items() if f"/{chain}/" in key), key=lambda e: e["seq"])
    assert [e["type"] for e in events] == ["citizen.check_requested", "alert.sent", "sms.sent",
                                           "citizen.check_requested"]
    assert events[0]["actor"] == {"role": "citizen", "officer_id": None}
    assert [e["data"]["alert"] for e in events if e["type"] == "citizen.check_requested"] == ["raised", "folded"]
    assert "library" not in json.dumps(events)  # sealed under the chain's data key
    assert stack.deps.envelope.open(chain, events[0]["data"]["where"]) == "Outside the library"
    assert events[3]["data"]["where"] is None


def test_one_text_per_officer_per_ten_minutes_and_the_answer_stays_the_same(stack, clock):
    answers = []
    for _ in range(12):  # every 2 minutes: within what one address may ask
        answers.append(_ask(stack, {"officer_id": "MP4721"}))
        clock.advance(minutes=2)
    assert answers == [(202, {"status": "sent"})] * 12
    assert len(_texts_to(stack, MP4721_PHONE)) == 3  # minutes 0, 10 and 20
    alerts = stack.alerts()
    assert [a["attempts"] for a in alerts] == [1, 5, 5]  # each counts the requests folded since the last


@pytest.mark.parametrize(("body", "code"), [
    ({}, "validation_error"),
    ({"officer_id": ""}, "validation_error"),
    ({"officer_id": "MP 4721"}, "validation_error"),
    ({"officer_id": "MP4721; DROP"}, "validation_error"),
    ({"officer_id": "M" * 33}, "validation_error"),
    ({"officer_id": 4721}, "validation_error"),
    ({"officer_id": "MP4721", "where": "x" * 81}, "validation_error"),
    ({"officer_id": "MP4721", "where": "line\nbreak"}, "validation_error"),
    ({"officer_id": "MP4721", "where": "\u202eevil"}, "validation_error"),  # invisible: reads otherwise
    ({"officer_id": "MP4721", "where": "Caffi'r Orsaf, Heol y Frenhines"}, None),
    ({"officer_id": "MP4721", "phone": "+447700900999"}, "validation_error"),
    ("[]", "validation_error"),
    ("{not json", "invalid_json"),
])
def test_bad_input_is_400_and_nothing_is_stored_or_sent(stack, body, code):
    before = _stored_ids(stack)
    raw = body if isinstance(body, str) else None
    status, answer = _ask(stack, None if raw else body, raw=raw)
    if code is None:
        assert status == 202
        return
    assert (status, answer["error"]["code"]) == (400, code), answer
    assert _stored_ids(stack) == before and stack.sms() == [] and stack.alerts() == []


def test_an_address_may_ask_six_times_in_ten_minutes_whatever_the_number(stack, clock):
    numbers = ["MP4721", "MP9999", "WP1187", "MP5102", "ZZ0000", "MP3390"]
    assert [_ask(stack, {"officer_id": n})[0] for n in numbers] == [202] * 6
    for number in ("MP4721", "MP0000"):  # known or not: the same refusal
        status, answer = _ask(stack, {"officer_id": number})
        assert (status, answer["error"]["code"]) == (429, "rate_limited")
    response = stack.client.http.post("/public/check-requests", headers={"Content-Type": "application/json"},
                                      body=json.dumps({"officer_id": "WP1450"}))
    assert response.status_code == 429 and response.headers["Retry-After"] == "600"
    texted = {number for number, *_ in stack.sms()}
    assert texted == {MP4721_PHONE, stack.person("WP1187").phone, stack.person("MP5102").phone}  # not MP3390
    clock.advance(minutes=10)
    assert _ask(stack, {"officer_id": "WP1450"})[0] == 202


def test_no_sign_in_is_needed_and_a_token_changes_nothing(stack):
    status, body = stack.call("POST", "/public/check-requests", "MP5102", {"officer_id": "MP4721"})
    assert (status, body) == (202, {"status": "sent"})


# ---- the /verify page by the officer's number -----------------------------------------------------


def _page(stack, path: str):
    response = stack.client.http.get(path)
    return response.status_code, response.headers, response.body.decode()


def test_a_number_whose_officer_has_a_running_check_goes_to_it(stack):
    status, started = stack.call("POST", "/verifications", "MP4721", {"area": "Camden High St"})
    assert status == 201, started
    status, headers, _ = _page(stack, "/verify?officer=mp+4721&lang=cy")
    assert status == 303 and headers["Location"] == f"v/{started['reference']}?lang=cy"


def test_any_number_without_a_running_check_gets_the_same_page_and_no_photo(stack):
    pages = {}
    for number in ("MP4721", "MP9999", "MP3390"):
        status, headers, body = _page(stack, f"/verify?officer={number}")
        assert status == 200 and "<img" not in body
        pages[number] = (headers["Content-Security-Policy"], body.replace(number, "NUMBER"))
    assert pages["MP4721"] == pages["MP9999"] == pages["MP3390"]
    body = pages["MP4721"][1]
    assert "Ask for a check" in body and 'method="post" action="verify"' in body and "Jones" not in body


def test_the_ask_form_sends_the_request_then_says_what_happens_next(stack):
    response = stack.client.http.post("/verify", headers=FORM, body=urlencode(
        {"lang": "cy", "officer": " wp 1187 ", "where": " Ger yr\torsaf "}))
    assert response.status_code == 303
    assert response.headers["Location"] == "verify?officer=WP1187&asked=1&lang=cy"
    [text] = _texts_to(stack, stack.person("WP1187").phone)
    # In the force's language (DEFAULT_LANGUAGE, English here), not the one she reads the page in.
    assert text.startswith("Safe Connection: someone asks you (PC WP1187) to start an ID check.")
    [alert] = stack.alerts()
    assert alert["where"] == "Ger yr orsaf"

    status, _, body = _page(stack, "/verify?officer=WP1187&asked=1&lang=cy")
    assert status == 200 and "Rydym wedi gofyn am wiriad." in body and "Edrych eto" in body
    assert 'method="post"' not in body  # asked: no second button to press


def test_the_ask_form_refuses_bad_input_with_a_page_and_sends_nothing(stack):
    for fields, status in (({"officer": "??"}, 400), ({"officer": "MP4721", "where": "y" * 81}, 400),
                           ({"officer": "MP4721", "where": "a\x00b"}, 400), ({}, 400)):
        response = stack.client.http.post("/verify", headers=FORM, body=urlencode(fields))
        assert response.status_code == status, fields
        assert response.headers["Content-Type"].startswith("text/html")
    assert stack.sms() == [] and stack.alerts() == []


def test_look_ups_by_number_are_limited_like_reference_misses(stack, clock):
    statuses = [_page(stack, f"/verify?officer=MP{n:04d}")[0] for n in range(31)]
    assert statuses == [200] * 30 + [429]
    status, headers, body = _page(stack, "/verify?officer=MP4721")
    assert status == 429 and headers["Retry-After"] == "60" and "Wait a minute" in body
    clock.advance(seconds=60)
    assert _page(stack, "/verify?officer=MP4721")[0] == 200


def test_the_citizen_pages_tell_her_to_type_the_address_herself(stack):
    for lang, words in (("en", "Type this site's address yourself"), ("cy", "Teipiwch gyfeiriad y wefan hon")):
        status, _, body = _page(stack, f"/verify?lang={lang}")
        assert status == 200 and words in html.unescape(body)
        assert re.search(r'<input[^>]+name="officer"', body)
