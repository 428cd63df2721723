"""The control room on fakes (SPEC §7.3): every alert stored as a record before it is published,
the board (live checks oldest first, alerts unacknowledged first), acknowledging once, and erasure
of the alerts' personal data with their chain."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.adapters.dynamodb.keys import refusal_chain_id
from chalicelib.domain.alerts import AlertKind
from chalicelib.domain.errors import Forbidden, InvalidTransition, NotFound, OfficerNotServing
from chalicelib.domain.registry import OfficerStatus, Role
from chalicelib.schemas import OutcomeRequest
from chalicelib.services.audit_copy import copy_outbox_items
from chalicelib.services.budget import Budget
from chalicelib.services.control_room import acknowledge_alert, control_board
from chalicelib.services.erasure import erase_due_personal_data
from tests.fakes import FakeAlertPublisher, FakeTimers, fake_dependencies
from tests.integration.helpers import officer, principal, sergeant, start_request
from tests.unit.factories import record, sergeant_record

CONTROL = principal("MC0001", Role.CONTROL_ROOM)
OTHER_FORCE_CONTROL = principal("WC0001", Role.CONTROL_ROOM, force="wiltshire")


class DownAlerts(FakeAlertPublisher):
    def publish(self, subject: str, alert: dict[str, Any]) -> str:
        raise ConnectionError("SNS is down")


class DownTimers(FakeTimers):
    def schedule(self, timer: Any) -> None:
        raise ConnectionError("SQS is down")


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [
        record(), record(officer_id="MP0002", given_name="Priya", family_name="Shah", rank="DC"),
        record(officer_id="MP0003", status=OfficerStatus.SUSPENDED),
        sergeant_record(),
        record(officer_id="MC0001", role=Role.CONTROL_ROOM, given_name="Tariq", family_name="Osei"),
        record(force="wiltshire", officer_id="WC0001", role=Role.CONTROL_ROOM, family_name="Ellis"),
    ])


def _started(deps, officer_id: str = "MP4721") -> str:
    services.start_verification(deps, officer(officer_id), start_request())
    return deps.verifications.active_verification_id("met", officer_id)


def _not_confirmed(deps, clock, officer_id: str = "MP4721") -> str:
    vid = _started(deps, officer_id)
    clock.advance(minutes=1)
    services.accept_verification(deps, sergeant("MS0815"), vid)
    services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="not_confirmed"))
    return vid


def _types(deps, vid) -> list[str]:
    return [event["type"] for event in deps.verifications.events(vid)]


def test_a_not_confirmed_check_is_stored_as_an_alert_and_published_with_its_id(deps, clock):
    vid = _not_confirmed(deps, clock)

    [stored] = deps.alert_store.alerts.values()
    [(_, published)] = deps.alerts.published
    assert published["alert_id"] == stored.alert_id and published["kind"] == "verification_not_confirmed"
    assert (stored.kind, stored.force, stored.verification_id, stored.chain_id) == (
        AlertKind.VERIFICATION_NOT_CONFIRMED, "met", vid, vid)
    assert stored.reference == deps.verifications.get(vid).reference
    assert stored.officer == {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}
    assert stored.location == {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12.0}
    assert stored.raised_at == clock() and not stored.acknowledged


def test_an_alert_sns_refuses_is_still_stored_and_audited_as_failed(deps, clock):
    deps.alerts = DownAlerts()

    vid = _not_confirmed(deps, clock)

    [stored] = deps.alert_store.alerts.values()
    assert stored.verification_id == vid
    assert _types(deps, vid)[-1] == "alert.failed"


def test_an_alert_the_store_refuses_is_still_published(deps, clock):
    deps.alert_store.fail_next_add = ConnectionError("DynamoDB is down")

    vid = _not_confirmed(deps, clock)

    assert deps.alert_store.alerts == {}
    [(_, published)] = deps.alerts.published
    assert published["verification_id"] == vid
    assert _types(deps, vid)[-1] == "alert.sent"


def test_a_timer_that_cannot_be_armed_raises_a_timer_failed_alert(deps, clock):
    deps.timers = DownTimers()

    vid = _started(deps)

    kinds = {alert.kind for alert in deps.alert_store.alerts.values()}
    assert kinds == {AlertKind.TIMER_FAILED}
    assert all(alert.verification_id == vid for alert in deps.alert_store.alerts.values())
    assert len(deps.alert_store.alerts) == len(deps.alerts.published)


def test_folded_refusals_are_one_record_per_published_alert(deps, clock):
    for _ in range(3):
        with pytest.raises(OfficerNotServing):
            services.start_verification(deps, officer("MP0003"), start_request())
    clock.advance(minutes=11)
    with pytest.raises(OfficerNotServing):
        services.start_verification(deps, officer("MP0003"), start_request())

    stored = sorted(deps.alert_store.alerts.values(), key=lambda a: a.raised_at)
    assert len(stored) == len(deps.alerts.published) == 2
    assert {a.kind for a in stored} == {AlertKind.OFFICER_NOT_SERVING}
    assert stored[0].chain_id == refusal_chain_id("met", "MP0003", "2026-11-28")
    assert stored[0].verification_id is None and stored[0].reference is None
    assert stored[0].officer == {"officer_id": "MP0003", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}
    assert stored[0].area == "Camden High St"
    assert [p["alert_id"] for _, p in deps.alerts.published] == [a.alert_id for a in stored]


def test_the_board_lists_live_checks_oldest_first_and_alerts_unacknowledged_first(deps, clock):
    decided = _not_confirmed(deps, clock)
    first = _started(deps, "MP4721")  # its first check ended: a new one
    clock.advance(minutes=2)
    second = _started(deps, "MP0002")
    services.accept_verification(deps, sergeant("MS0815"), second)
    clock.advance(seconds=30)

    board = control_board(deps, CONTROL)

    assert [(c.verification.verification_id, c.waiting_seconds) for c in board.active] == [
        (first, 150), (second, 30)]
    assert board.active[1].verification.sergeant.officer_id == "MS0815"
    assert board.active[0].verification.waves_sent >= 1
    assert [a.verification_id for a in board.alerts] == [decided]
    viewed = deps.verifications.events(first)[-1]
    assert viewed["type"] == "verification.viewed" and viewed["actor"]["role"] == "control_room"
    assert viewed["data"] == {"reason": "control_room_watch", "via": "control_board"}
    assert control_board(deps, OTHER_FORCE_CONTROL).active == []
    assert control_board(deps, OTHER_FORCE_CONTROL).alerts == []


@pytest.mark.parametrize("caller", [officer(), sergeant("MS0815"), principal("MA0001", Role.ADMIN),
                                    principal("MU0001", Role.AUDITOR)])
def test_only_the_control_room_has_a_board_or_acknowledges(deps, clock, caller):
    _not_confirmed(deps, clock)
    [alert] = deps.alert_store.alerts.values()

    with pytest.raises(Forbidden):
        control_board(deps, caller)
    with pytest.raises(Forbidden):
        acknowledge_alert(deps, caller, alert.alert_id, None)
    assert not deps.alert_store.get(alert.alert_id).acknowledged


def test_an_alert_is_acknowledged_once_audited_on_its_check_with_the_note_sealed(deps, clock):
    vid = _not_confirmed(deps, clock)
    [alert] = deps.alert_store.alerts.values()
    clock.advance(minutes=1)

    done = acknowledge_alert(deps, CONTROL, alert.alert_id, "Two units sent to Camden")

    assert done.acknowledged_by == {"officer_id": "MC0001", "rank": "PC", "family_name": "Osei"}
    assert (done.acknowledged_at, done.note) == (clock(), "Two units sent to Camden")
    assert deps.alert_store.get(alert.alert_id) == done
    event = deps.verifications.events(vid)[-1]
    assert event["type"] == "alert.acknowledged" and event["actor"] == {"role": "control_room", "officer_id": "MC0001"}
    assert event["data"]["alert_id"] == alert.alert_id and "Camden" not in repr(event)
    assert deps.envelope.open(vid, event["data"]["note"]) == "Two units sent to Camden"
    with pytest.raises(InvalidTransition):
        acknowledge_alert(deps, CONTROL, alert.alert_id, None)
    assert deps.alert_store.get(alert.alert_id) == done
    assert [a.alert_id for a in control_board(deps, CONTROL).alerts] == [alert.alert_id]


def test_an_acknowledgement_whose_audit_event_cannot_be_written_does_not_stand(deps, clock):
    vid = _not_confirmed(deps, clock)
    [alert] = deps.alert_store.alerts.values()
    events_before = _types(deps, vid)
    stored_transition = deps.verifications.save_transition

    def dynamodb_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("DynamoDB is down")

    deps.verifications.save_transition = dynamodb_down
    with pytest.raises(ConnectionError):
        acknowledge_alert(deps, CONTROL, alert.alert_id, "Two units sent")

    assert deps.alert_store.get(alert.alert_id) == alert  # open again, no note
    assert _types(deps, vid) == events_before
    deps.verifications.save_transition = stored_transition
    done = acknowledge_alert(deps, CONTROL, alert.alert_id, "Two units sent")  # her retry succeeds
    assert deps.alert_store.get(alert.alert_id) == done
    assert _types(deps, vid)[-1] == "alert.acknowledged"


def test_another_forces_alert_or_an_unknown_id_is_not_found(deps, clock):
    _not_confirmed(deps, clock)
    [alert] = deps.alert_store.alerts.values()

    for alert_id in (alert.alert_id, "nothing.here", "no-dot"):
        with pytest.raises(NotFound):
            acknowledge_alert(deps, OTHER_FORCE_CONTROL if alert_id == alert.alert_id else CONTROL, alert_id, None)
    assert not deps.alert_store.get(alert.alert_id).acknowledged


def test_acknowledging_a_refusal_alert_is_audited_on_the_refusal_chain(deps, clock):
    with pytest.raises(OfficerNotServing):
        services.start_verification(deps, officer("MP0003"), start_request())
    [alert] = deps.alert_store.alerts.values()

    acknowledge_alert(deps, CONTROL, alert.alert_id, None)

    events = deps.verifications.attempt_events(alert.chain_id)
    assert [e["type"] for e in events] == ["officer_not_serving.attempt", "alert.acknowledged"]
    assert events[1]["prev_hash"] == events[0]["hash"]


def _erase_all(deps, clock) -> None:
    items = [item for pk in list(deps.verifications.chains) for item in deps.audit_outbox.chain_items(pk)]
    copy_outbox_items(deps, items)
    clock.advance(days=deps.settings.personal_data_retention_days + 1)
    erase_due_personal_data(deps, Budget(deadline=float("inf"), max_units=100))


def test_erasing_a_chain_erases_the_personal_data_of_its_alerts(deps, clock):
    vid = _not_confirmed(deps, clock)
    with pytest.raises(OfficerNotServing):
        services.start_verification(deps, officer("MP0003"), start_request())
    check_alert = next(a for a in deps.alert_store.alerts.values() if a.verification_id == vid)
    acknowledge_alert(deps, CONTROL, check_alert.alert_id, "Spoke to Ms X at Camden")

    _erase_all(deps, clock)

    assert deps.verifications.get(vid) is None
    assert len(deps.alert_store.alerts) == 2
    for erased in deps.alert_store.alerts.values():
        assert erased.erased and erased.location is None and erased.area is None and erased.note is None
        assert erased.officer["given_name"] is None and erased.officer["family_name"] is None
        assert "Jones" not in repr(erased) and "Camden" not in repr(erased)
    assert control_board(deps, CONTROL).alerts == []
    with pytest.raises(InvalidTransition):
        acknowledge_alert(deps, CONTROL, next(iter(deps.alert_store.alerts)), None)
