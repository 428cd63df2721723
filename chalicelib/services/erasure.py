"""Erasure of personal data after the retention period (issue 4; issue 13, findings 6 and 9).

For each chain due: append `personal_data.erased`, delete the data key (the sealed location, area
and notes in the locked S3 log can no longer be opened), the DynamoDB copy, and the personal data of
the control-room alerts about the chain (officer's name, location, area, note). Two rules on top:

* Nothing is deleted from the outbox before it is in S3. A chain with an event still awaiting copy
  (an S3 outage, a stream that gave up) is postponed to the next day's entries, and erased once the
  reconciler has copied it. The erasure event is appended only if the chain has not moved since its
  events were checked, so nothing appended meanwhile is deleted uncopied.
* A run is bounded (time and count): checks are erased one by one until the budget is spent, and
  each erased (or postponed) check leaves the day's retention index, so the next run continues
  exactly where this one stopped. Postponed checks move out of the way instead of being re-read by
  every run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..adapters.dynamodb import keys
from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.outbox import OutboxItem
from ..observability import logger
from .budget import Budget
from .unit_of_work import Change, apply_change, record_standalone_event

if TYPE_CHECKING:
    from ..bootstrap import Dependencies
    from ..domain.verification import Verification

SWEPT_DAYS = 7  # a week of missed runs loses nothing

ERASED = "erased"
POSTPONED = "postponed"


class _ChainMoved(Exception):
    """Events were appended after the chain was checked: they may not be in S3 yet."""


@dataclass
class SweepReport:
    erased: list[str] = field(default_factory=list)
    postponed: list[str] = field(default_factory=list)
    stopped_early: bool = False


def erase_due_personal_data(deps: Dependencies, budget: Budget) -> SweepReport:
    """Erase, oldest day first, the chains whose retention period is over, until `budget` is spent.

    A chain that cannot be erased yet moves to the first day not yet due (tomorrow's sweep)."""
    cutoff = (deps.clock() - timedelta(days=deps.settings.personal_data_retention_days)).date()
    report = SweepReport()
    for back in range(SWEPT_DAYS - 1, -1, -1):
        day = (cutoff - timedelta(days=back)).isoformat()
        for chain_id in deps.envelope.chains_created_on(day):
            if budget.exhausted:
                report.stopped_early = True
                logger.info(
                    "erasure_run_stopped", extra={"erased": len(report.erased), "postponed": len(report.postponed)}
                )
                return report
            budget.spend()
            outcome = erase_chain(deps, day, chain_id, postpone_to=cutoff + timedelta(days=1))
            (report.erased if outcome == ERASED else report.postponed).append(chain_id)
    logger.info("erasure_run_done", extra={"erased": len(report.erased), "postponed": len(report.postponed)})
    return report


def erase_personal_data(deps: Dependencies, created_day: str) -> list[str]:
    """Erase every erasable chain created on `created_day` (no budget; others stay where they are)."""
    return [chain_id for chain_id in deps.envelope.chains_created_on(created_day)
            if erase_chain(deps, created_day, chain_id) == ERASED]


def erase_chain(deps: Dependencies, day: str, chain_id: str, postpone_to: date | None = None) -> str:
    """Erase one chain's personal data; ERASED, or POSTPONED (moved to `postpone_to` if given).

    Each step is safe to repeat, so a run that failed half-way is finished by a later one."""
    verification = deps.verifications.get(chain_id)
    if verification is not None:
        done = verification.status.is_terminal and _erase_verification(deps, verification)
    else:
        done = _erase_attempt(deps, chain_id)
    if not done:
        if postpone_to is not None:
            deps.envelope.postpone_retention_entry(day, chain_id, postpone_to.isoformat())
        return POSTPONED
    deps.envelope.forget_retention_entry(day, chain_id)
    return ERASED


def _erase_verification(deps: Dependencies, verification: Verification) -> bool:
    items = deps.audit_outbox.chain_items(keys.verification_pk(verification.verification_id))
    if not _all_in_s3(items, verification.verification_id):
        return False
    if _last_event_type(items) != EventType.ERASED:
        try:
            _, verification = apply_change(deps, verification.verification_id,
                                     _unchanged_since(verification.audit_seq), current=verification)
        except _ChainMoved:
            logger.info("erasure_postponed_chain_moved", extra={"verification_id": verification.verification_id})
            return False
    deps.envelope.erase(verification.verification_id)
    deps.alert_store.redact_chain(verification.verification_id)
    deps.verifications.delete_personal_copy(verification)
    return True


def _erase_attempt(deps: Dependencies, chain_id: str) -> bool:
    """A chain with no verification item (a refused start). No events at all: a start that failed
    after its key was made; only the key remains."""
    items = deps.audit_outbox.chain_items(keys.attempt_pk(chain_id))
    if not _all_in_s3(items, chain_id):
        return False
    events = [event for event in (_event(item) for item in items) if event is not None]
    if events and _last_event_type(items) != EventType.ERASED:
        record_standalone_event(deps, events[0]["force"], chain_id, _erasure_record(), after=events)
    deps.envelope.erase(chain_id)
    deps.alert_store.redact_chain(chain_id)
    return True


def _erasure_record() -> PendingEvent:
    return PendingEvent(EventType.ERASED, SYSTEM, {
        "erased": ["location", "area", "outcome_note", "data_key"], "reason": "retention_period_expired",
    })


def _unchanged_since(audit_seq: int) -> Change:
    """The change that appends the erasure event, only onto the chain exactly as it was checked."""
    def change(latest: Verification) -> tuple[Verification, list[PendingEvent]]:
        if latest.audit_seq != audit_seq:
            raise _ChainMoved(latest.verification_id)
        return latest, [_erasure_record()]

    return change


def _all_in_s3(items: list[OutboxItem], chain_id: str) -> bool:
    """Every event that erasure would delete has reached S3 (or was quarantined there).

    A last event that is the erasure itself is never deleted, so it may still be on its way."""
    erasure_last = _last_event_type(items) == EventType.ERASED
    waiting = [item for position, item in enumerate(items)
               if item.awaiting_copy and not (erasure_last and position == len(items) - 1)]
    if waiting:
        logger.info("erasure_postponed_audit_not_in_s3", extra={"verification_id": chain_id, "waiting": len(waiting)})
    return not waiting


def _event(item: OutboxItem) -> dict[str, Any] | None:
    try:
        event = json.loads(item.event_json or "")
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _last_event_type(items: list[OutboxItem]) -> str | None:
    last = _event(items[-1]) if items else None
    return last.get("type") if last else None
