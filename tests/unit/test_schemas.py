"""SPEC §4: strict request models; ValidationFailed messages name the offending field."""

from __future__ import annotations

import json
import math

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role
from chalicelib.domain.verification import Outcome, Status
from chalicelib.schemas import (
    DutyRequest,
    EmptyRequest,
    OfficerRecordRequest,
    OutcomeRequest,
    StartVerificationRequest,
    parse,
    registry_record_view,
    valid_officer_id,
    verification_view,
)

from .factories import SERGEANT, T2, in_state, verification


def start(location=None, **extra):
    body = {"location": {"lat": 51.5391, "lon": -0.1426} if location is None else location}
    body.update(extra)
    return body


def officer_body(**changes):
    body = {
        "given_name": "Sam",
        "family_name": "Jones",
        "rank": "PC",
        "status": "serving",
        "role": "officer",
        "phone": None,
        "photo": None,
        "duty": None,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def sergeant_body(**changes):
    return officer_body(
        **{"rank": "PS", "role": "sergeant", "phone": "+447700900815", "duty": "available", **changes}
    )


def fails(model, data, field: str) -> str:
    with pytest.raises(ValidationFailed) as raised:
        parse(model, data)
    assert raised.value.code == "validation_error"
    message = raised.value.message
    assert message.startswith(f"{field}: "), message
    assert len(message) > len(field) + 2
    return message


# ---- POST /verifications -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"lat": 90.0001, "lon": 0}, "location.lat"),
        ({"lat": -90.5, "lon": 0}, "location.lat"),
        ({"lat": 0, "lon": 180.01}, "location.lon"),
        ({"lat": 0, "lon": -181}, "location.lon"),
        ({"lat": math.nan, "lon": 0}, "location.lat"),
        ({"lat": 0, "lon": math.inf}, "location.lon"),
        ({"lat": 0, "lon": -math.inf}, "location.lon"),
        ({"lat": 0, "lon": 0, "accuracy_m": math.nan}, "location.accuracy_m"),
        ({"lat": 0, "lon": 0, "accuracy_m": -1}, "location.accuracy_m"),
        ({"lat": 0, "lon": 0, "accuracy_m": 100_001}, "location.accuracy_m"),
        ({"lat": "51.5", "lon": 0}, "location.lat"),
        ({"lat": 0, "lon": "-0.14"}, "location.lon"),
        ({"lat": 0, "lon": 0, "accuracy_m": "5"}, "location.accuracy_m"),
        ({"lat": True, "lon": 0}, "location.lat"),
        ({"lat": 0, "lon": False}, "location.lon"),
        ({"lat": 0, "lon": 0, "accuracy_m": True}, "location.accuracy_m"),
        ({"lat": None, "lon": 0}, "location.lat"),
        ({"lat": [51.5], "lon": 0}, "location.lat"),
        ({"lon": 0}, "location.lat"),
        ({"lat": 0}, "location.lon"),
        ({"lat": 0, "lon": 0, "alt": 30}, "location.alt"),
        ("51.5,-0.14", "location"),
    ],
)
def test_bad_location_is_rejected_naming_the_field(location, field):
    fails(StartVerificationRequest, start(location), field)


def test_out_of_range_message_says_what_the_range_is():
    assert fails(StartVerificationRequest, start({"lat": 91, "lon": 0}), "location.lat") == (
        "location.lat: Input should be less than or equal to 90"
    )


def test_nan_and_infinity_from_json_text_are_rejected():
    # Python's json module accepts NaN/Infinity and 1e400 (-> inf); the schema must not.
    for text in ('{"lat": NaN, "lon": 0}', '{"lat": 0, "lon": Infinity}', '{"lat": 1e400, "lon": 0}'):
        location = json.loads(text)
        with pytest.raises(ValidationFailed) as raised:
            parse(StartVerificationRequest, start(location))
        assert raised.value.message.startswith("location.l")


def test_area_alone_is_enough_when_the_phone_gives_no_position():
    request = parse(StartVerificationRequest, {"area": "Camden High St"})
    assert request.location is None and request.area == "Camden High St"


@pytest.mark.parametrize("body", [{}, {"location": None}, {"area": None}, {"location": None, "area": None}])
def test_neither_location_nor_area_is_refused(body):
    with pytest.raises(ValidationFailed) as raised:
        parse(StartVerificationRequest, body)
    assert raised.value.message == "location or area is required"


@pytest.mark.parametrize("area", ["", "   ", "\n\t"])
def test_empty_area(area):
    fails(StartVerificationRequest, start(area=area), "area")


@pytest.mark.parametrize("area", [5, True, ["Camden"]])
def test_area_must_be_a_string(area):
    fails(StartVerificationRequest, start(area=area), "area")


