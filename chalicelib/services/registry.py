"""Sergeant duty and the force registry (admins change it, admins and auditors read it)."""


from typing import TYPE_CHECKING, Any


from ..domain.access import Principal, require_role
from ..domain.audit import EventType, PendingEvent, reason_for
from ..domain.errors import (
    Forbidden,
    NotFound,
    OfficerNotServing,
    ValidationFailed,
)
from ..domain.registry import Duty, Role, ensure_serving
from ..schemas import (
    DutyRequest,
    OfficerRecordRequest,
    registry_record_view,
    valid_officer_id,
)

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

from ._plumbing import _record_standalone_event, _actor
from .handing_back import hand_back_checks_accepted_by


def set_duty(deps: "Dependencies", principal: Principal, request: DutyRequest) -> dict[str, Any]:
    require_role(principal, Role.SERGEANT)
    record = ensure_serving(deps.registry.get(principal.force, principal.officer_id))
    if record.role is not Role.SERGEANT:
        raise Forbidden("The force registry does not list you as a sergeant.")
    duty = Duty(request.status)
    if not deps.registry.set_duty(principal.force, principal.officer_id, duty):
        # The record changed between the read and the write (e.g. suspended meanwhile).
        raise OfficerNotServing("The force registry does not list you as a serving sergeant.")
    return {"officer_id": principal.officer_id, "duty": duty.value}


def put_officer(
    deps: "Dependencies", principal: Principal, officer_id: str, request: OfficerRecordRequest
) -> dict[str, Any]:
    """An admin replaces one registry record of their own force."""
    require_role(principal, Role.ADMIN)
    if not valid_officer_id(officer_id):
        raise ValidationFailed("officer_id: 1-32 letters, digits, '-' or '_'")
    record = request.to_record(principal.force, officer_id)
    before = deps.registry.get(principal.force, officer_id)
    deps.registry.put(record)
    deps.registry_cache.forget(principal.force, officer_id)
    if before is not None and before.role is Role.SERGEANT and before.is_serving and not record.is_serving:
        hand_back_checks_accepted_by(deps, principal.force, officer_id)
    old = before.as_dict() if before else {}
    changed = sorted(k for k, v in record.as_dict().items() if old.get(k) != v and k not in ("force", "officer_id"))
    _audit_registry_event(deps, principal, EventType.REGISTRY_CHANGED, officer_id, {
        "created": before is None, "changed_fields": changed,
    })
    return registry_record_view(record)


def get_officer(deps: "Dependencies", principal: Principal, officer_id: str) -> dict[str, Any]:
    require_role(principal, Role.ADMIN, Role.AUDITOR)
    record = deps.registry.get(principal.force, officer_id) if valid_officer_id(officer_id) else None
    if record is None:
        raise NotFound("No such officer in your force's registry.")
    _audit_registry_event(deps, principal, EventType.REGISTRY_VIEWED, officer_id, {})
    return registry_record_view(record)


def _audit_registry_event(
    deps: "Dependencies", principal: Principal, event_type: str, officer_id: str, details: dict[str, Any]
) -> None:
    """Registry consultations and changes: one-event chains (ids and field names only, no values)."""
    data = {"officer_id": officer_id, **details, "reason": reason_for(principal.role.value if principal.role else "")}
    _record_standalone_event(deps, principal.force, deps.new_id(), PendingEvent(event_type, _actor(principal), data))
