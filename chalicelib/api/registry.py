"""Registry routes: admins maintain their force's records; sergeants set their own duty."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from ..bootstrap import get_dependencies
from . import presenters
from .errors import json_endpoint
from .requests import authenticate, json_body

if TYPE_CHECKING:
    from ..schemas.registry import DutyRequest, OfficerRecordRequest
    from ..services import registry as registry_use_cases
else:  # imported by the first request that needs them (api/lazy.py)
    from .lazy import lazy_modules, lazy_names

    (registry_use_cases,) = lazy_modules("chalicelib.services.registry")
    DutyRequest, OfficerRecordRequest = lazy_names("chalicelib.schemas.registry", "DutyRequest", "OfficerRecordRequest")

registry = Blueprint(__name__)


@registry.route("/me/duty", methods=["PUT"])
@json_endpoint
def set_duty() -> dict[str, Any]:
    request = registry.current_request
    principal = authenticate(request)
    body = json_body(request, DutyRequest)
    return presenters.duty_body(registry_use_cases.set_duty(get_dependencies(), principal, body))


@registry.route("/officers/{officer_id}", methods=["PUT"])
@json_endpoint
def put_officer(officer_id: str) -> dict[str, Any]:
    request = registry.current_request
    principal = authenticate(request)
    body = json_body(request, OfficerRecordRequest)
    record = registry_use_cases.put_officer(get_dependencies(), principal, officer_id, body)
    return presenters.registry_record_view(record)


@registry.route("/officers/{officer_id}", methods=["GET"])
@json_endpoint
def get_officer(officer_id: str) -> dict[str, Any]:
    principal = authenticate(registry.current_request)
    return presenters.registry_record_view(registry_use_cases.get_officer(get_dependencies(), principal, officer_id))
