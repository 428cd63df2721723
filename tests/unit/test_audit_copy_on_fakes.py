"""The audit copy on fakes: outbox events judged and written once to the audit log, indexed for the
digest and marked copied; forged items quarantined (kept aside, alerted, audited) exactly once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.audit import event_hash
from chalicelib.domain.outbox import Reason, quarantine_key
from chalicelib.services.audit_copy import copy_outbox_items
from chalicelib.services.audit_reconcile import reconcile_audit_outbox
from chalicelib.services.budget import Budget
from tests.fakes import FakeAuditLog, fake_dependencies
from tests.integration.helpers import officer, sergeant, start_request
from tests.unit.factories import record, sergeant_record


class QuarantineWriteFailsOnce(FakeAuditLog):
    """S3 refusing the first write under quarantine/ (a run stopping half-way)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def write(self, key: str, body: bytes) -> bool:
        if key.startswith("quarantine/") and not self.failed:
            self.failed = True
            raise ConnectionError("S3 is down")
        return super().write(key, body)


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [record(), sergeant_record()])


def _check(deps) -> str:
    services.start_verification(deps, officer("MP4721"), start_request())
    vid = deps.verifications.active_verification_id("met", "MP4721")
    services.accept_verification(deps, sergeant("MS0815"), vid)
    return vid


def _forged(template: dict[str, Any], **changes: Any) -> str:
    """An event whose hash recomputes (a compromised function can compute SHA-256 too)."""
    event = {k: v for k, v in template.items() if k != "hash"} | changes
    return json.dumps({**event, "hash": event_hash(event)}, sort_keys=True)


def _quarantine_events(deps) -> list[dict[str, Any]]:
    return [e for pk in deps.verifications.chains if pk.startswith("A#Q")
            for e in deps.verifications.attempt_events(pk[2:])]


def test_a_chain_is_written_once_indexed_and_taken_out_of_the_backlog(deps, clock):
    vid = _check(deps)
    items = deps.audit_outbox.chain_items(f"V#{vid}")

    report = copy_outbox_items(deps, list(reversed(items)))  # a shuffled batch is copied in full

    events = deps.verifications.events(vid)
    assert (report.written, report.quarantined, report.waiting) == (len(events), 0, 0)
    assert [json.loads(deps.audit_log.read(item.audit_key)) for item in items] == events
    assert deps.audit_index.written("met", "2026-11-28") == sorted((i.audit_key, e["hash"]) for i, e in zip(
        items, events, strict=True))
    assert deps.audit_index.forces_written("2026-11-28") == ["met"]
    assert list(deps.audit_outbox.waiting()) == []


def test_a_redelivered_batch_writes_nothing_new(deps, clock):
    vid = _check(deps)
    items = deps.audit_outbox.chain_items(f"V#{vid}")
    copy_outbox_items(deps, items)
    objects = dict(deps.audit_log.objects)

    report = copy_outbox_items(deps, items + items)

    assert (report.written, report.already, report.quarantined) == (0, len(items), 0)
    assert deps.audit_log.objects == objects
    assert deps.alerts.published == []


def test_an_event_waits_for_its_predecessor_and_the_reconciler_copies_both(deps, clock):
    vid = _check(deps)
    first, second, *_ = deps.audit_outbox.chain_items(f"V#{vid}")

    report = copy_outbox_items(deps, [second])

    assert (report.written, report.waiting, report.quarantined) == (0, 1, 0)
    assert deps.audit_log.read(second.audit_key) is None
    clock.advance(seconds=deps.settings.audit_reconcile_after_seconds + 1)
    reconciled = reconcile_audit_outbox(deps, Budget(deadline=float("inf"), max_units=10))
    assert reconciled.chains == 1 and reconciled.written == len(deps.verifications.events(vid))
    assert deps.audit_log.read(first.audit_key) is not None and deps.audit_log.read(second.audit_key) is not None
    assert list(deps.audit_outbox.waiting()) == []


def test_a_forged_event_is_quarantined_alerted_and_audited_once(deps, clock):
    vid = _check(deps)
    items = deps.audit_outbox.chain_items(f"V#{vid}")
    copy_outbox_items(deps, items)
    last = deps.verifications.events(vid)[-1]
    seq = last["seq"] + 1
    key = items[-1].audit_key.replace(f"{last['seq']:06d}.json", f"{seq:06d}.json")
    forged = deps.audit_outbox.put_item(f"V#{vid}", f"EVENT#{seq:06d}", key, _forged(
        last, seq=seq, type="verification.confirmed", prev_hash="0" * 64))

    report = copy_outbox_items(deps, [forged])

    assert report.quarantined == 1 and deps.audit_log.read(key) is None
    kept = json.loads(deps.audit_log.read(quarantine_key(forged)))
    assert kept["reason"] == Reason.CHAIN_MISMATCH and kept["item"]["event_json"] == forged.event_json
    [(_, alert)] = deps.alerts.published
    assert (alert["type"], alert["verification_id"], alert["seq"], alert["reason"]) == (
        "audit_event_quarantined", vid, seq, Reason.CHAIN_MISMATCH)
    [audited] = _quarantine_events(deps)
    assert audited["type"] == "audit_event.quarantined"
    assert (audited["data"]["reason"], audited["data"]["alert"]) == (Reason.CHAIN_MISMATCH, "sent")
    [stored] = [i for i in deps.audit_outbox.chain_items(f"V#{vid}") if i.sk == forged.sk]
    assert stored.quarantined and not stored.awaiting_copy

    again = copy_outbox_items(deps, [forged])  # redelivered

    assert again.quarantined == 0
    assert len(deps.alerts.published) == 1 and len(_quarantine_events(deps)) == 1


def test_an_item_that_is_no_event_is_quarantined(deps, clock):
    junk = deps.audit_outbox.put_item("V#vid-junk", "EVENT#000001", None, "not json")

    report = copy_outbox_items(deps, [junk])

    assert report.quarantined == 1
    assert json.loads(deps.audit_log.read(quarantine_key(junk)))["reason"] == Reason.NOT_AN_EVENT
    assert deps.alerts.published[0][1]["force"] == "unknown"


def test_a_quarantine_stopped_half_way_is_finished_by_the_redelivery(deps, clock):
    deps.audit_log = QuarantineWriteFailsOnce()
    junk = deps.audit_outbox.put_item("V#vid-junk", "EVENT#000001", None, "not json")
    with pytest.raises(ConnectionError):
        copy_outbox_items(deps, [junk])
    assert len(_quarantine_events(deps)) == 1 and deps.audit_outbox.chain_items("V#vid-junk")[0].awaiting_copy

    # The audit event of this item is already written: recording it again is a cancelled
    # transaction, which the quarantine takes as "written by the earlier delivery".
    report = copy_outbox_items(deps, [junk])

    assert report.quarantined == 1
    assert deps.audit_log.read(quarantine_key(junk)) is not None
    assert len(_quarantine_events(deps)) == 1
    assert len(deps.alerts.published) == 2  # told again rather than not at all
    assert deps.audit_outbox.chain_items("V#vid-junk")[0].quarantined
