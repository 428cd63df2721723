"""Copying outbox events into the S3 audit log: the stream consumer and the reconciler share this.

Each event is judged before it is written (domain/outbox.py): it must be well formed at its own
place and extend the chain already written for its verification. Within a batch the events of each
chain are taken in seq order, so a batch that arrives shuffled is still copied in full; an event
whose predecessor is still waiting in the outbox waits too (nothing of its chain after it is
written in this batch), and is copied by a later delivery or by the reconciler.

After each write the outbox item is marked copied (a conditional update on the exact item), which
takes it out of the backlog the reconciler reads and lets erasure delete it. Everything is safe to
repeat: S3 writes are `If-None-Match: *`, an event already written identically counts as copied,
and an event written differently at its key is a forgery (or a fork) and is quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.audit import GENESIS_HASH, canonical_bytes
from ..domain.outbox import Checked, OutboxItem, Reason, check_item
from ..observability import logger
from .audit_quarantine import quarantine

if TYPE_CHECKING:
    from ..bootstrap import Dependencies


@dataclass
class CopyReport:
    """What one batch did: events newly written, found already written, waiting, quarantined."""

    written: int = 0
    already: int = 0
    waiting: int = 0
    quarantined: int = 0

    def add(self, other: CopyReport) -> None:
        self.written += other.written
        self.already += other.already
        self.waiting += other.waiting
        self.quarantined += other.quarantined


def copy_outbox_items(deps: Dependencies, items: Iterable[OutboxItem]) -> CopyReport:
    """Judge and copy `items` (any order, any chains). Raises on an S3 or DynamoDB failure, after
    indexing whatever reached S3, so the caller's retry finds the rest."""
    report = CopyReport()
    indexed: list[tuple[str, str, str]] = []
    today = deps.clock().date().isoformat()
    try:
        for chain in _by_chain(items):
            _copy_chain(deps, chain, report, indexed)
    finally:
        # Whatever reached S3 is in the day's index (the digest's input), in one batch.
        if indexed:
            deps.audit_index.record_many(today, indexed)
    return report


def _by_chain(items: Iterable[OutboxItem]) -> list[list[OutboxItem]]:
    """Items grouped by chain (first appearance first), each group in seq order; an exact repeat
    (a record delivered twice in one batch) is dropped. The sort is stable: of two different items
    claiming one place, the first delivered is judged first."""
    chains: dict[str, list[OutboxItem]] = {}
    for item in items:
        group = chains.setdefault(item.pk, [])
        if item not in group:
            group.append(item)
    return [sorted(group, key=lambda i: i.seq_from_key) for group in chains.values()]


def _copy_chain(deps: Dependencies, items: list[OutboxItem], report: CopyReport,
                indexed: list[tuple[str, str, str]]) -> None:
    copied: dict[str, str] = {}  # S3 key -> hash of the events this batch put (or found) there
    for position, item in enumerate(items):
        checked, reason = check_item(item)
        if checked is not None:
            reason = _chain_problem(deps, item, checked, copied)
            if reason == _WAIT:
                report.waiting += len(items) - position
                logger.info("audit_event_waits_for_its_predecessor",
                            extra={"verification_id": checked.event["verification_id"], "seq": checked.seq})
                return  # everything after it in this chain waits for it
            reason = reason or _write(deps, checked, report)
        if checked is None or reason is not None:
            report.quarantined += quarantine(deps, item, reason or Reason.NOT_AN_EVENT)
            continue
        copied[checked.key] = checked.event["hash"]
        indexed.append((checked.event["force"], checked.key, checked.event["hash"]))
        if not deps.audit_outbox.mark_copied(item):
            logger.warning("audit_outbox_item_changed_after_copy",
                           extra={"verification_id": checked.event["verification_id"], "seq": checked.seq})


_WAIT = "wait"


def _chain_problem(deps: Dependencies, item: OutboxItem, checked: Checked, copied: dict[str, str]) -> str | None:
    """None if the event extends the chain written so far; _WAIT if its predecessor is still in the
    outbox; else the Reason it can never join the chain."""
    if checked.seq == 1:
        expected = GENESIS_HASH
    elif checked.predecessor_key in copied:
        expected = copied[checked.predecessor_key]
    else:
        written = deps.audit_log.read(checked.predecessor_key)
        if written is None:
            return _predecessor_not_written(deps, item, checked)
        expected = json.loads(written)["hash"]
    return None if checked.event["prev_hash"] == expected else Reason.CHAIN_MISMATCH


def _predecessor_not_written(deps: Dependencies, item: OutboxItem, checked: Checked) -> str:
    """Not forged merely because it is early: wait if the predecessor is in the outbox at its place."""
    predecessor = deps.audit_outbox.get(item.pk, checked.seq - 1)
    if predecessor is None or predecessor.audit_key != checked.predecessor_key:
        return Reason.PREDECESSOR_MISSING
    if predecessor.quarantined:
        return Reason.PREDECESSOR_QUARANTINED
    return _WAIT


def _write(deps: Dependencies, checked: Checked, report: CopyReport) -> str | None:
    """Write the event once; None when it is in S3 as it should be, else the Reason it is not."""
    body = canonical_bytes(checked.event)
    if deps.audit_log.write(checked.key, body):
        report.written += 1
        return None
    if deps.audit_log.read(checked.key) != body:
        return Reason.CONFLICTS_WITH_WRITTEN
    report.already += 1
    return None
