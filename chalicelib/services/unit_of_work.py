"""The unit of work: a verification's state change and its chained audit events, written together.

Every change of a verification goes the same way (`apply_change`):
1. read the verification (or take the copy the caller has just read or written);
2. let the domain change it, which also names the audit events the change owes (`Change`);
3. chain those events after the verification's last one (`stamp`: sequence numbers, hashes);
4. write the new state and the events in one conditional DynamoDB transaction, conditional on
   exactly the state read in 1 (`deps.verifications.save_transition`);
5. on a lost race (`ConcurrentUpdate`) read again and let the domain see the winner, at most
   `MAX_WRITE_ATTEMPTS` times.
Events with no verification item to hold their chain head (a refused start, a registry read) form a
chain of their own: `record_standalone_event`.
"""

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..domain.access import Principal, ensure_can_view
from ..domain.audit import GENESIS_HASH, Actor, PendingEvent, audit_key, chain
from ..domain.clock import parse_iso
from ..domain.errors import ConcurrentUpdate, InvalidTransition, NotFound
from ..domain.verification import Verification

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

Change = Callable[[Verification], tuple[Verification, list[PendingEvent]]]
"""What the domain makes of the verification as read: its new state and the events that record it."""

KeyedEvent = tuple[str, dict[str, Any]]

MAX_WRITE_ATTEMPTS = 5


def actor_of(principal: Principal) -> Actor:
    """Who an audit event names: the caller's role and officer id."""
    return Actor(role=principal.role.value if principal.role else "unknown", officer_id=principal.officer_id)


def keyed(verification: Verification, events: list[dict[str, Any]]) -> list[KeyedEvent]:
    """The events with the audit keys they are stored under on the verification's chain."""
    return [
        (audit_key(verification.force, verification.created_at, verification.verification_id, e["seq"]), e)
        for e in events
    ]


def stamp(
    deps: "Dependencies", before: Verification, after: Verification, pending: list[PendingEvent]
) -> tuple[Verification, list[KeyedEvent]]:
    """Chain the pending events after `before`'s last event and record the new chain head."""
    events = chain(
        pending,
        verification_id=after.verification_id,
        force=after.force,
        after_seq=before.audit_seq,
        after_hash=before.audit_head,
        at=deps.clock(),
        new_event_id=deps.new_event_id,
    )
    if events:
        after = dataclasses.replace(after, audit_seq=events[-1]["seq"], audit_head=events[-1]["hash"])
    return after, keyed(after, events)


def apply_change(
    deps: "Dependencies", verification_id: str, change: Change, current: Verification | None = None
) -> tuple[Verification, Verification]:
    """Read, change, conditionally write; on a lost race read again so the domain sees the winner.

    Returns the verification before and after the change, as written. `current`, when the caller has
    just read or written the verification, saves the first read: the write is conditional on exactly
    that state, so a stale copy only costs a retry, never a wrong write.
    """
    for _ in range(MAX_WRITE_ATTEMPTS):
        before, current = current or deps.verifications.get(verification_id), None
        if before is None:
            raise NotFound("No such verification.")
        after, pending = change(before)
        after, events = stamp(deps, before, after, pending)
        try:
            deps.verifications.save_transition(before, after, events)
            return before, after
        except ConcurrentUpdate:
            continue
    raise InvalidTransition("This verification is changing too quickly; try again.")


def append_events(
    deps: "Dependencies", verification_id: str, pending: list[PendingEvent], current: Verification | None = None
) -> Verification:
    """Add events to a verification's chain without changing its state."""
    return apply_change(deps, verification_id, lambda latest: (latest, pending), current)[1]


def load_visible(deps: "Dependencies", principal: Principal, verification_id: str) -> Verification:
    """The verification, if it exists and `principal` may see it (NotFound, Forbidden otherwise)."""
    verification = deps.verifications.get(verification_id)
    if verification is None:
        raise NotFound("No such verification.")
    ensure_can_view(principal, verification)
    return verification


def record_standalone_event(
    deps: "Dependencies", force: str, chain_id: str, pending: PendingEvent, after: list[dict[str, Any]] | None = None
) -> None:
    """Audit something with no verification item to hold its chain head (a refused start, a
    registry read or change): a chain of its own, started here or extended `after` its events."""
    deps.verifications.record_attempt(chain_id, [standalone_event(deps, force, chain_id, pending, after)])


def standalone_event(
    deps: "Dependencies", force: str, chain_id: str, pending: PendingEvent, after: list[dict[str, Any]] | None = None
) -> KeyedEvent:
    """The keyed event `record_standalone_event` stores (for callers that batch their writes)."""
    now = deps.clock()
    first, last = (after[0], after[-1]) if after else (None, None)
    [event] = chain(
        [pending],
        verification_id=chain_id,
        force=last["force"] if last else force,
        after_seq=last["seq"] if last else 0,
        after_hash=last["hash"] if last else GENESIS_HASH,
        at=now,
        new_event_id=deps.new_event_id,
    )
    created = parse_iso(first["at"]) if first else now
    return audit_key(event["force"], created or now, chain_id, event["seq"]), event
