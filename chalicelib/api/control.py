"""Control-room routes (SPEC §7.3): the board and acknowledging an alert."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from ..bootstrap import get_dependencies
from . import presenters
from .errors import json_endpoint
from .requests import authenticate, json_body

if TYPE_CHECKING:
    from ..schemas.control import AcknowledgeRequest
    from ..services import control_room
else:  # imported by the first request that needs them (api/lazy.py)
    from .lazy import lazy_modules, lazy_names

    (control_room,) = lazy_modules("chalicelib.services.control_room")
    (AcknowledgeRequest,) = lazy_names("chalicelib.schemas.control", "AcknowledgeRequest")

control = Blueprint(__name__)


@control.route("/control/board", methods=["GET"])
@json_endpoint
def control_board() -> dict[str, Any]:
    principal = authenticate(control.current_request)
    return presenters.board_body(control_room.control_board(get_dependencies(), principal))


@control.route("/control/alerts/{alert_id}/acknowledge", methods=["POST"])
@json_endpoint
def acknowledge_alert(alert_id: str) -> dict[str, Any]:
    request = control.current_request
    principal = authenticate(request)
    body = json_body(request, AcknowledgeRequest)
    alert = control_room.acknowledge_alert(get_dependencies(), principal, alert_id, body.note)
    return presenters.alert_view(alert)