def test_overlong_area():
    fails(StartVerificationRequest, start(area="x" * 81), "area")
    assert parse(StartVerificationRequest, start(area="x" * 80)).area == "x" * 80


def test_unknown_top_level_field():
    assert fails(StartVerificationRequest, start(officer_id="MP4721"), "officer_id") == (
        "officer_id: unknown field"
    )


@pytest.mark.parametrize("body", [None, [], "location", 42])
def test_body_must_be_an_object(body):
    with pytest.raises(ValidationFailed) as raised:
        parse(StartVerificationRequest, body)
    assert "dictionary" in raised.value.message


@pytest.mark.parametrize(
    ("location", "area", "expected"),
    [
        ({"lat": 51.5391, "lon": -0.1426}, None, (51.5391, -0.1426, None, None)),
        ({"lat": 90, "lon": 180, "accuracy_m": 0}, "  Camden High St ", (90.0, 180.0, 0.0, "Camden High St")),
        ({"lat": -90, "lon": -180, "accuracy_m": 100_000}, "Łódź", (-90.0, -180.0, 100_000.0, "Łódź")),
        ({"lat": 53, "lon": -4, "accuracy_m": None}, None, (53.0, -4.0, None, None)),
    ],
)
def test_valid_start_requests(location, area, expected):
    body = start(location) if area is None else start(location, area=area)
    parsed = parse(StartVerificationRequest, body)
    loc = parsed.location
    assert (loc.lat, loc.lon, loc.accuracy_m, parsed.area) == expected
    assert isinstance(loc.lat, float) and isinstance(loc.lon, float)


# ---- outcome, duty, empty bodies ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "CONFIRMED"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": True}, "outcome"),
        ({"outcome": "confirmed", "note": "x" * 501}, "note"),
        ({"outcome": "confirmed", "note": ""}, "note"),
        ({"outcome": "confirmed", "note": 7}, "note"),
        ({"outcome": "confirmed", "reason": "x"}, "reason"),
    ],
)
def test_bad_outcome_requests(body, field):
    fails(OutcomeRequest, body, field)


def test_valid_outcome_requests():
    assert parse(OutcomeRequest, {"outcome": "not_confirmed"}).note is None
    parsed = parse(OutcomeRequest, {"outcome": "confirmed", "note": " " + "n" * 500 + " "})
    assert (parsed.outcome, parsed.note) == ("confirmed", "n" * 500)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "busy"}, "status"), ({}, "status"), ({"status": "available", "x": 1}, "x")],
)
def test_bad_duty_requests(body, field):
    fails(DutyRequest, body, field)


@pytest.mark.parametrize("status", ["available", "off_duty"])
def test_valid_duty_requests(status):
    assert parse(DutyRequest, {"status": status}).status == status


def test_empty_request_accepts_only_empty_object():
    assert parse(EmptyRequest, {}) == EmptyRequest()
    assert fails(EmptyRequest, {"sergeant_id": "MS0815"}, "sergeant_id") == "sergeant_id: unknown field"


# ---- PUT /officers/{officer_id} ----------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "07700900123",
        "+44 7700 900123",
        "447700900123",
        "+44-7700-900123",
        "+0447700900123",
        "+1234567",  # too short
        "+1234567890123456",  # 16 digits: longer than E.164 allows
        "+44770090012a",
        "",
        " +447700900123",
    ],
)
def test_bad_phone_formats(phone):
    fails(OfficerRecordRequest, sergeant_body(phone=phone), "phone")


def test_sergeant_without_phone():
    message = fails(OfficerRecordRequest, sergeant_body(phone=None), "phone")
    assert "required for sergeants" in message
    message = fails(OfficerRecordRequest, sergeant_body(phone=...), "phone")
    assert "a PUT replaces every writable field" in message


@pytest.mark.parametrize("role", ["officer", "admin", "auditor"])
@pytest.mark.parametrize("duty", ["available", "off_duty"])
def test_duty_only_for_sergeants(role, duty):
    message = fails(OfficerRecordRequest, officer_body(role=role, duty=duty), "duty")
    assert message == "duty: only sergeants have a duty status"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rank": "Sergeant"}, "rank"),
        ({"rank": "pc"}, "rank"),
        ({"status": "retired"}, "status"),
        ({"role": "superuser"}, "role"),
        ({"given_name": ""}, "given_name"),
        ({"family_name": "   "}, "family_name"),
        ({"family_name": "x" * 61}, "family_name"),
        ({"given_name": ...}, "given_name"),
        ({"photo": "../etc/passwd"}, "photo"),
        ({"photo": "/abs/key.jpg"}, "photo"),
        ({"officer_id": "MP4721"}, "officer_id"),  # the id is the path, not the body
        ({"force": "met"}, "force"),
    ],
)
def test_bad_officer_records(changes, field):
    fails(OfficerRecordRequest, officer_body(**changes), field)


