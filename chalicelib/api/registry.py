"""Registry routes: admins maintain their force's records; sergeants set their own duty."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from .. import services
from ..bootstrap import get_dependencies
from ..schemas import DutyRequest, OfficerRecordRequest
from . import presenters
from .errors import json_endpoint
from .requests import authenticate, json_body

registry = Blueprint(__name__)


@registry.route("/me/duty", methods=["PUT"])
@json_endpoint
def set_duty() -> dict[str, Any]:
    request = registry.current_request
    principal = authenticate(request)
    body = json_body(request, DutyRequest)
    return presenters.duty_body(services.set_duty(get_dependencies(), principal, body))


@registry.route("/officers/{officer_id}", methods=["PUT"])
@json_endpoint
def put_officer(officer_id: str) -> dict[str, Any]:
    request = registry.current_request
    principal = authenticate(request)
    body = json_body(request, OfficerRecordRequest)
    return presenters.registry_record_view(services.put_officer(get_dependencies(), principal, officer_id, body))


@registry.route("/officers/{officer_id}", methods=["GET"])
@json_endpoint
def get_officer(officer_id: str) -> dict[str, Any]:
    principal = authenticate(registry.current_request)
    return presenters.registry_record_view(services.get_officer(get_dependencies(), principal, officer_id))
