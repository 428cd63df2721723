"""Bad input on every body route: the SPEC error body and code, and nothing stored, sent or audited."""

from __future__ import annotations

import json

import pytest

START = {"location": {"lat": 51.5390, "lon": -0.1426}, "area": "Camden High St"}


def _snapshot(stack) -> tuple:
    stack.pump_audit()
    return (len(stack.stored_items()), len(stack.sms()), len(stack.audit_objects()), len(stack.standin.meetings))


BAD_START = [
    ("{not json", "invalid_json", 400),
    ("[1, 2]", "validation_error", 400),
    ('"just a string"', "validation_error", 400),
    (json.dumps({}), "validation_error", 400),
    (json.dumps({"location": {"lat": 91, "lon": 0}}), "validation_error", 400),
    (json.dumps({"location": {"lat": -90.5, "lon": 0}}), "validation_error", 400),
    (json.dumps({"location": {"lat": 0, "lon": 180.01}}), "validation_error", 400),
    (json.dumps({"location": {"lat": "51.5", "lon": 0}}), "validation_error", 400),
    (json.dumps({"location": {"lat": True, "lon": 0}}), "validation_error", 400),
    (json.dumps({"location": {"lat": None, "lon": 0}}), "validation_error", 400),
    ('{"location": {"lat": NaN, "lon": 0}}', "invalid_json", 400),
    ('{"location": {"lat": Infinity, "lon": 0}}', "invalid_json", 400),
    (json.dumps({"location": {"lat": 0, "lon": 0, "accuracy_m": -1}}), "validation_error", 400),
    (json.dumps({"location": {"lat": 0, "lon": 0}, "area": ""}), "validation_error", 400),
    (json.dumps({"location": {"lat": 0, "lon": 0}, "area": 12}), "validation_error", 400),
    (json.dumps({"location": {"lat": 0, "lon": 0}, "area": "x" * 81}), "validation_error", 400),
    (json.dumps({**START, "officer_id": "MP9999"}), "validation_error", 400),
    (json.dumps({"location": {"lat": 0, "lon": 0, "alt": 3}}), "validation_error", 400),
    (json.dumps({**START, "area": "a" * 17_000}), "payload_too_large", 413),
    # Found by fuzzing: a lone surrogate is valid JSON but cannot be encoded into an SMS.
    ('{"location": {"lat": 0, "lon": 0}, "area": "Camden \\udafc"}', "validation_error", 400),
    (json.dumps({"location": {"lat": 0, "lon": 0}, "area": "Camden\u0002"}), "validation_error", 400),
    (json.dumps({"location": {"lat": 0, "lon": 0}, "area": "Camden\nHigh St"}), "validation_error", 400),
    # Red team (issue 13): deeply nested JSON made the parser give up with a 500.
    ("[" * 5000 + "]" * 5000, "invalid_json", 400),
    ('{"location": ' + "[" * 5000 + "]" * 5000 + "}", "invalid_json", 400),
    # Red team (issue 13): nothing typed may pass for a second link, address or number in the SMS.
    *[(json.dumps({**START, "area": area}), "validation_error", 400) for area in (
        "x. Open ev.il/s/Ab1", "Camden, see https://ev.il", "www.ev.il", "met-police.co.uk",
        "call 07700 900123", "ring +44 20 7946 0000", "help@ev.il",
    )],
]


@pytest.mark.parametrize("raw,code,status", BAD_START)
def test_start_rejects_bad_input_and_stores_nothing(stack, raw, code, status):
    before = _snapshot(stack)
    got_status, body = stack.call("POST", "/verifications", "MP4721", raw=raw)
    assert (got_status, body["error"]["code"]) == (status, code), body
    assert set(body) == {"error"} and isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert _snapshot(stack) == before


def test_a_spoofed_link_is_refused_with_the_reason(stack):
    status, body = stack.call("POST", "/verifications", "MP4721", {**START, "area": "x. Open ev.il/s/Ab1"})
    assert (status, body["error"]["code"]) == (400, "validation_error")
    assert body["error"]["message"].startswith("area: must not look like a web address")


@pytest.mark.parametrize("area", ["Near St. Pancras", "Outside No.10 Downing St", "Oxford St. by the M&S", "NW1 7AB"])
def test_ordinary_places_still_go_into_the_sms_with_the_real_link_last(stack, area):
    status, started = stack.call("POST", "/verifications", "MP4721", {**START, "area": area})
    assert status == 201, started
    texts = [text for _, text in stack.sms()]
    assert texts and all(text.endswith(f"/s/{started['verification_id']}") for text in texts)


def test_coordinates_are_stored_to_seven_places(stack):
    """Found by fuzzing: a longitude of 1e-191 (valid JSON) could not be stored in DynamoDB (500)."""
    body = {"location": {"lat": 51.53901234567, "lon": 1.4019192969830867e-191, "accuracy_m": 1e-200}}
    status, started = stack.call("POST", "/verifications", "MP4721", body)
    assert status == 201, started
    assert started["location"] == {"lat": 51.5390123, "lon": 0.0, "accuracy_m": 0.0}
    stored = stack.deps.verifications.get(started["verification_id"]).location
    assert (stored.lat, stored.lon) == (51.5390123, 0.0)


def test_validation_message_names_the_field(stack):
    _, body = stack.call("POST", "/verifications", "MP4721", {"location": {"lat": 91, "lon": 0}})
    assert body["error"]["message"].startswith("location.lat:")
    _, body = stack.call("POST", "/verifications", "MP4721", {**START, "colour": "blue"})
    assert body["error"]["message"] == "colour: unknown field"


@pytest.fixture
def awaiting(stack):
    status, body = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201
    return body["verification_id"]


