"""The reconciler (issue 13, finding 6): copy the outbox events the stream did not.

The stream retries a failing batch for 6 hours, then gives up on it (its on-failure queue holds
only shard positions). The events themselves stay in the outbox, marked `awaiting_copy` until a
copier has put them in S3, so every few minutes this run finds them in the sparse GSI (a Query,
never a scan), re-reads each chain's items (the GSI is eventually consistent) and copies what still
waits, predecessors first, through the same judge as the stream (services/audit_copy.py).

Events recorded in the last few minutes are left to the stream, which is normally seconds behind.
A run is bounded (time and chains) and stops cleanly; the next one continues with what is left.
If S3 is still down, the first write fails the run: nothing is marked, the next run tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ..domain.clock import iso_z
from ..observability import logger
from .audit_copy import CopyReport, copy_outbox_items
from .budget import Budget

if TYPE_CHECKING:
    from ..bootstrap import Dependencies


@dataclass
class ReconcileReport(CopyReport):
    chains: int = 0
    stopped_early: bool = False


def reconcile_audit_outbox(deps: Dependencies, budget: Budget) -> ReconcileReport:
    """Copy every event still awaiting copy that is older than the stream's grace period."""
    report = ReconcileReport()
    grace = timedelta(seconds=deps.settings.audit_reconcile_after_seconds)
    seen: set[str] = set()
    for waiting in deps.audit_outbox.waiting(recorded_before=iso_z(deps.clock() - grace)):
        if waiting.pk in seen:
            continue
        if budget.exhausted:
            report.stopped_early = True
            break
        seen.add(waiting.pk)
        budget.spend()
        items = [item for item in deps.audit_outbox.chain_items(waiting.pk) if item.awaiting_copy]
        report.chains += 1
        report.add(copy_outbox_items(deps, items))
    logger.info("audit_outbox_reconciled", extra={
        "chains": report.chains, "written": report.written, "already": report.already,
        "waiting": report.waiting, "quarantined": report.quarantined, "stopped_early": report.stopped_early})
    return report
