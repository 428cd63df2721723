"""Routes anyone may call: health, the citizen's view of a check by its reference, the API description."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice.app import Blueprint, Response

from ..bootstrap import get_dependencies
from ..services import public as public_use_cases
from . import presenters
from .errors import JSON_HEADERS, json_endpoint

public = Blueprint(__name__)


@public.route("/health", methods=["GET"])
@json_endpoint
def health() -> dict[str, Any]:
    return {"status": "ok"}


@public.route("/public/verifications/{reference}", methods=["GET"])
@json_endpoint
def public_verification(reference: str) -> dict[str, Any]:
    # People type references with spaces; some gateways hand the path parameter over still encoded.
    identity = (public.current_request.context or {}).get("identity") or {}
    address = identity.get("sourceIp") or "unknown"
    shown = public_use_cases.public_view(get_dependencies(), unquote(reference), client_address=address)
    return presenters.public_body(shown)


@public.route("/openapi.json", methods=["GET"])
def openapi_json() -> Response:
    """The API's OpenAPI 3.1 description (generated from the pydantic models on first request)."""
    from .openapi import render  # not at import: a cold start never pays for the document

    return Response(body=render(), headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"})


@public.route("/public/check-requests", methods=["POST"])
@json_endpoint
def check_request() -> Response:
    """SPEC §7.4: ask the officer with this number to start a check. The same 202 for any number."""
    from ..schemas import CheckRequestIn
    from ..services import check_requests
    from .requests import json_body

    request = public.current_request
    body = json_body(request, CheckRequestIn)
    identity = (request.context or {}).get("identity") or {}
    check_requests.request_check(get_dependencies(), body.officer_id, body.where,
                                 client_address=identity.get("sourceIp") or "unknown")
    return Response(body={"status": "sent"}, status_code=202, headers=dict(JSON_HEADERS))
