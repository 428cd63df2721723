"""Routes anyone may call: health, and the citizen's view of a check by its reference."""

from __future__ import annotations

from urllib.parse import unquote

from chalice import Blueprint

from .. import services
from ..bootstrap import get_dependencies
from .errors import json_endpoint

public = Blueprint(__name__)


@public.route("/health", methods=["GET"])
@json_endpoint
def health() -> dict:
    return {"status": "ok"}


@public.route("/public/verifications/{reference}", methods=["GET"])
@json_endpoint
def public_verification(reference: str) -> dict:
    # People type references with spaces; some gateways hand the path parameter over still encoded.
    identity = (public.current_request.context or {}).get("identity") or {}
    address = identity.get("sourceIp") or "unknown"
    return services.public_view(get_dependencies(), unquote(reference), client_address=address)
