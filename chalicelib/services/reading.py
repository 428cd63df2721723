"""Reading verifications: every read is an audited consultation (DPA 2018 s.62)."""


from typing import TYPE_CHECKING, Any


from ..domain.access import Principal, require_role
from ..domain.audit import EventType, PendingEvent, reason_for
from ..domain.errors import (
    ValidationFailed,
)
from ..domain.registry import Role
from ..domain.verification import Status
from ..schemas import (
    verification_view,
)

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

from ._plumbing import _actor, _append, _load_visible


def get_verification(deps: "Dependencies", principal: Principal, verification_id: str) -> dict[str, Any]:
    """Every read is a consultation (DPA 2018 s.62): it is audited on the verification's chain."""
    require_role(principal, Role.OFFICER, Role.SERGEANT, Role.ADMIN, Role.AUDITOR)
    current = _load_visible(deps, principal, verification_id)
    viewed = PendingEvent(EventType.VIEWED, _actor(principal), {"reason": reason_for(principal.role.value)})
    return verification_view(_append(deps, verification_id, [viewed], current))


def list_verifications(deps: "Dependencies", principal: Principal, status: str | None) -> dict[str, Any]:
    """A sergeant's queue: their own force only, oldest first."""
    require_role(principal, Role.SERGEANT)
    try:
        wanted = Status(status or Status.AWAITING_SERGEANT.value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise ValidationFailed(f"status: must be one of {allowed}") from None
    items = deps.verifications.list_by_status(principal.force, wanted)
    # Each listed record discloses location and area: each is a consultation on its own chain.
    viewed = PendingEvent(EventType.VIEWED, _actor(principal), {"reason": reason_for(principal.role.value), "via": "list"})
    return {"items": [verification_view(_append(deps, v.verification_id, [viewed], v)) for v in items]}
