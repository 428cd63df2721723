"""Reading verifications: every read is an audited consultation (DPA 2018 s.62).

Pages poll (the officer's every 3 s, the sergeant's every 4 s), so a consultation is logged at most
once per reader per verification per 5 minutes (SPEC §7.5): the first read of a window appends a
normal chained `verification.viewed`, and the reads after it inside the window are covered by it.
"""


from typing import TYPE_CHECKING, Any

from ..domain.access import Principal, require_role
from ..domain.audit import CONSULTATION_WINDOW_SECONDS, EventType, PendingEvent, reason_for
from ..domain.errors import (
    ConcurrentUpdate,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from ..domain.registry import Role
from ..domain.verification import Status, Verification

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

from .unit_of_work import MAX_WRITE_ATTEMPTS, actor_of, load_visible, stamp


def get_verification(deps: "Dependencies", principal: Principal, verification_id: str) -> Verification:
    """Every read is a consultation (DPA 2018 s.62): it is audited on the verification's chain."""
    require_role(principal, Role.OFFICER, Role.SERGEANT, Role.ADMIN, Role.AUDITOR)
    current = load_visible(deps, principal, verification_id)
    reason = reason_for(principal.role.value if principal.role else "")
    return record_consultation(deps, principal, current, {"reason": reason})


def list_verifications(deps: "Dependencies", principal: Principal, status: str | None) -> list[Verification]:
    """A sergeant's queue: their own force only, oldest first."""
    require_role(principal, Role.SERGEANT)
    try:
        wanted = Status(status or Status.AWAITING_SERGEANT.value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise ValidationFailed(f"status: must be one of {allowed}") from None
    items = deps.verifications.list_by_status(principal.force, wanted)
    # Each listed record discloses location and area: each is a consultation on its own chain.
    data = {"reason": reason_for(principal.role.value if principal.role else ""), "via": "list"}
    return [record_consultation(deps, principal, v, data) for v in items]


def record_consultation(
    deps: "Dependencies", principal: Principal, current: Verification, data: dict[str, Any]
) -> Verification:
    """Log `principal`'s consultation of `current` unless one of theirs already covers this moment.

    The reader's mark is claimed in the same transaction as the event, so of concurrent reads only
    one writes `verification.viewed`. Returns the verification as stored after this read.
    """
    from ..adapters.dynamodb import keys
    from ..adapters.dynamodb.consultations import AlreadyConsulted, ConsultationMark

    now = int(deps.clock().timestamp())
    mark = ConsultationMark(keys.reader(principal.force, principal.officer_id), now, now + CONSULTATION_WINDOW_SECONDS)
    verification_id = current.verification_id
    # A plain read first: a polling page costs one GetItem, not a refused transaction.
    if deps.verifications.consultation_logged(verification_id, mark.reader, now):
        return current
    viewed = PendingEvent(EventType.VIEWED, actor_of(principal), data)
    for _ in range(MAX_WRITE_ATTEMPTS):
        after, events = stamp(deps, current, current, [viewed])
        try:
            deps.verifications.save_transition(current, after, events, consultation=mark)
            return after
        except AlreadyConsulted:
            return current  # another read of theirs (another tab, a retry) logged it just now
        except ConcurrentUpdate:
            latest = deps.verifications.get(verification_id)
            if latest is None:
                raise NotFound("No such verification.") from None
            current = latest
    raise InvalidTransition("This verification is changing too quickly; try again.")
