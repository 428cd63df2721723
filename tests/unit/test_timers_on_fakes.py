"""Timers on fakes: each wave, the answer timeout and the decision timeout; late timers do nothing.

Settings: waves of 3 every 20 s, answer timeout 90 s, decision timeout 600 s (the defaults).
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.escalation import Timer, TimerKind
from chalicelib.domain.verification import Status
from chalicelib.schemas import OutcomeRequest
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, sergeant, start_request
from tests.unit.factories import record, sergeant_record

SERGEANTS = ["MS0001", "MS0002", "MS0003", "MS0004"]


def outcome_of(result: Any) -> str:
    """What handle_timer says it did (a string today)."""
    return result if isinstance(result, str) else result.value


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [record()] + [
        sergeant_record(officer_id=s, phone=f"+44770090{s[-4:]}") for s in SERGEANTS
    ])


def _started(deps) -> str:
    services.start_verification(deps, officer("MP4721"), start_request())
    return deps.verifications.active_verification_id("met", "MP4721")


def _timer(deps, kind: TimerKind) -> Timer:
    return next(t for t in deps.timers.scheduled if t.kind is kind)


def _at_due(clock, timer: Timer) -> None:
    clock.now = timer.due_at


def test_a_start_texts_the_first_wave_and_arms_the_second_wave_and_the_answer_timeout(deps, clock):
    vid = _started(deps)

    assert len(deps.sms.sent) == 3
    assert [(t.kind, t.wave) for t in deps.timers.scheduled] == [(TimerKind.WAVE, 2), (TimerKind.ANSWER_TIMEOUT, None)]
    assert (_timer(deps, TimerKind.WAVE).due_at - clock()).total_seconds() == 20
    assert (_timer(deps, TimerKind.ANSWER_TIMEOUT).due_at - clock()).total_seconds() == 90
    assert deps.verifications.get(vid).waves_sent == 1


def test_the_second_wave_texts_only_those_not_texted_yet_and_arms_the_third(deps, clock):
    vid = _started(deps)
    first = {phone for phone, _ in deps.sms.sent}
    wave = _timer(deps, TimerKind.WAVE)
    deps.timers.scheduled.clear()
    _at_due(clock, wave)

    assert outcome_of(services.handle_timer(deps, wave)) == "wave_sent"

    [(phone, message)] = deps.sms.sent[3:]
    assert phone not in first and message.endswith(f"/s/{vid}")
    stored = deps.verifications.get(vid)
    assert stored.waves_sent == 2 and set(stored.notified) == set(SERGEANTS)
    notified = [e for e in deps.verifications.events(vid) if e["type"] == "sergeants.notified"]
    assert [e["data"]["wave"] for e in notified] == [1, 2]
    assert [(t.kind, t.wave) for t in deps.timers.scheduled] == [(TimerKind.WAVE, 3)]


def test_a_repeated_wave_delivery_texts_nobody_and_arms_nothing(deps, clock):
    vid = _started(deps)
    wave = _timer(deps, TimerKind.WAVE)
    _at_due(clock, wave)
    services.handle_timer(deps, wave)
    sent, armed, seq = len(deps.sms.sent), len(deps.timers.scheduled), deps.verifications.get(vid).audit_seq

    assert outcome_of(services.handle_timer(deps, wave)) == "no_wave"

    assert len(deps.sms.sent) == sent
    assert len(deps.timers.scheduled) == armed
    assert deps.verifications.get(vid).audit_seq == seq


def test_a_timer_delivered_early_is_armed_again(deps, clock):
    _started(deps)
    wave = _timer(deps, TimerKind.WAVE)
    deps.timers.scheduled.clear()

    assert outcome_of(services.handle_timer(deps, wave)) == "rearmed"

    assert deps.timers.scheduled == [wave]
    assert len(deps.sms.sent) == 3


def test_a_wave_after_the_accept_texts_nobody(deps, clock):
    vid = _started(deps)
    services.accept_verification(deps, sergeant("MS0001"), vid)
    wave = _timer(deps, TimerKind.WAVE)
    deps.timers.scheduled.clear()
    _at_due(clock, wave)

    assert outcome_of(services.handle_timer(deps, wave)) == "no_wave"

    assert len(deps.sms.sent) == 3
    assert deps.timers.scheduled == []
    assert deps.verifications.get(vid).status is Status.CONNECTED


def test_the_answer_timeout_closes_an_unanswered_check_and_alerts(deps, clock):
    vid = _started(deps)
    meeting_id = deps.verifications.get(vid).meeting_id
    timeout = _timer(deps, TimerKind.ANSWER_TIMEOUT)
    _at_due(clock, timeout)

    assert outcome_of(services.handle_timer(deps, timeout)) == "unanswered"

    stored = deps.verifications.get(vid)
    assert stored.status is Status.UNANSWERED and stored.decided_at == clock()
    assert deps.verifications.active_verification_id("met", "MP4721") is None
    assert meeting_id not in deps.meetings.meetings
    [(subject, alert)] = deps.alerts.published
    assert "UNANSWERED" in subject and (alert["type"], alert["verification_id"]) == ("verification_unanswered", vid)
    types = [e["type"] for e in deps.verifications.events(vid)]
    assert types[-2:] == ["verification.unanswered", "alert.sent"]
    assert deps.verifications.events(vid)[-2]["actor"]["role"] == "system"


def test_a_late_answer_timeout_after_an_accept_does_nothing(deps, clock):
    vid = _started(deps)
    services.accept_verification(deps, sergeant("MS0001"), vid)
    before = deps.verifications.get(vid)
    timeout = _timer(deps, TimerKind.ANSWER_TIMEOUT)
    _at_due(clock, timeout)

    assert outcome_of(services.handle_timer(deps, timeout)) == "noop"

    assert deps.verifications.get(vid) == before
    assert deps.alerts.published == []


def test_the_decision_timeout_expires_an_undecided_check_and_alerts(deps, clock):
    vid = _started(deps)
    clock.advance(seconds=30)
    services.accept_verification(deps, sergeant("MS0001"), vid)
    timeout = _timer(deps, TimerKind.DECISION_TIMEOUT)
    assert (timeout.due_at - clock()).total_seconds() == 600
    _at_due(clock, timeout)

    assert outcome_of(services.handle_timer(deps, timeout)) == "expired"

    assert deps.verifications.get(vid).status is Status.EXPIRED
    [(_, alert)] = deps.alerts.published
    assert (alert["type"], alert["sergeant_id"]) == ("verification_expired", "MS0001")
    assert [e["type"] for e in deps.verifications.events(vid)][-2:] == ["verification.expired", "alert.sent"]


def test_a_late_decision_timeout_after_the_outcome_does_nothing(deps, clock):
    vid = _started(deps)
    services.accept_verification(deps, sergeant("MS0001"), vid)
    services.record_outcome(deps, sergeant("MS0001"), vid, OutcomeRequest(outcome="confirmed"))
    before = deps.verifications.get(vid)
    timeout = _timer(deps, TimerKind.DECISION_TIMEOUT)
    _at_due(clock, timeout)

    assert outcome_of(services.handle_timer(deps, timeout)) == "noop"

    assert deps.verifications.get(vid) == before
    assert deps.alerts.published == []


def test_a_timer_of_a_check_that_does_not_exist_does_nothing(deps, clock):
    ghost = Timer(TimerKind.ANSWER_TIMEOUT, "vid-ghost", clock())

    assert outcome_of(services.handle_timer(deps, ghost)) == "noop"
    assert deps.alerts.published == [] and deps.timers.scheduled == []
