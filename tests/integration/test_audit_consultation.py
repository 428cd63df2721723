"""Issue 4 (DPA 2018 Part 3, s.62): consultation and disclosure are logged, not only changes.

Each read of a verification appends `verification.viewed` (who, when in UTC, why) to its chain;
registry reads and admin edits are one-event chains (`registry.viewed`, `registry.changed` with the
changed field names, never their values); no audit event carries personal data in plain text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.adapters.envelope import is_sealed
from chalicelib.domain.audit import GENESIS_HASH, verify_chain
from chalicelib.local.seed import DEMO_PEOPLE

START = {"location": {"lat": 51.5391, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
NOTE = "Warrant card checked outside Camden Town station"
MP4721_RECORD = {  # the seeded record, as an admin would send it back (PUT replaces the whole record)
    "given_name": "Sam", "family_name": "Jones", "rank": "PC", "status": "serving", "role": "officer",
    "phone": "+447700900001", "photo": "photos/met/MP4721.png", "duty": None,
}


def _start(stack, officer_id: str = "MP4721") -> str:
    status, started = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, started
    return started["verification_id"]


def _events(stack) -> dict[str, dict[str, Any]]:
    stack.pump_audit()
    return {key: body for key, body in stack.audit_objects().items() if key.startswith("audit/")}


def _chain(stack, chain_id: str) -> list[dict[str, Any]]:
    return sorted((e for e in _events(stack).values() if e["verification_id"] == chain_id), key=lambda e: e["seq"])


def _of_type(stack, event_type: str) -> list[dict[str, Any]]:
    return sorted((e for e in _events(stack).values() if e["type"] == event_type), key=lambda e: e["at"])


def test_each_role_reading_a_verification_appends_verification_viewed(stack):
    vid = _start(stack)
    readers = [("MP4721", "officer", "own_record"), ("MP2002", "sergeant", "operational_supervision"),
               ("MP0001", "admin", "registry_administration"), ("MP0002", "auditor", "audit")]
    for officer_id, _, _ in readers:
        stack.clock.advance(minutes=1)
        status, body = stack.call("GET", f"/verifications/{vid}", officer_id)
        assert status == 200, (officer_id, body)

    chain = _chain(stack, vid)
    viewed = chain[3:]
    assert [e["type"] for e in chain[:3]] == ["verification.requested", "sergeants.notified", "sms.sent"]
    assert len(viewed) == 4
    for minute, (event, (officer_id, role, reason)) in enumerate(zip(viewed, readers, strict=True), start=1):
        assert event["type"] == "verification.viewed", role
        assert event["actor"] == {"role": role, "officer_id": officer_id}
        assert event["data"] == {"reason": reason}
        assert event["at"] == f"2026-11-28T02:{47 + minute}:00.000Z"  # when, in UTC
    assert verify_chain(chain) == []

    # Reads that are refused disclose nothing, so they log no consultation.
    for caller in ("MP5102", "WP0101", "WP0102"):  # another officer; another force's admin and auditor
        assert stack.call("GET", f"/verifications/{vid}", caller)[0] == 404
    assert stack.call("GET", "/verifications/no-such-check", "MP0002")[0] == 404
    assert len(_chain(stack, vid)) == 7


def test_registry_reads_and_changes_are_logged_with_field_names_only(stack):
    for officer_id in ("MP0001", "MP0002"):
        status, record = stack.call("GET", "/officers/MP4721", officer_id)
        assert status == 200 and record["family_name"] == "Jones"
        stack.clock.advance(minutes=1)  # distinct times, so the events sort in call order
    assert stack.call("GET", "/officers/MP9999", "MP0001")[0] == 404  # nothing disclosed: nothing logged
    changed = {**MP4721_RECORD, "status": "suspended", "phone": "+447700900777"}
    status, body = stack.call("PUT", "/officers/MP4721", "MP0001", changed)
    assert status == 200, body
    stack.clock.advance(minutes=1)
    new_officer = {"given_name": "Ada", "family_name": "Quill", "rank": "PC", "status": "serving", "role": "officer",
                   "phone": None, "photo": None, "duty": None}
    assert stack.call("PUT", "/officers/MP8001", "MP0001", new_officer)[0] == 200

    viewed = _of_type(stack, "registry.viewed")
    assert [e["actor"] for e in viewed] == [{"role": "admin", "officer_id": "MP0001"},
                                            {"role": "auditor", "officer_id": "MP0002"}]
    assert [e["data"] for e in viewed] == [{"officer_id": "MP4721", "reason": "registry_administration"},
                                           {"officer_id": "MP4721", "reason": "audit"}]
    edits = _of_type(stack, "registry.changed")
    assert [e["data"]["officer_id"] for e in edits] == ["MP4721", "MP8001"]
    assert edits[0]["actor"] == {"role": "admin", "officer_id": "MP0001"}
    assert [e["at"] for e in viewed + edits] == [f"2026-11-28T02:{m}:00.000Z" for m in (47, 48, 49, 50)]
    assert edits[0]["data"] == {"officer_id": "MP4721", "created": False, "changed_fields": ["phone", "status"],
                                "reason": "registry_administration"}
    assert edits[1]["data"]["created"] is True
    assert edits[1]["data"]["changed_fields"] == ["family_name", "given_name", "rank", "role", "status"]
    for event in viewed + edits:  # each is its own one-event chain, linked to genesis
        assert event["seq"] == 1 and event["prev_hash"] == GENESIS_HASH and verify_chain([event]) == []
        text = _searchable(event)
        for value in ("Jones", "Sam", "+447700900777", "+447700900001", "Ada", "Quill", "suspended"):
            assert value not in text, (event["type"], value)


def _without_ciphertext(value: Any) -> Any:
    """Sealed values reduced to their marker, so base64 can't match a search by chance."""
    if is_sealed(value):
        return {"sealed": value["sealed"]}
    if isinstance(value, dict):
        return {k: _without_ciphertext(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_ciphertext(v) for v in value]
    return value


def _searchable(event: dict[str, Any]) -> str:
    """The event's text without random material (ids, hashes, ciphertext) that could contain a name by chance."""
    blanked = {k: v for k, v in event.items() if k not in ("event_id", "verification_id", "hash", "prev_hash")}
    return json.dumps(_without_ciphertext(blanked), ensure_ascii=False)


def test_no_audit_event_holds_personal_data_in_plain_text(stack):
    vid = _start(stack)
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    for reader in ("MP4721", "MP2001", "MP0001", "MP0002"):
        assert stack.call("GET", f"/verifications/{vid}", reader)[0] == 200
    assert (
        stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed", "note": NOTE})[0]
        == 200
    )
    assert stack.call("GET", "/officers/MP2001", "MP0002")[0] == 200
    assert stack.call("PUT", "/officers/MP4721", "MP0001", {**MP4721_RECORD, "status": "suspended"})[0] == 200
    assert stack.call("POST", "/verifications", "MP3390", START)[0] == 403  # the suspended officer's attempt

    events = _events(stack)
    types = {e["type"] for e in events.values()}
    assert {"verification.viewed", "registry.viewed", "registry.changed", "sms.sent", "registry.disclosed",
            "verification.not_confirmed", "officer_not_serving.attempt"} <= types

    # SMS recipients are recorded by officer id, never by phone number.
    (sms,) = [e for e in events.values() if e["type"] == "sms.sent"]
    assert sms["data"]["recipients"] == ["MP2001", "MP2002", "MP2003"]

    people = [p for p in DEMO_PEOPLE if p.force == "met"]
    names = {p.given_name for p in people} | {p.family_name for p in people}
    assert {"Sam", "Jones", "Aisha", "Patel"} <= names
    values = {p.phone for p in people} | {"447700", "51.539", "-0.1426", "Camden", "Warrant card"}
    sealed_fields = 0
    for key, event in events.items():
        for field in ("location", "area", "note"):
            if field in event["data"]:
                assert is_sealed(event["data"][field]), (key, field)
                assert set(event["data"][field]) == {"sealed", "ciphertext"}
                sealed_fields += 1
        text = _searchable(event)
        for name in names:
            assert not re.search(rf"\b{re.escape(name)}\b", text), (key, event["type"], name)
        for value in values:
            assert value not in text, (key, event["type"], value)
    assert sealed_fields == 5  # location + area of the request and of the attempt, and the outcome note


def test_a_sergeant_listing_verifications_is_logged_as_a_consultation(stack):
    vid = _start(stack)
    status, listed = stack.call("GET", "/verifications", "MP2002")
    assert status == 200
    assert [item["verification_id"] for item in listed["items"]] == [vid]
    assert listed["items"][0]["location"]["lat"] == 51.5391  # personal data disclosed to the caller

    viewed = [e for e in _chain(stack, vid) if e["type"] == "verification.viewed"]
    assert [e["actor"] for e in viewed] == [{"role": "sergeant", "officer_id": "MP2002"}]
