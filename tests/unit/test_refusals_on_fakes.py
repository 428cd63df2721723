"""Refused starts on fakes: each one audited on the caller's refusal chain of the day (one data key),
and the control room alerted at most once per caller and kind per 10 minutes, the alert counting the
attempts folded into it."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from chalicelib import services
from chalicelib.adapters.dynamodb.keys import refusal_chain_id
from chalicelib.domain.errors import OfficerNotServing, RateLimited
from chalicelib.domain.registry import OfficerStatus
from tests.fakes import FakeAlertPublisher, fake_dependencies
from tests.integration.helpers import officer, start_request
from tests.unit.factories import record, sergeant_record

CHAIN = refusal_chain_id("met", "MP4721", "2026-11-28")


class DownAlerts(FakeAlertPublisher):
    def publish(self, subject: str, alert: dict[str, Any]) -> str:
        raise ConnectionError("SNS is down")


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings.model_copy(update={"max_starts_per_hour": 1}), clock, [
        record(status=OfficerStatus.SUSPENDED), record(officer_id="MP0002"), sergeant_record(),
    ])


def _refused(deps, officer_id: str = "MP4721") -> None:
    with pytest.raises(OfficerNotServing):
        services.start_verification(deps, officer(officer_id), start_request())


def test_a_refused_start_is_audited_sealed_and_alerted(deps, clock):
    _refused(deps)

    [attempt] = deps.verifications.attempt_events(CHAIN)
    assert attempt["type"] == "officer_not_serving.attempt" and attempt["seq"] == 1
    assert attempt["data"]["registry_status"] == "suspended" and attempt["data"]["alert"] == "raised"
    assert "Camden" not in repr(attempt)
    assert deps.envelope.open(CHAIN, attempt["data"]["area"]) == "Camden High St"
    assert deps.envelope.chains_created_on("2026-11-28") == [CHAIN]
    [(_, alert)] = deps.alerts.published
    assert (alert["type"], alert["officer_id"], alert["attempt_id"], alert["audit_seq"], alert["attempts"]) == (
        "officer_not_serving", "MP4721", CHAIN, 1, 1)
    assert deps.verifications.active_verification_id("met", "MP4721") is None
    assert deps.sms.sent == [] and deps.meetings.meetings == {}


def test_refusals_inside_the_window_are_folded_into_one_chain_and_one_key(deps, clock):
    _refused(deps)
    for _ in range(3):
        clock.advance(seconds=30)
        _refused(deps)

    events = deps.verifications.attempt_events(CHAIN)
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert [e["data"]["alert"] for e in events] == ["raised", "folded", "folded", "folded"]
    assert all(e["prev_hash"] == before["hash"] for before, e in pairwise(events))
    assert len(deps.alerts.published) == 1
    assert list(deps.envelope.keys) == [CHAIN]


def test_the_next_window_alerts_with_the_attempts_folded_since(deps, clock):
    _refused(deps)
    first_at = deps.alerts.published[0][1]["at"]
    clock.advance(seconds=60)
    _refused(deps)
    clock.advance(seconds=600)
    _refused(deps)

    [_, (subject, alert)] = deps.alerts.published
    assert (alert["attempts"], alert["previous_alert_at"]) == (2, first_at)
    assert "(2 attempts)" in subject


def test_an_alert_that_cannot_be_sent_is_audited_and_the_next_refusal_alerts(deps, clock):
    deps.alerts = DownAlerts()
    _refused(deps)
    assert [e["type"] for e in deps.verifications.attempt_events(CHAIN)] == [
        "officer_not_serving.attempt", "alert.failed"]

    deps.alerts = FakeAlertPublisher()
    clock.advance(seconds=10)
    _refused(deps)

    [(_, alert)] = deps.alerts.published
    assert alert["attempts"] == 2


def test_each_day_is_a_chain_of_its_own(deps, clock):
    _refused(deps)
    clock.advance(days=1)
    _refused(deps)

    next_day = refusal_chain_id("met", "MP4721", "2026-11-29")
    assert len(deps.verifications.attempt_events(CHAIN)) == 1
    assert len(deps.verifications.attempt_events(next_day)) == 1
    assert deps.envelope.chains_created_on("2026-11-29") == [next_day]


def test_a_start_over_the_hourly_limit_is_refused_and_audited(deps, clock):
    services.start_verification(deps, officer("MP0002"), start_request())
    vid = deps.verifications.active_verification_id("met", "MP0002")
    services.cancel_verification(deps, officer("MP0002"), vid)
    clock.advance(minutes=5)

    with pytest.raises(RateLimited) as raised:
        services.start_verification(deps, officer("MP0002"), start_request())

    assert 55 * 60 <= raised.value.retry_after <= 55 * 60 + 1  # until the start an hour ago frees
    chain = refusal_chain_id("met", "MP0002", "2026-11-28")
    [attempt] = deps.verifications.attempt_events(chain)
    assert attempt["type"] == "verification.rate_limited"
    assert (attempt["data"]["starts_in_last_hour"], attempt["data"]["limit"]) == (1, 1)
    assert [a["type"] for _, a in deps.alerts.published] == ["rate_limited"]
    assert deps.verifications.active_verification_id("met", "MP0002") is None
