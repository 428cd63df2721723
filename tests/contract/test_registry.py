"""Registry contract: FakeRegistry and DynamoRegistry on moto."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.registry import Duty, OfficerStatus
from chalicelib.ports import Registry
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeRegistry
from tests.unit.factories import record, sergeant_record


@pytest.fixture(params=BACKENDS)
def registry(request: pytest.FixtureRequest, settings: Any) -> Registry:
    if request.param == "fake":
        return FakeRegistry()
    from chalicelib.adapters.dynamodb import DynamoRegistry

    return DynamoRegistry(request.getfixturevalue("dynamodb"), settings.registry_table)


def _ids(records: list) -> list[str]:
    return sorted(r.officer_id for r in records)


def test_put_then_get_round_trips_the_record(registry):
    officer = record()
    registry.put(officer)

    assert registry.get("met", "MP4721") == officer
    assert registry.get("met", "MP0000") is None
    assert registry.get("kent", "MP4721") is None


def test_put_replaces_the_record(registry):
    registry.put(record())
    registry.put(record(status=OfficerStatus.LEFT))
    assert registry.get("met", "MP4721").status is OfficerStatus.LEFT


def test_available_sergeants_are_the_serving_available_sergeants_of_the_force(registry):
    registry.put_many([
        record(),
        sergeant_record(),
        sergeant_record(officer_id="MS0002", duty=Duty.OFF_DUTY),
        sergeant_record(officer_id="MS0003", status=OfficerStatus.LEFT),
        sergeant_record(officer_id="KS0001", force="kent"),
    ])

    assert _ids(registry.available_sergeants("met")) == ["MS0815"]
    assert _ids(registry.available_sergeants("kent")) == ["KS0001"]
    assert _ids(registry.in_force("met")) == ["MP4721", "MS0002", "MS0003", "MS0815"]


def test_set_duty_flips_a_serving_sergeant_and_refuses_anyone_else(registry):
    registry.put_many([record(), sergeant_record(), sergeant_record(officer_id="MS0003", status=OfficerStatus.LEFT)])

    assert registry.set_duty("met", "MS0815", Duty.OFF_DUTY) is True
    assert registry.get("met", "MS0815").duty is Duty.OFF_DUTY
    assert registry.available_sergeants("met") == []
    assert registry.set_duty("met", "MS0815", Duty.AVAILABLE) is True
    assert _ids(registry.available_sergeants("met")) == ["MS0815"]

    assert registry.set_duty("met", "MP4721", Duty.AVAILABLE) is False
    assert registry.set_duty("met", "MS0003", Duty.AVAILABLE) is False
    assert registry.set_duty("met", "MS9999", Duty.AVAILABLE) is False
    assert registry.get("met", "MS9999") is None
    assert registry.get("met", "MP4721") == record()


def test_set_push_stores_a_serving_sergeants_subscription_and_removes_it_only_if_still_the_same(registry):
    from chalicelib.domain.push import PushSubscription

    registry.put_many([record(), sergeant_record(), sergeant_record(officer_id="MS0003", status=OfficerStatus.LEFT)])
    phone = PushSubscription("https://push.example.test/push/a", "p256", "auth")
    newer = PushSubscription("https://push.example.test/push/b", "p256", "auth")

    assert registry.set_push("met", "MS0815", phone) is True
    assert registry.get("met", "MS0815").push == phone
    assert registry.available_sergeants("met")[0].push == phone  # the wave reads it with no extra call
    assert registry.set_push("met", "MP4721", phone) is False  # not a sergeant
    assert registry.set_push("met", "MS0003", phone) is False  # not serving
    assert registry.set_push("met", "MS9999", phone) is False
    assert registry.get("met", "MP4721").push is None

    assert registry.set_push("met", "MS0815", newer) is True
    assert registry.set_push("met", "MS0815", None, only_if_endpoint=phone.endpoint) is False
    assert registry.get("met", "MS0815").push == newer
    assert registry.set_push("met", "MS0815", None, only_if_endpoint=newer.endpoint) is True
    assert registry.get("met", "MS0815").push is None
    assert registry.set_push("met", "MS0815", phone) is True
    assert registry.set_push("met", "MS0815", None) is True
    assert registry.get("met", "MS0815").push is None


def test_mark_notified_stamps_existing_records_only(registry):
    registry.put(sergeant_record())

    registry.mark_notified("met", ["MS0815", "MS9999"], "2026-11-28T02:47:00.000Z")

    assert registry.get("met", "MS0815").last_notified_at == "2026-11-28T02:47:00.000Z"
    assert registry.get("met", "MS9999") is None


def test_mark_seen_writes_at_most_once_per_refresh_and_only_existing_records(registry):
    registry.put(sergeant_record())

    assert registry.mark_seen("met", "MS0815", "2026-11-28T02:47:00.000Z", "2026-11-28T02:45:00.000Z") is True
    # Within the refresh: the stored sign is recent enough, nothing is written.
    assert registry.mark_seen("met", "MS0815", "2026-11-28T02:48:00.000Z", "2026-11-28T02:46:00.000Z") is False
    assert registry.get("met", "MS0815").last_seen_at == "2026-11-28T02:47:00.000Z"
    assert registry.mark_seen("met", "MS0815", "2026-11-28T02:50:00.000Z", "2026-11-28T02:48:00.000Z") is True
    assert registry.get("met", "MS0815").last_seen_at == "2026-11-28T02:50:00.000Z"
    assert registry.mark_seen("met", "MS9999", "2026-11-28T02:50:00.000Z", "2026-11-28T02:48:00.000Z") is False
    assert registry.get("met", "MS9999") is None


def test_mark_accepted_never_moves_back_in_time(registry):
    registry.put(sergeant_record())

    assert registry.mark_accepted("met", "MS0815", "2026-11-28T02:47:00.000Z") is True
    assert registry.mark_accepted("met", "MS0815", "2026-11-28T02:40:00.000Z") is False  # a late, older write
    record_now = registry.get("met", "MS0815")
    assert record_now.last_accepted_at == "2026-11-28T02:47:00.000Z"
    assert record_now.last_seen_at is None and record_now.duty is Duty.AVAILABLE
    assert registry.mark_accepted("met", "MS9999", "2026-11-28T02:47:00.000Z") is False
