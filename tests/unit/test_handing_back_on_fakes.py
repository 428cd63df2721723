"""Handing back on fakes: a sergeant who stops serving loses what they accepted; each check searches
again from now (never texting anyone already texted), its timers run again and the control room
hears of it. Timers of the earlier search or acceptance then change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.escalation import TimerKind
from chalicelib.domain.registry import OfficerStatus, Role
from chalicelib.domain.verification import Status
from chalicelib.schemas import OfficerRecordRequest, OutcomeRequest
from chalicelib.services.handing_back import hand_back_checks_accepted_by
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, principal, sergeant, start_request
from tests.unit.factories import record, sergeant_record

SERGEANTS = ["MS0001", "MS0002", "MS0003", "MS0004", "MS0005"]


def outcome_of(result: Any) -> str:
    """What handle_timer says it did (a string today)."""
    return result if isinstance(result, str) else result.value


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [record(), record(officer_id="MP0002")] + [
        sergeant_record(officer_id=s, phone=f"+44770090{s[-4:]}") for s in SERGEANTS
    ])


def _accepted(deps, clock, by: str = "MS0001", officer_id: str = "MP4721") -> str:
    services.start_verification(deps, officer(officer_id), start_request())
    vid = deps.verifications.active_verification_id("met", officer_id)
    clock.advance(seconds=30)
    services.accept_verification(deps, sergeant(by), vid)
    clock.advance(seconds=30)
    return vid


def _suspend(deps, officer_id: str) -> None:
    body = {"given_name": "Ana", "family_name": "Okafor", "rank": "PS", "status": "suspended", "role": "sergeant",
            "phone": f"+44770090{officer_id[-4:]}", "photo": None, "duty": "available"}
    services.put_officer(deps, principal("AD0001", Role.ADMIN), officer_id, OfficerRecordRequest.model_validate(body))


def test_a_suspension_hands_the_check_back_to_a_new_search(deps, clock):
    vid = _accepted(deps, clock)
    meeting_id = deps.verifications.get(vid).meeting_id
    texted_first = {phone for phone, _ in deps.sms.sent}
    deps.timers.scheduled.clear()

    _suspend(deps, "MS0001")

    stored = deps.verifications.get(vid)
    assert deps.registry.get("met", "MS0001").status is OfficerStatus.SUSPENDED
    assert stored.status is Status.AWAITING_SERGEANT and stored.sergeant is None
    assert stored.searching_since == clock() and stored.first_wave_of_search == 2
    assert "sergeant-MS0001" not in deps.meetings.attendees[meeting_id]
    assert meeting_id in deps.meetings.meetings  # the officer stays in the call
    new_texts = {phone for phone, _ in deps.sms.sent} - texted_first
    assert new_texts == {"+447700900004", "+447700900005"} == {phone for phone, _ in deps.sms.sent[3:]}
    assert sorted((t.kind, (t.due_at - clock()).total_seconds()) for t in deps.timers.scheduled) == [
        (TimerKind.ANSWER_TIMEOUT, 90), (TimerKind.WAVE, 20)]
    [(subject, alert)] = deps.alerts.published
    assert "MS0001" in subject
    assert (alert["type"], alert["sergeant_id"], alert["handed_back"], alert["verification_id"]) == (
        "officer_not_serving", "MS0001", True, vid)
    types = [e["type"] for e in deps.verifications.events(vid)]
    assert types[-4:] == ["verification.handed_back", "sergeants.notified", "sms.sent", "alert.sent"]
    assert deps.verifications.events(vid)[-4]["data"] == {"sergeant_id": "MS0001", "reason": "sergeant_not_serving"}


def test_the_check_can_be_accepted_again_by_another_sergeant(deps, clock):
    vid = _accepted(deps, clock)
    hand_back_checks_accepted_by(deps, "met", "MS0001")

    services.accept_verification(deps, sergeant("MS0004"), vid)

    assert deps.verifications.get(vid).sergeant.officer_id == "MS0004"


def test_only_the_checks_that_sergeant_still_holds_are_handed_back(deps, clock):
    theirs = _accepted(deps, clock)
    others = _accepted(deps, clock, by="MS0002", officer_id="MP0002")
    services.record_outcome(deps, sergeant("MS0002"), others, OutcomeRequest(outcome="confirmed"))

    assert hand_back_checks_accepted_by(deps, "met", "MS0001") == [theirs]
    assert hand_back_checks_accepted_by(deps, "met", "MS0002") == []
    assert hand_back_checks_accepted_by(deps, "met", "MS0001") == []  # already handed back
    assert deps.verifications.get(others).status is Status.CONFIRMED
    assert len(deps.alerts.published) == 1


def test_timers_of_the_earlier_search_and_acceptance_change_nothing(deps, clock):
    vid = _accepted(deps, clock)
    old_answer = next(t for t in deps.timers.scheduled if t.kind is TimerKind.ANSWER_TIMEOUT)
    old_decision = next(t for t in deps.timers.scheduled if t.kind is TimerKind.DECISION_TIMEOUT)
    hand_back_checks_accepted_by(deps, "met", "MS0001")
    before = deps.verifications.get(vid)

    clock.now = old_answer.due_at
    assert outcome_of(services.handle_timer(deps, old_answer)) == "noop"
    clock.now = old_decision.due_at
    assert outcome_of(services.handle_timer(deps, old_decision)) == "noop"

    assert deps.verifications.get(vid) == before
    assert [a["type"] for _, a in deps.alerts.published] == ["officer_not_serving"]