@pytest.fixture
def connected(stack, awaiting):
    assert stack.call("POST", f"/verifications/{awaiting}/accept", "MP2001", {})[0] == 200
    return awaiting


@pytest.mark.parametrize(
    "raw,code,status",
    [
        ("{", "invalid_json", 400),
        (json.dumps({"please": True}), "validation_error", 400),
        (json.dumps([]), "validation_error", 400),
        ("{" + '"x":1,' * 4000 + '"y":1}', "payload_too_large", 413),
    ],
)
@pytest.mark.parametrize("action,caller", [("accept", "MP2001"), ("cancel", "MP4721")])
def test_empty_body_routes(stack, awaiting, raw, code, status, action, caller):
    before = _snapshot(stack)
    got_status, body = stack.call("POST", f"/verifications/{awaiting}/{action}", caller, raw=raw)
    assert (got_status, body["error"]["code"]) == (status, code), body
    assert _snapshot(stack) == before
    assert stack.deps.verifications.get(awaiting).status.value == "awaiting_sergeant"


@pytest.mark.parametrize(
    "raw,code",
    [
        ("not json", "invalid_json"),
        (json.dumps({}), "validation_error"),
        (json.dumps({"outcome": "maybe"}), "validation_error"),
        (json.dumps({"outcome": "CONFIRMED"}), "validation_error"),
        (json.dumps({"outcome": True}), "validation_error"),
        (json.dumps({"outcome": "confirmed", "note": "n" * 501}), "validation_error"),
        (json.dumps({"outcome": "confirmed", "note": 5}), "validation_error"),
        (json.dumps({"outcome": "confirmed", "by": "MP2002"}), "validation_error"),
        (json.dumps({"outcome": "confirmed", "note": "bell\u0007"}), "validation_error"),
        ('{"outcome": "confirmed", "note": "half \\ud83d"}', "validation_error"),
    ],
)
def test_outcome_rejects_bad_input(stack, connected, raw, code):
    before = _snapshot(stack)
    status, body = stack.call("POST", f"/verifications/{connected}/outcome", "MP2001", raw=raw)
    assert (status, body["error"]["code"]) == (400, code), body
    assert _snapshot(stack) == before
    assert stack.deps.verifications.get(connected).status.value == "connected"
    assert stack.alerts() == []


def test_a_note_may_have_line_breaks(stack, connected):
    note = "Face matches the registry photo.\nChecked warrant card number too."
    status, body = stack.call("POST", f"/verifications/{connected}/outcome", "MP2001",
                              {"outcome": "confirmed", "note": note})
    assert status == 200, body
    assert stack.deps.verifications.get(connected).outcome_note == note


@pytest.mark.parametrize(
    "body",
    [{}, {"status": "busy"}, {"status": None}, {"status": "available", "until": "06:00"}, {"duty": "available"}],
)
def test_duty_rejects_bad_input(stack, body):
    status, reply = stack.call("PUT", "/me/duty", "MP2004", body)
    assert (status, reply["error"]["code"]) == (400, "validation_error"), reply
    assert stack.deps.registry.get("met", "MP2004").duty.value == "off_duty"


GOOD_SERGEANT = {
    "given_name": "Ffion", "family_name": "Rees", "rank": "PS", "status": "serving",
    "role": "sergeant", "phone": "+447700900555", "photo": None, "duty": "available",
}


@pytest.mark.parametrize(
    "change",
    [
        {"phone": "07700900555"},
        {"phone": "447700900555"},
        {"phone": "+44 7700 900555"},
        {"phone": "+44770090055512345"},
        {"phone": None},
        {"rank": "Captain"},
        {"status": "retired"},
        {"role": "superuser"},
        {"duty": "sleeping"},
        {"given_name": ""},
        {"given_name": "Ffion\u0000"},
        {"family_name": "Rees\r\nX-Injected: 1"},
        {"family_name": 7},
        {"photo": "../../etc/passwd"},
        {"shoe_size": 9},
    ],
)
def test_registry_put_rejects_bad_records(stack, change):
    record = {k: v for k, v in {**GOOD_SERGEANT, **change}.items() if v is not None or k != "phone"}
    status, body = stack.call("PUT", "/officers/MS9001", "MP0001", record)
    assert (status, body["error"]["code"]) == (400, "validation_error"), body
    assert stack.deps.registry.get("met", "MS9001") is None


def test_registry_put_rejects_bad_officer_id(stack):
    status, body = stack.call("PUT", "/officers/has%20space", "MP0001", GOOD_SERGEANT)
    assert (status, body["error"]["code"]) == (400, "validation_error"), body


def test_registry_put_accepts_a_good_sergeant_who_then_gets_texted(stack):
    status, body = stack.call("PUT", "/officers/MS9001", "MP0001", GOOD_SERGEANT)
    assert status == 200 and body["phone"] == "+447700900555" and body["force"] == "met"
    assert stack.call("POST", "/verifications", "MP4721", START)[0] == 201
    stack.advance(stack.settings.wave_interval_seconds)  # the fourth sergeant is in wave 2
    assert "+447700900555" in [phone for phone, _ in stack.sms()]


def test_non_sergeant_duty_defaults_and_errors(stack):
    record = {**GOOD_SERGEANT, "role": "officer", "rank": "PC"}
    status, body = stack.call("PUT", "/officers/MS9002", "MP0001", record)
    assert status == 400 and "duty" in body["error"]["message"]


def test_method_not_allowed_uses_the_error_body(stack):
    status, body = stack.call("DELETE", "/verifications", "MP4721")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"


def test_unsupported_content_type_uses_the_error_body(stack):
    status, body = stack.call(
        "POST", "/verifications", "MP4721", START, headers={"Content-Type": "text/plain"}
    )
    assert status == 415 and body["error"]["code"] == "unsupported_media_type"
    assert stack.stored_items() == []
