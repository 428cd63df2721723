"""Deciding on fakes: only the accepting sergeant records the outcome, only the owning officer cancels.

No moto: Dependencies with in-memory fakes (tests/fakes/dependencies.py); state is asserted in the fakes.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.errors import Forbidden, InvalidTransition, NotFound
from chalicelib.domain.verification import Status
from chalicelib.schemas import OutcomeRequest
from tests.fakes import FakeAlertPublisher, fake_dependencies
from tests.integration.helpers import officer, principal, sergeant, start_request
from tests.unit.factories import record, sergeant_record


def status_of(result: Any) -> str:
    """The status a use case answered with (a dict body today, maybe a domain result tomorrow)."""
    return result["status"] if isinstance(result, dict) else result.status.value


class DownAlerts(FakeAlertPublisher):
    def publish(self, subject: str, alert: dict[str, Any]) -> str:
        raise ConnectionError("SNS is down")


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [
        record(), sergeant_record(), sergeant_record(officer_id="MS0999", phone="+447700900999"),
    ])


def _connected(deps, clock) -> str:
    """A check of PC MP4721, accepted by MS0815 a minute later."""
    services.start_verification(deps, officer("MP4721"), start_request())
    vid = deps.verifications.active_verification_id("met", "MP4721")
    clock.advance(minutes=1)
    services.accept_verification(deps, sergeant("MS0815"), vid)
    return vid


def _types(deps, vid) -> list[str]:
    return [event["type"] for event in deps.verifications.events(vid)]


def test_the_accepting_sergeant_confirms_and_the_call_ends(deps, clock):
    vid = _connected(deps, clock)
    meeting_id = deps.verifications.get(vid).meeting_id
    clock.advance(minutes=2)

    result = services.record_outcome(deps, sergeant("MS0815"), vid,
                                     OutcomeRequest(outcome="confirmed", note="Warrant card matches"))

    stored = deps.verifications.get(vid)
    assert status_of(result) == "confirmed"
    assert stored.status is Status.CONFIRMED and stored.decided_at == clock()
    assert deps.verifications.active_verification_id("met", "MP4721") is None
    assert meeting_id not in deps.meetings.meetings
    confirmed = deps.verifications.events(vid)[-1]
    assert confirmed["type"] == "verification.confirmed"
    assert confirmed["actor"] == {"role": "sergeant", "officer_id": "MS0815"}
    assert "Warrant" not in repr(confirmed)  # the note is sealed under the check's key
    assert deps.envelope.open(vid, confirmed["data"]["note"]) == "Warrant card matches"
    assert deps.alerts.published == []


def test_not_confirmed_alerts_the_control_room_and_audits_the_alert(deps, clock):
    vid = _connected(deps, clock)

    services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="not_confirmed"))

    assert deps.verifications.get(vid).status is Status.NOT_CONFIRMED
    [(subject, alert)] = deps.alerts.published
    assert "NOT CONFIRMED" in subject and "MP4721" in subject
    assert (alert["type"], alert["force"], alert["verification_id"], alert["sergeant_id"]) == (
        "verification_not_confirmed", "met", vid, "MS0815")
    assert (alert["area"], alert["method"]) == ("Camden High St", "video")
    assert _types(deps, vid)[-2:] == ["verification.not_confirmed", "alert.sent"]
    assert deps.verifications.events(vid)[-1]["data"] == {"alert_type": "verification_not_confirmed"}


def test_an_alert_that_cannot_be_sent_is_audited_as_failed(deps, clock):
    vid = _connected(deps, clock)
    deps.alerts = DownAlerts()

    services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="not_confirmed"))

    assert deps.verifications.get(vid).status is Status.NOT_CONFIRMED  # the decision stands
    assert _types(deps, vid)[-2:] == ["verification.not_confirmed", "alert.failed"]


def test_another_sergeant_cannot_decide_what_they_did_not_accept(deps, clock):
    vid = _connected(deps, clock)
    before = deps.verifications.get(vid)

    with pytest.raises(Forbidden):
        services.record_outcome(deps, sergeant("MS0999"), vid, OutcomeRequest(outcome="confirmed"))

    assert deps.verifications.get(vid) == before
    assert deps.meetings.meetings  # the call goes on


def test_an_officer_cannot_record_an_outcome(deps, clock):
    vid = _connected(deps, clock)

    with pytest.raises(Forbidden):
        services.record_outcome(deps, officer("MP4721"), vid, OutcomeRequest(outcome="confirmed"))

    assert deps.verifications.get(vid).status is Status.CONNECTED


def test_nothing_is_decided_before_a_sergeant_accepts(deps, clock):
    services.start_verification(deps, officer("MP4721"), start_request())
    vid = deps.verifications.active_verification_id("met", "MP4721")

    with pytest.raises(InvalidTransition):
        services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="confirmed"))

    assert deps.verifications.get(vid).status is Status.AWAITING_SERGEANT


def test_a_decided_check_cannot_be_decided_again(deps, clock):
    vid = _connected(deps, clock)
    services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="confirmed"))
    seq = deps.verifications.get(vid).audit_seq

    with pytest.raises(InvalidTransition):
        services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="not_confirmed"))

    assert deps.verifications.get(vid).status is Status.CONFIRMED
    assert deps.verifications.get(vid).audit_seq == seq
    assert deps.alerts.published == []


def test_the_owning_officer_cancels_and_is_free_to_start_again(deps, clock):
    vid = _connected(deps, clock)
    meeting_id = deps.verifications.get(vid).meeting_id

    result = services.cancel_verification(deps, officer("MP4721"), vid)

    assert status_of(result) == "cancelled"
    assert deps.verifications.get(vid).status is Status.CANCELLED
    assert deps.verifications.active_verification_id("met", "MP4721") is None
    assert meeting_id not in deps.meetings.meetings
    assert deps.verifications.events(vid)[-1]["type"] == "verification.cancelled"
    assert deps.verifications.events(vid)[-1]["actor"] == {"role": "officer", "officer_id": "MP4721"}


def test_another_officer_cannot_see_let_alone_cancel_the_check(deps, clock):
    vid = _connected(deps, clock)
    before = deps.verifications.get(vid)

    with pytest.raises(NotFound):
        services.cancel_verification(deps, officer("MP0002"), vid)
    with pytest.raises(NotFound):
        services.cancel_verification(deps, principal("MP4721", officer("MP4721").role, force="kent"), vid)

    assert deps.verifications.get(vid) == before


def test_a_sergeant_cannot_cancel(deps, clock):
    vid = _connected(deps, clock)

    with pytest.raises(Forbidden):
        services.cancel_verification(deps, sergeant("MS0815"), vid)

    assert deps.verifications.get(vid).status is Status.CONNECTED
