""""I feel unsafe" on fakes (SPEC §7.4): the alert (stored, then published) with the officer, the
location and her words; the audit event with her words sealed; the per-check limit; the public
view's reference rules and miss budget; failures of the topic or the store; erasure of her words."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.adapters.envelope import DataKeyErased
from chalicelib.domain.alerts import AlertKind
from chalicelib.domain.errors import NotFound, RateLimited
from chalicelib.domain.registry import Role
from chalicelib.schemas import OutcomeRequest
from chalicelib.services.audit_copy import copy_outbox_items
from chalicelib.services.budget import Budget
from chalicelib.services.citizen_unsafe import ALERTS_PER_WINDOW, WINDOW_SECONDS, report_unsafe
from chalicelib.services.control_room import control_board
from chalicelib.services.erasure import erase_due_personal_data
from tests.fakes import FakeAlertPublisher, fake_dependencies
from tests.integration.helpers import officer, principal, sergeant, start_request
from tests.unit.factories import record, sergeant_record

ADDRESS = "203.0.113.7"
CONTROL = principal("MC0001", Role.CONTROL_ROOM)


class DownAlerts(FakeAlertPublisher):
    def publish(self, subject: str, alert: dict[str, Any]) -> str:
        raise ConnectionError("SNS is down")


@pytest.fixture
def deps(settings, clock):
    limited = settings.model_copy(update={"public_views_per_minute": 2})
    return fake_dependencies(limited, clock, [
        record(), record(officer_id="MP0002", family_name="Shah"), sergeant_record(),
        record(officer_id="MC0001", role=Role.CONTROL_ROOM, family_name="Osei"),
    ])


def _started(deps) -> tuple[str, str]:
    services.start_verification(deps, officer("MP4721"), start_request())
    vid = deps.verifications.active_verification_id("met", "MP4721")
    return vid, deps.verifications.get(vid).reference


def _reports(deps, vid: str) -> list[dict[str, Any]]:
    return [e for e in deps.verifications.events(vid) if e["type"] == "citizen.unsafe_reported"]


def test_the_alert_carries_the_officer_the_location_and_her_words(deps, clock):
    vid, reference = _started(deps)

    report = report_unsafe(deps, reference.lower().replace("-", " "), "outside the chemist", ADDRESS)

    [alert] = deps.alert_store.alerts.values()
    assert report.alert_id == alert.alert_id and alert.kind is AlertKind.CITIZEN_UNSAFE
    assert alert.verification_id == vid and alert.reference == reference and alert.force == "met"
    assert alert.officer == {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}
    assert alert.location == {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12.0}
    assert alert.where == "outside the chemist" and alert.raised_at == clock()
    [(subject, message)] = deps.alerts.published
    assert subject == "Safe Connection: PERSON STOPPED FEELS UNSAFE - PC MP4721"
    assert "Jones" not in subject and "chemist" not in subject
    assert message["alert_id"] == alert.alert_id and message["kind"] == message["type"] == "citizen_unsafe"
    assert message["where"] == "outside the chemist" and message["location"] == alert.location
    assert message["officer"] == alert.officer and message["status"] == "awaiting_sergeant"
    # The control room's board shows it, with her words.
    [shown] = control_board(deps, CONTROL).alerts
    assert shown.alert_id == alert.alert_id and shown.where == "outside the chemist"


def test_it_is_audited_on_the_checks_chain_with_her_words_sealed(deps):
    vid, reference = _started(deps)

    report_unsafe(deps, reference, "outside the chemist", ADDRESS)

    [event] = _reports(deps, vid)
    events = deps.verifications.events(vid)
    assert event is events[-1] and event["prev_hash"] == events[-2]["hash"] and event["seq"] == events[-2]["seq"] + 1
    assert event["actor"] == {"role": "citizen", "officer_id": None}
    assert event["data"]["alert"] == "sent" and event["data"]["status"] == "awaiting_sergeant"
    assert "chemist" not in repr(event)
    assert deps.envelope.open(vid, event["data"]["where"]) == "outside the chemist"
    assert deps.verifications.get(vid).status.value == "awaiting_sergeant"  # the check itself is unchanged


def test_every_status_including_after_a_confirmation(deps, clock):
    vid, reference = _started(deps)
    services.accept_verification(deps, sergeant("MS0815"), vid)
    services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="confirmed"))

    report = report_unsafe(deps, reference, None, ADDRESS)

    assert report.alert_id is not None and deps.alert_store.alerts[report.alert_id].where is None
    assert deps.alerts.published[-1][1]["status"] == "confirmed"
    assert _reports(deps, vid)[0]["data"]["where"] is None


def test_at_most_three_alerts_per_check_per_window_then_nothing_new(deps, clock):
    vid, reference = _started(deps)

    reports = [report_unsafe(deps, reference, f"press {n}", ADDRESS) for n in range(ALERTS_PER_WINDOW + 2)]

    assert [r.alert_id is not None for r in reports] == [True] * ALERTS_PER_WINDOW + [False, False]
    assert len(deps.alert_store.alerts) == len(deps.alerts.published) == len(_reports(deps, vid)) == ALERTS_PER_WINDOW
    clock.advance(seconds=WINDOW_SECONDS)
    assert report_unsafe(deps, reference, "again", ADDRESS).alert_id is not None
    assert deps.alerts.published[-1][1]["where"] == "again"


def test_the_limit_is_per_check(deps, clock):
    _, reference = _started(deps)
    services.start_verification(deps, officer("MP0002"), start_request())
    other = deps.verifications.get(deps.verifications.active_verification_id("met", "MP0002")).reference
    for _ in range(ALERTS_PER_WINDOW):
        report_unsafe(deps, reference, None, ADDRESS)

    assert report_unsafe(deps, reference, None, ADDRESS).alert_id is None
    assert report_unsafe(deps, other, None, ADDRESS).alert_id is not None


def test_unknown_or_no_longer_shown_references_find_nothing_and_count_as_misses(deps, clock):
    vid, reference = _started(deps)

    with pytest.raises(NotFound):
        report_unsafe(deps, "SC-AAA-BBB-CCC", "here", ADDRESS)
    with pytest.raises(NotFound):
        report_unsafe(deps, "not a reference", "here", ADDRESS)
    with pytest.raises(RateLimited):  # the same budget as the public view: 2 misses a minute here
        services.public_view(deps, "SC-AAA-BBB-DDD", client_address=ADDRESS)
    clock.advance(hours=24, seconds=1)
    with pytest.raises(NotFound):
        report_unsafe(deps, reference, "here")
    assert deps.alert_store.alerts == {} and deps.alerts.published == [] and _reports(deps, vid) == []


def test_an_address_over_its_budget_cannot_use_it_to_find_a_check_it_never_watched(deps, clock):
    _, reference = _started(deps)
    for guess in ("SC-AAA-BBB-CCC", "SC-AAA-BBB-DDD"):
        with pytest.raises(NotFound):
            report_unsafe(deps, guess, None, ADDRESS)

    with pytest.raises(RateLimited):
        report_unsafe(deps, reference, None, ADDRESS)
    # Her own phone, which opened her page before, is never refused.
    other_address = "198.51.100.9"
    services.public_view(deps, reference, client_address=other_address)
    for guess in ("SC-AAA-BBB-EEE", "SC-AAA-BBB-FFF"):
        with pytest.raises(NotFound):
            report_unsafe(deps, guess, None, other_address)
    assert report_unsafe(deps, reference, None, other_address).alert_id is not None


def test_a_topic_failure_keeps_the_alert_on_the_board_and_is_audited(deps):
    deps.alerts = DownAlerts()
    vid, reference = _started(deps)

    report = report_unsafe(deps, reference, "bus stop", ADDRESS)

    assert deps.alert_store.alerts[report.alert_id].where == "bus stop"
    assert _reports(deps, vid)[0]["data"]["alert"] == "publish_failed"


def test_a_store_failure_still_reaches_the_topic(deps):
    vid, reference = _started(deps)
    deps.alert_store.fail_next_add = ConnectionError("DynamoDB is down")

    report_unsafe(deps, reference, "bus stop", ADDRESS)

    assert deps.alert_store.alerts == {} and deps.alerts.published[-1][1]["where"] == "bus stop"
    assert _reports(deps, vid)[0]["data"]["alert"] == "sent"


def test_erasure_removes_her_words_from_the_alert_and_the_log(deps, clock):
    vid, reference = _started(deps)
    services.accept_verification(deps, sergeant("MS0815"), vid)
    services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="confirmed"))
    report = report_unsafe(deps, reference, "outside the chemist", ADDRESS)
    sealed = _reports(deps, vid)[0]["data"]["where"]
    items = [item for pk in list(deps.verifications.chains) for item in deps.audit_outbox.chain_items(pk)]
    copy_outbox_items(deps, items)
    clock.advance(days=deps.settings.personal_data_retention_days + 1)

    erase_due_personal_data(deps, Budget(deadline=float("inf"), max_units=100))

    erased = deps.alert_store.alerts[report.alert_id]
    assert erased.erased and erased.where is None and "chemist" not in repr(erased)
    with pytest.raises(DataKeyErased):
        deps.envelope.open(vid, sealed)
