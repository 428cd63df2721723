"""Erasure on fakes: after the retention period each chain's data key and personal copy go, with an
audit event saying so; never before its events are in S3; a run stops when its budget is spent and
the next continues where it stopped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.adapters.dynamodb.keys import refusal_chain_id
from chalicelib.domain.errors import OfficerNotServing
from chalicelib.domain.registry import OfficerStatus
from chalicelib.services.audit_copy import copy_outbox_items
from chalicelib.services.budget import Budget
from chalicelib.services.erasure import erase_due_personal_data
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, start_request
from tests.unit.factories import record, sergeant_record

DAY = "2026-11-28"  # the clock fixture's day: when every chain here is created


def erased_of(report: Any) -> list[str]:
    """The chain ids a sweep says it erased."""
    return sorted(report.erased)


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [
        record(), record(officer_id="MP0002"), record(officer_id="MP0003", status=OfficerStatus.LEFT),
        sergeant_record(),
    ])


def _cancelled(deps, officer_id: str) -> str:
    services.start_verification(deps, officer(officer_id), start_request())
    vid = deps.verifications.active_verification_id("met", officer_id)
    services.cancel_verification(deps, officer(officer_id), vid)
    return vid


def _copy_all(deps) -> None:
    items = [item for pk in list(deps.verifications.chains) for item in deps.audit_outbox.chain_items(pk)]
    copy_outbox_items(deps, items)


def _after_retention(deps, clock) -> None:
    clock.advance(days=deps.settings.personal_data_retention_days + 1)


def _budget(units: int) -> Budget:
    return Budget(deadline=float("inf"), max_units=units)


def test_a_due_check_loses_its_key_and_personal_copy_and_keeps_an_erasure_event(deps, clock):
    vid = _cancelled(deps, "MP4721")
    reference = deps.verifications.get(vid).reference
    seq = deps.verifications.get(vid).audit_seq
    _copy_all(deps)
    _after_retention(deps, clock)

    report = erase_due_personal_data(deps, _budget(10))

    assert erased_of(report) == [vid] and not report.stopped_early
    assert vid not in deps.envelope.keys
    assert deps.verifications.get(vid) is None
    assert deps.verifications.find_id_by_reference(reference) is None
    [erasure] = deps.verifications.events(vid)  # every earlier event is in S3 and left DynamoDB
    assert (erasure["type"], erasure["seq"]) == ("personal_data.erased", seq + 1)
    assert erasure["data"]["reason"] == "retention_period_expired"
    assert deps.envelope.chains_created_on(DAY) == []


def test_nothing_is_erased_before_the_retention_period_ends(deps, clock):
    vid = _cancelled(deps, "MP4721")
    _copy_all(deps)
    clock.advance(days=deps.settings.personal_data_retention_days - 1)

    report = erase_due_personal_data(deps, _budget(10))

    assert erased_of(report) == [] and vid in deps.envelope.keys and deps.verifications.get(vid) is not None


def test_a_run_stops_when_its_budget_is_spent_and_the_next_continues(deps, clock):
    first, second = _cancelled(deps, "MP4721"), _cancelled(deps, "MP0002")
    _copy_all(deps)
    _after_retention(deps, clock)

    one = erase_due_personal_data(deps, _budget(1))

    assert one.stopped_early and len(one.erased) == 1
    assert len(deps.envelope.chains_created_on(DAY)) == 1
    rest = erase_due_personal_data(deps, _budget(1))
    assert sorted(one.erased + rest.erased) == sorted([first, second])
    assert deps.envelope.keys == {}


def test_a_chain_with_events_not_yet_in_s3_is_postponed_to_the_next_day(deps, clock):
    vid = _cancelled(deps, "MP4721")  # never copied: an S3 outage
    _after_retention(deps, clock)
    retention = timedelta(days=deps.settings.personal_data_retention_days)
    next_sweep = (clock() - retention + timedelta(days=1)).date().isoformat()  # the first day not yet due

    report = erase_due_personal_data(deps, _budget(10))

    assert report.postponed == [vid] and report.erased == []
    assert vid in deps.envelope.keys and deps.verifications.get(vid) is not None
    assert deps.envelope.chains_created_on(DAY) == []
    assert deps.envelope.chains_created_on(next_sweep) == [vid]
    assert deps.verifications.events(vid)[-1]["type"] != "personal_data.erased"


def test_a_check_still_running_is_not_erased(deps, clock):
    services.start_verification(deps, officer("MP4721"), start_request())
    vid = deps.verifications.active_verification_id("met", "MP4721")
    _copy_all(deps)
    _after_retention(deps, clock)

    report = erase_due_personal_data(deps, _budget(10))

    assert report.postponed == [vid] and vid in deps.envelope.keys


def test_a_refusal_chain_is_erased_with_an_event_chained_after_its_own(deps, clock):
    with pytest.raises(OfficerNotServing):
        services.start_verification(deps, officer("MP0003"), start_request())
    chain = refusal_chain_id("met", "MP0003", DAY)
    [refused] = deps.verifications.attempt_events(chain)
    _copy_all(deps)
    _after_retention(deps, clock)

    report = erase_due_personal_data(deps, _budget(10))

    assert erased_of(report) == [chain] and chain not in deps.envelope.keys
    events = deps.verifications.attempt_events(chain)
    assert [e["type"] for e in events] == ["officer_not_serving.attempt", "personal_data.erased"]
    assert events[1]["prev_hash"] == refused["hash"]
