"""Verification routes (SPEC §4, §7.3): officers start and cancel, sergeants accept and decide, the
control room confirms by radio."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from ..bootstrap import get_dependencies
from . import presenters
from .errors import JSON_HEADERS, Headers, json_endpoint
from .requests import authenticate, idempotency_key, json_body, json_object, query_param

if TYPE_CHECKING:
    from ..schemas.decisions import EmptyRequest, OutcomeRequest, RadioConfirmationRequest
    from ..schemas.start_body import parse_start_body
    from ..services import deciding, reading, starting
else:  # imported by the first request that needs them (api/lazy.py): a start never loads the deciding
    from .lazy import lazy_modules, lazy_names

    deciding, reading, starting = lazy_modules(
        "chalicelib.services.deciding", "chalicelib.services.reading", "chalicelib.services.starting"
    )
    EmptyRequest, OutcomeRequest, RadioConfirmationRequest = lazy_names(
        "chalicelib.schemas.decisions", "EmptyRequest", "OutcomeRequest", "RadioConfirmationRequest"
    )
    (parse_start_body,) = lazy_names("chalicelib.schemas.start_body", "parse_start_body")

verifications = Blueprint(__name__)


@verifications.route("/verifications", methods=["POST"])
@json_endpoint
def start_verification() -> Response:
    request = verifications.current_request
    principal = authenticate(request, registry_checked_by_use_case=True)
    # checked in plain Python, with the model's own messages (schemas/start_body.py): no pydantic import
    body = parse_start_body(json_object(request))
    key = idempotency_key(request)
    deps = get_dependencies()
    if key is None:
        started = starting.start_verification(deps, principal, body)
    else:
        started = starting.start_verification_once(
            deps, principal, body, key, lambda_context=request.lambda_context
        )
    headers: Headers = {**JSON_HEADERS, "Location": f"/verifications/{started.verification.verification_id}"}
    return Response(
        body=presenters.started_body(started, deps.settings.public_base_url), status_code=201, headers=headers
    )


@verifications.route("/verifications", methods=["GET"])
@json_endpoint
def list_verifications() -> dict[str, Any]:
    request = verifications.current_request
    principal = authenticate(request)
    status = query_param(request, "status")
    return presenters.verification_list_body(reading.list_verifications(get_dependencies(), principal, status))


@verifications.route("/verifications/{verification_id}", methods=["GET"])
@json_endpoint
def get_verification(verification_id: str) -> dict[str, Any]:
    principal = authenticate(verifications.current_request)
    return presenters.verification_view(reading.get_verification(get_dependencies(), principal, verification_id))


@verifications.route("/verifications/{verification_id}/accept", methods=["POST"])
@json_endpoint
def accept_verification(verification_id: str) -> dict[str, Any]:
    request = verifications.current_request
    principal = authenticate(request)
    json_body(request, EmptyRequest)
    return presenters.accepted_body(deciding.accept_verification(get_dependencies(), principal, verification_id))


@verifications.route("/verifications/{verification_id}/outcome", methods=["POST"])
@json_endpoint
def record_outcome(verification_id: str) -> dict[str, Any]:
    request = verifications.current_request
    principal = authenticate(request)
    body = json_body(request, OutcomeRequest)
    return presenters.verification_view(deciding.record_outcome(get_dependencies(), principal, verification_id, body))


@verifications.route("/verifications/{verification_id}/cancel", methods=["POST"])
@json_endpoint
def cancel_verification(verification_id: str) -> dict[str, Any]:
    request = verifications.current_request
    principal = authenticate(request)
    json_body(request, EmptyRequest)
    return presenters.verification_view(deciding.cancel_verification(get_dependencies(), principal, verification_id))


@verifications.route("/verifications/{verification_id}/radio-confirmation", methods=["POST"])
@json_endpoint
def confirm_by_radio(verification_id: str) -> dict[str, Any]:
    request = verifications.current_request
    principal = authenticate(request)
    body = json_body(request, RadioConfirmationRequest)
    return presenters.verification_view(deciding.confirm_by_radio(get_dependencies(), principal, verification_id, body))
