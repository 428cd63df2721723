"""The citizen's view (SPEC §4 "Public view"): no auth, no location, no notes, no phone numbers."""

from __future__ import annotations

START = {"location": {"lat": 51.5390, "lon": -0.1426, "accuracy_m": 9}, "area": "Camden High St"}
# SPEC §4, plus how the check was decided (§7.3): `method` and so who, `decided_by_role`.
PUBLIC_FIELDS = {"reference", "status", "officer", "confirmed_by", "method", "decided_by_role", "created_at",
                 "decided_at", "advice"}


def _started(stack):
    status, body = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201
    return body


def _public(stack, reference):
    return stack.call("GET", f"/public/verifications/{reference}")


def test_pending_view_has_exactly_the_public_fields(stack):
    started = _started(stack)
    status, view = _public(stack, started["reference"])
    assert status == 200
    assert set(view) == PUBLIC_FIELDS
    assert view["status"] == "awaiting_sergeant" and view["confirmed_by"] is None
    assert set(view["officer"]) == {"officer_id", "rank", "family_name", "photo_url"}
    assert view["officer"]["officer_id"] == "MP4721" and view["officer"]["rank"] == "PC"
    assert "MP4721.png" in view["officer"]["photo_url"] and "X-Amz-Expires=300" in view["officer"]["photo_url"]
    text = str(view)
    for secret in ("51.539", "-0.1426", "Camden", "+44", "Sam", "MeetingId"):
        assert secret not in text


def test_confirmed_view_names_the_sergeant_but_not_the_note(stack):
    started = _started(stack)
    vid = started["verification_id"]
    stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})
    stack.call("POST", f"/verifications/{vid}/outcome", "MP2002", {"outcome": "confirmed", "note": "scar on left hand"})
    status, view = _public(stack, started["reference"])
    assert status == 200 and view["status"] == "confirmed"
    assert view["confirmed_by"] == {"officer_id": "MP2002", "rank": "PS", "family_name": "Okafor"}
    assert view["decided_at"].endswith("Z")
    assert "scar" not in str(view)
    assert "serving police officer" in view["advice"]


def test_not_confirmed_tells_her_to_call_999(stack):
    started = _started(stack)
    vid = started["verification_id"]
    stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"})
    _, view = _public(stack, started["reference"])
    assert view["status"] == "not_confirmed" and view["confirmed_by"] is None
    assert view["advice"] == "This person could not be confirmed as a police officer. Call 999 now."


def test_reference_typed_loosely_still_works(stack):
    reference = _started(stack)["reference"]
    loose = reference.lower().replace("-", " ")
    status, view = stack.call("GET", f"/public/verifications/{loose.replace(' ', '%20')}")
    assert status == 200 and view["reference"] == reference
    status, view = _public(stack, reference.replace("-", "").removeprefix("SC"))
    assert status == 200 and view["reference"] == reference


def test_unknown_and_malformed_references_are_404(stack):
    _started(stack)
    for reference in ["SC-222-222-222", "SC-000-000-000", "hello", "SC-7KQ2-9XHM"]:
        status, body = _public(stack, reference)
        assert (status, body["error"]["code"]) == (404, "not_found"), reference


def test_visible_for_24_hours_only(stack, clock):
    reference = _started(stack)["reference"]
    clock.advance(hours=23, minutes=59)
    assert _public(stack, reference)[0] == 200
    clock.advance(minutes=2)
    status, body = _public(stack, reference)
    assert (status, body["error"]["code"]) == (404, "not_found")
