"""Routes anyone may call: health, the citizen's view of a check by its reference, the API description."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from chalice.app import Blueprint, Response

from ..bootstrap import get_dependencies
from . import presenters
from .errors import JSON_HEADERS, json_endpoint
from .requests import json_body

if TYPE_CHECKING:
    from ..schemas.citizen import CheckRequestIn, UnsafeReportRequest
    from ..services import check_requests, citizen_unsafe
    from ..services import public as public_use_cases
else:  # imported by the first request that needs them (api/lazy.py): a look-up loads no pydantic
    from .lazy import lazy_modules, lazy_names

    citizen_unsafe, check_requests, public_use_cases = lazy_modules(
        "chalicelib.services.citizen_unsafe", "chalicelib.services.check_requests", "chalicelib.services.public")
    UnsafeReportRequest, CheckRequestIn = lazy_names("chalicelib.schemas.citizen", "UnsafeReportRequest",
                                                 "CheckRequestIn")

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


@public.route("/public/verifications/{reference}/unsafe", methods=["POST"])
@json_endpoint
def report_unsafe(reference: str) -> Response:
    """SPEC §7.4: "I feel unsafe". 202 whether or not this press raised a new alert (see the use case)."""
    request = json_body(public.current_request, UnsafeReportRequest)
    citizen_unsafe.report_unsafe(get_dependencies(), unquote(reference), request.where,
                                 client_address=_client_address())
    return Response(body={"status": "sent"}, status_code=202, headers=dict(JSON_HEADERS))


def _client_address() -> str:
    identity = (public.current_request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"


@public.route("/public/check-requests", methods=["POST"])
@json_endpoint
def check_request() -> Response:
    """SPEC §7.4: ask the officer with this number to start a check. The same 202 for any number."""
    body = json_body(public.current_request, CheckRequestIn)
    check_requests.request_check(get_dependencies(), body.officer_id, body.where, client_address=_client_address())
    return Response(body={"status": "sent"}, status_code=202, headers=dict(JSON_HEADERS))
