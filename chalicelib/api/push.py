"""Web Push routes: a sergeant opts in or out on their page; their phone's service worker posts
receipts (domain/push.py says why, services/push.py does it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from ..bootstrap import get_dependencies
from .errors import JSON_HEADERS, json_endpoint
from .requests import authenticate, json_body

if TYPE_CHECKING:
    from ..schemas.push import PushReceiptRequest, PushSubscriptionRequest
    from ..services import push as push_use_cases
    from ..services.push import PushStatus
else:  # imported by the first request that needs them (api/lazy.py)
    from .lazy import lazy_modules, lazy_names

    (push_use_cases,) = lazy_modules("chalicelib.services.push")
    PushReceiptRequest, PushSubscriptionRequest = lazy_names(
        "chalicelib.schemas.push", "PushReceiptRequest", "PushSubscriptionRequest"
    )

push = Blueprint(__name__)


def _status_body(status: PushStatus) -> dict[str, Any]:
    return {"push": status.state, "application_server_key": status.application_server_key}


@push.route("/me/push-subscription", methods=["GET"])
@json_endpoint
def get_push_subscription() -> dict[str, Any]:
    principal = authenticate(push.current_request)
    return _status_body(push_use_cases.push_status(get_dependencies(), principal))


@push.route("/me/push-subscription", methods=["PUT"])
@json_endpoint
def put_push_subscription() -> dict[str, Any]:
    request = push.current_request
    principal = authenticate(request)
    body = json_body(request, PushSubscriptionRequest)
    return _status_body(push_use_cases.subscribe(get_dependencies(), principal, body))


@push.route("/me/push-subscription", methods=["DELETE"])
@json_endpoint
def delete_push_subscription() -> dict[str, Any]:
    principal = authenticate(push.current_request)
    return _status_body(push_use_cases.unsubscribe(get_dependencies(), principal))


@push.route("/push/receipts", methods=["POST"])
@json_endpoint
def post_push_receipt() -> Response:
    """No sign-in: the receipt inside the encrypted push is the proof (services/push.py)."""
    body = json_body(push.current_request, PushReceiptRequest)
    push_use_cases.record_receipt(get_dependencies(), body)
    return Response(body={"status": "received"}, status_code=202, headers=dict(JSON_HEADERS))
