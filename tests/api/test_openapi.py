"""OpenAPI 3.1 (issue 7): generated from the pydantic models, complete, committed up to date, and
true to what the routes really answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from chalicelib.api import openapi

PROJECT = Path(__file__).resolve().parents[2]
START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 10}, "area": "Camden High St"}


def test_the_document_is_valid_openapi_3_1():
    document = openapi.openapi_document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_of_the_app_is_described_and_nothing_else():
    import app

    served = {(method.lower(), path) for path, methods in app.app.routes.items() for method in methods}
    described = {(method, path) for path, operations in openapi.openapi_document()["paths"].items()
                 for method in operations}
    assert served == described


def test_every_error_code_of_the_spec_is_in_the_error_schema():
    spec_codes = {"invalid_json", "validation_error", "unauthenticated", "forbidden", "officer_not_serving",
                  "not_on_duty", "cannot_verify_self", "not_found", "already_accepted", "invalid_state",
                  "active_verification_exists", "idempotency_conflict", "payload_too_large", "rate_limited"}
    schema = openapi.openapi_document()["components"]["schemas"]["ErrorDetail"]
    assert spec_codes <= set(schema["properties"]["code"]["enum"])


def test_committed_copy_is_up_to_date():
    committed = (PROJECT / "docs" / "openapi.json").read_text()
    assert committed == openapi.render(), "docs/openapi.json is stale: run `make openapi`"


def test_served_at_openapi_json_without_sign_in(stack):
    response = stack.client.http.get("/openapi.json")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body) == openapi.openapi_document()


def _documented(method: str, path: str, status: int) -> dict:
    operation = openapi.openapi_document()["paths"][path][method]
    assert str(status) in operation["responses"], (method, path, status)
    return operation["responses"][str(status)]


def _conforms(model, method: str, path: str, status: int, body) -> None:
    """The real body validates against the documented response model (extra fields forbidden)."""
    ref = _documented(method, path, status)["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/" + model.__name__)
    model.model_validate(body)


def _error_conforms(method: str, path: str, status: int, body) -> None:
    response = _documented(method, path, status)
    codes = response["content"]["application/json"]["schema"]["properties"]["error"]["properties"]["code"]["enum"]
    openapi.ErrorBody.model_validate(body)
    assert body["error"]["code"] in codes, (method, path, status, body)


def test_real_responses_of_a_whole_lifecycle_match_the_document(stack):
    V = "/verifications/{verification_id}"
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    _conforms(openapi.StartedVerification, "post", "/verifications", status, started)
    vid = started["verification_id"]
    _conforms(openapi.Verification, "get", V, *stack.call("GET", f"/verifications/{vid}", "MP4721"))
    _conforms(openapi.VerificationList, "get", "/verifications",
              *stack.call("GET", "/verifications?status=awaiting_sergeant", "MP2001"))
    _conforms(openapi.PublicView, "get", "/public/verifications/{reference}",
              *stack.call("GET", f"/public/verifications/{started['reference']}"))
    _conforms(openapi.AcceptedVerification, "post", V + "/accept",
              *stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {}))
    _error_conforms("post", V + "/accept", *stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {}))
    _conforms(openapi.Verification, "post", V + "/outcome",
              *stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed", "note": "ok"}))
    _error_conforms("post", V + "/cancel", *stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {}))
    _conforms(openapi.DutyStatus, "put", "/me/duty", *stack.call("PUT", "/me/duty", "MP2003", {"status": "off_duty"}))
    _conforms(openapi.RegistryRecord, "get", "/officers/{officer_id}", *stack.call("GET", "/officers/MP2001", "MP0001"))
    _conforms(openapi.Health, "get", "/health", *stack.call("GET", "/health"))


def test_real_control_room_responses_match_the_document(stack):
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    vid = started["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"})[0] == 200
    assert stack.call("POST", "/verifications", "MP5102", START)[0] == 201
    status, board = stack.call("GET", "/control/board", "MP0003")
    _conforms(openapi.ControlBoard, "get", "/control/board", status, board)
    assert len(board["active"]) == 1 and len(board["alerts"]) == 1
    ack = "/control/alerts/{alert_id}/acknowledge"
    path = f"/control/alerts/{board['alerts'][0]['alert_id']}/acknowledge"
    _conforms(openapi.Alert, "post", ack, *stack.call("POST", path, "MP0003", {"note": "Units sent"}))
    _error_conforms("post", ack, *stack.call("POST", path, "MP0003", {}))
    _error_conforms("post", ack, *stack.call("POST", path, "WP0103", {}))


@pytest.mark.parametrize("method, path, template, officer, body", [
    ("GET", "/control/board", "/control/board", "MP4721", None),
    ("GET", "/control/board", "/control/board", None, None),
    ("POST", "/control/alerts/x.y/acknowledge", "/control/alerts/{alert_id}/acknowledge", "MP0003", {}),
    ("POST", "/control/alerts/x.y/acknowledge", "/control/alerts/{alert_id}/acknowledge", "MP0003", {"a": 1}),
    ("POST", "/verifications", "/verifications", None, START),
    ("POST", "/verifications", "/verifications", "MP4721", {"location": {"lat": 91, "lon": 0}}),
    ("POST", "/verifications", "/verifications", "MP3390", START),
    ("GET", "/verifications/nope", "/verifications/{verification_id}", "MP4721", None),
    ("POST", "/verifications/nope/accept", "/verifications/{verification_id}/accept", "MP2004", {}),
    ("PUT", "/officers/MP4721", "/officers/{officer_id}", "MP0001", {"rank": "PC"}),
    ("GET", "/public/verifications/SC-AAA-AAA-AAA", "/public/verifications/{reference}", None, None),
])
def test_error_responses_match_the_document(stack, method, path, template, officer, body):
    status, answer = stack.call(method, path, officer, body)
    assert status >= 400
    _error_conforms(method.lower(), template, status, answer)


def test_a_radio_confirmation_and_its_public_view_match_the_document(stack):
    from chalicelib.domain.registry import OfficerStatus, RegistryRecord, Role

    stack.deps.registry.put(RegistryRecord(force="met", officer_id="MP7001", given_name="Tariq", family_name="Osei",
                                           rank="PC", status=OfficerStatus.SERVING, role=Role.CONTROL_ROOM))
    control = stack.tokens.header("control_room", "met", "MP7001")
    path = "/verifications/{verification_id}/radio-confirmation"
    _, started = stack.call("POST", "/verifications", "MP4721", START)
    vid = started["verification_id"]
    status, body = stack.call("POST", f"/verifications/{vid}/radio-confirmation", body={"outcome": "confirmed"},
                              headers=control)
    _conforms(openapi.Verification, "post", path, status, body)
    assert body["method"] == "radio" and body["decided_by"]["role"] == "control_room"
    _conforms(openapi.PublicView, "get", "/public/verifications/{reference}",
              *stack.call("GET", f"/public/verifications/{started['reference']}"))
    _error_conforms("post", path, *stack.call("POST", f"/verifications/{vid}/radio-confirmation",
                                              body={"outcome": "confirmed"}, headers=control))
    _error_conforms("post", path, *stack.call("POST", f"/verifications/{vid}/radio-confirmation", "MP2001",
                                              {"outcome": "confirmed"}))
