"""`PUT /officers/{officer_id}` replaces every writable field of the record (red team, issue 13,
finding 8): a field the caller leaves out is refused, never silently cleared; `null` clears an
optional one on purpose; a sergeant's record needs a phone and a duty. Refused: 400, nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api import openapi

ADMIN = "MP0001"
WRITABLE = ("given_name", "family_name", "rank", "status", "role", "phone", "photo", "duty")


def _record(stack, officer_id: str) -> dict[str, Any]:
    """The record as GET /officers/{id} shows it, as a body PUT takes back."""
    status, record = stack.call("GET", f"/officers/{officer_id}", ADMIN)
    assert status == 200, record
    return {k: record[k] for k in WRITABLE}


def _registry_changes(stack) -> list[dict[str, Any]]:
    events = [json.loads(i["event_json"]["S"]) for i in stack.stored_items() if "event_json" in i]
    return [e for e in events if e["type"] == "registry.changed"]


@pytest.mark.parametrize("field", WRITABLE)
def test_a_put_that_leaves_out_a_writable_field_is_refused_and_stores_nothing(stack, field):
    body = _record(stack, "MP2001")  # a sergeant: every field has a value
    before = stack.deps.registry.get("met", "MP2001")
    del body[field]
    status, answer = stack.call("PUT", "/officers/MP2001", ADMIN, body)
    assert (status, answer["error"]["code"]) == (400, "validation_error"), answer
    assert answer["error"]["message"].startswith(f"{field}: ")
    assert stack.deps.registry.get("met", "MP2001") == before
    assert _registry_changes(stack) == []


def test_null_clears_an_optional_field_on_purpose(stack):
    body = _record(stack, "MP4721")
    assert body["photo"] and body["phone"] and body["duty"] is None
    status, answer = stack.call("PUT", "/officers/MP4721", ADMIN, {**body, "photo": None, "phone": None})
    assert status == 200, answer
    assert (answer["photo"], answer["phone"]) == (None, None)
    stored = stack.deps.registry.get("met", "MP4721")
    assert (stored.photo, stored.phone, stored.photo_version_id, stored.photo_sha256) == (None, None, None, None)
    [change] = _registry_changes(stack)
    assert change["data"]["changed_fields"] == ["phone", "photo"]
    assert change["data"]["photo"]["to"] is None


@pytest.mark.parametrize("field, message", [
    ("phone", "phone: required for sergeants (E.164, e.g. +447700900123)"),
    ("duty", "duty: required for sergeants (available or off_duty)"),
])
def test_a_sergeant_without_a_phone_or_a_duty_is_refused(stack, field, message):
    body = {**_record(stack, "MP2001"), field: None}
    before = stack.deps.registry.get("met", "MP2001")
    status, answer = stack.call("PUT", "/officers/MP2001", ADMIN, body)
    assert (status, answer) == (400, {"error": {"code": "validation_error", "message": message}})
    assert stack.deps.registry.get("met", "MP2001") == before
    # ...and the same for a new sergeant, and for an officer made a sergeant: nothing is stored.
    assert stack.call("PUT", "/officers/MS9009", ADMIN, body)[0] == 400
    assert stack.deps.registry.get("met", "MS9009") is None
    promoted = {**_record(stack, "MP4721"), "role": "sergeant", "rank": "PS", "duty": "available", field: None}
    assert stack.call("PUT", "/officers/MP4721", ADMIN, promoted)[0] == 400
    assert stack.deps.registry.get("met", "MP4721").role.value == "officer"
    assert _registry_changes(stack) == []


def test_the_openapi_description_says_a_put_replaces_every_writable_field():
    document = openapi.openapi_document()
    schema = document["components"]["schemas"]["OfficerRecordRequest"]
    assert sorted(schema["required"]) == sorted(WRITABLE)
    description = document["paths"]["/officers/{officer_id}"]["put"]["description"]
    assert "every writable field" in description and "null" in description