def test_valid_officer_and_sergeant_records():
    officer = parse(OfficerRecordRequest, officer_body(photo="photos/met/MP4721.jpg", given_name=" Sam "))
    assert officer.to_record("met", "MP4721") == RegistryRecord(
        force="met",
        officer_id="MP4721",
        given_name="Sam",
        family_name="Jones",
        rank="PC",
        status=OfficerStatus.SERVING,
        role=Role.OFFICER,
        phone=None,
        photo="photos/met/MP4721.jpg",
        duty=None,
    )
    sergeant = parse(OfficerRecordRequest, sergeant_body()).to_record("met", "MS0815")
    assert (sergeant.role, sergeant.phone, sergeant.duty) == (Role.SERGEANT, "+447700900815", Duty.AVAILABLE)


def test_a_sergeant_needs_a_duty_and_a_left_out_field_is_refused_not_cleared():
    assert fails(OfficerRecordRequest, sergeant_body(duty=None), "duty") == (
        "duty: required for sergeants (available or off_duty)")
    for field in ("phone", "photo", "duty", "given_name"):
        message = fails(OfficerRecordRequest, officer_body(**{field: ...}), field)
        assert "a PUT replaces every writable field" in message and "null clears" in message


def test_non_sergeant_may_have_a_phone():
    record = parse(OfficerRecordRequest, officer_body(phone="+447700900001")).to_record("met", "MP1")
    assert record.phone == "+447700900001"


def test_registry_record_view_round_trip():
    record = parse(OfficerRecordRequest, sergeant_body()).to_record("met", "MS0815")
    assert registry_record_view(record) == {
        "force": "met",
        "officer_id": "MS0815",
        "given_name": "Sam",
        "family_name": "Jones",
        "rank": "PS",
        "status": "serving",
        "role": "sergeant",
        "phone": "+447700900815",
        "photo": None,
        "duty": "available",
    }


@pytest.mark.parametrize(
    ("officer_id", "ok"),
    [("MP4721", True), ("a", True), ("MP_47-21", True), ("x" * 32, True), ("x" * 33, False),
     ("", False), ("-MP", False), ("MP 4721", False), ("MP/4721", False), ("MP\n4721", False)],
)
def test_valid_officer_id(officer_id, ok):
    assert valid_officer_id(officer_id) is ok


@pytest.mark.parametrize("officer_id", ["MP4721\n", "x" * 32 + "\n"])
def test_officer_id_with_trailing_newline_is_invalid(officer_id):
    assert valid_officer_id(officer_id) is False


# ---- the Verification JSON (SPEC §4) -----------------------------------------------------------

SPEC_VERIFICATION_FIELDS = {
    "verification_id", "reference", "status", "force", "officer", "sergeant", "location", "area",
    "created_at", "accepted_at", "decided_at", "outcome_note",
}
# Issue 3 adds the voice-fallback flag and plain advice for the officer to the same object.
ESCALATION_FIELDS = {"voice_fallback", "advice"}
# Issue 15 (SPEC §7.3): how the decision was made, and who recorded it.
DECISION_FIELDS = {"method", "decided_by"}


def test_verification_view_awaiting():
    view = verification_view(verification(meeting={"MeetingId": "m-1"}, audit_seq=3, audit_head="a" * 64))
    assert set(view) == SPEC_VERIFICATION_FIELDS | ESCALATION_FIELDS | DECISION_FIELDS
    assert view == {
        "verification_id": "3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f",
        "reference": "SC-7KQ-29X-HMP",
        "status": "awaiting_sergeant",
        "force": "met",
        "officer": {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"},
        "sergeant": None,
        "location": {"lat": 51.539124, "lon": -0.142611, "accuracy_m": 12.0},
        "area": "Camden High St",
        "created_at": "2026-11-28T02:47:00.000Z",
        "accepted_at": None,
        "decided_at": None,
        "outcome_note": None,
        "method": None,
        "decided_by": None,
        "voice_fallback": False,
        "advice": "Sergeants are being texted. Stay with the person and keep the call open.",
    }
    json.dumps(view)  # serialisable as is


def test_verification_view_decided():
    decided = in_state(Status.CONNECTED).decide(SERGEANT.officer_id, Outcome.CONFIRMED, "ok", T2)
    view = verification_view(decided)
    assert view["status"] == "confirmed"
    assert view["sergeant"] == {
        "officer_id": "MS0815", "rank": "PS", "given_name": "Ana", "family_name": "Okafor",
    }
    assert view["accepted_at"] == "2026-11-28T02:48:30.250Z"
    assert view["decided_at"] == "2026-11-28T02:52:10.000Z"
    assert view["outcome_note"] == "ok"
    assert view["method"] == "video"
    assert view["decided_by"] == {"officer_id": "MS0815", "rank": "PS", "family_name": "Okafor", "role": "sergeant"}
