"""Who may do what (SPEC §4 table). Records a caller may not see are reported as not found."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Forbidden, NotFound
from .registry import Role
from .verification import Verification


@dataclass(frozen=True)
class Principal:
    """A verified caller: identity and role come from a validated ID token."""

    subject: str
    role: Role | None
    force: str
    officer_id: str


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise Forbidden("Your role does not allow this action.")


def ensure_can_view(principal: Principal, verification: Verification) -> None:
    """Its officer, or a sergeant/admin/auditor of its force; anyone else sees nothing."""
    same_force = principal.force == verification.force
    if principal.role is Role.OFFICER:
        visible = same_force and principal.officer_id == verification.officer.officer_id
    elif principal.role in (Role.SERGEANT, Role.ADMIN, Role.AUDITOR):
        visible = same_force
    else:
        visible = False
    if not visible:
        raise NotFound("No such verification.")


def ensure_control_room_of(principal: Principal, verification: Verification) -> None:
    """The control room acts on its own force's checks only (SPEC §7.3); others' do not exist for it."""
    require_role(principal, Role.CONTROL_ROOM)
    if principal.force != verification.force:
        raise NotFound("No such verification.")
