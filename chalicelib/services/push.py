"""A sergeant opts in to (or out of) Web Push on their page; their phone's receipts come back.

Sending is services/notifying.py's; the rules are domain/push.py's.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.access import Principal
from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.errors import InvalidTransition, NotFound, OfficerNotServing, ValidationFailed
from ..domain.push import parse_subscription
from ..domain.verification import Status
from .registry_gate import own_sergeant_record
from .unit_of_work import apply_change

if TYPE_CHECKING:
    from ..bootstrap import Dependencies
    from ..schemas.push import PushReceiptRequest, PushSubscriptionRequest


@dataclass(frozen=True)
class PushStatus:
    """Whether this sergeant gets pushes (on/off), or push is not offered here (unavailable), and
    the key a browser subscribes with."""

    state: str
    application_server_key: str | None


def push_status(deps: "Dependencies", principal: Principal) -> PushStatus:
    record = own_sergeant_record(deps, principal)
    return _status(deps, on=record.push is not None)


def subscribe(deps: "Dependencies", principal: Principal, request: "PushSubscriptionRequest") -> PushStatus:
    """Store the sergeant's subscription (one per sergeant: the newest phone wins)."""
    own_sergeant_record(deps, principal)
    if not deps.settings.push_enabled:
        raise ValidationFailed("push: not offered by this service; you will get texts")
    subscription = parse_subscription(request.model_dump(), deps.settings.push_origins)
    if not deps.registry.set_push(principal.force, principal.officer_id, subscription):
        raise OfficerNotServing("The force registry does not list you as a serving sergeant.")
    return _status(deps, on=True)


def unsubscribe(deps: "Dependencies", principal: Principal) -> PushStatus:
    """Stop pushes: every request is texted again."""
    record = own_sergeant_record(deps, principal)
    if record.push is not None and not deps.registry.set_push(principal.force, principal.officer_id, None):
        raise OfficerNotServing("The force registry does not list you as a serving sergeant.")
    return _status(deps, on=False)


def record_receipt(deps: "Dependencies", request: "PushReceiptRequest") -> None:
    """The service worker got the push: that sergeant is not texted for this check.

    No sign-in (a service worker has no token): the receipt is an HMAC only this service and the
    encrypted push know. A wrong one is 404, as is an unknown check: nothing tells them apart.
    """
    if not deps.settings.push_enabled or not deps.web_push.receipt_matches(
        request.verification_id, request.sergeant, request.receipt
    ):
        raise NotFound("No such push.")
    current = deps.verifications.get(request.verification_id)
    if current is None:
        raise NotFound("No such push.")
    if current.status is not Status.AWAITING_SERGEANT or request.sergeant in current.push_received:
        return  # too late to matter, or said already: nothing to record
    try:
        apply_change(deps, request.verification_id, lambda v: (
            v.record_push_received(request.sergeant),
            [PendingEvent(EventType.PUSH_RECEIVED, SYSTEM, {"sergeant": request.sergeant})],
        ), current)
    except (InvalidTransition, NotFound):
        return  # recorded or no longer waiting meanwhile


def _status(deps: "Dependencies", on: bool) -> PushStatus:
    if not deps.settings.push_enabled:
        return PushStatus("unavailable", None)
    return PushStatus("on" if on else "off", deps.web_push.application_server_key())
