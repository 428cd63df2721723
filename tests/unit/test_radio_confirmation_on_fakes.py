"""The control room's radio confirmation and the method rules, on fakes (SPEC §7.3).

No moto: Dependencies with in-memory fakes; races are forced by a store that lets a rival write
land between the use case's read and its conditional write.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.errors import Forbidden, InvalidTransition, NotFound, OfficerNotServing
from chalicelib.domain.escalation import TimerKind
from chalicelib.domain.registry import OfficerStatus, Role
from chalicelib.domain.verification import Decider, Method, Status
from chalicelib.schemas import OutcomeRequest, RadioConfirmationRequest
from tests.fakes import fake_dependencies
from tests.fakes.outbox import FakeAuditOutbox
from tests.fakes.verifications import FakeVerificationStore
from tests.integration.helpers import officer, principal, sergeant, start_request
from tests.unit.factories import record, sergeant_record

SERGEANTS = ["MS0815", "MS0001", "MS0002", "MS0003", "MS0004"]
OPERATOR = Decider("MC0042", "PC", "Osei", "control_room")


def control_room(officer_id: str = "MC0042", force: str = "met"):
    return principal(officer_id, Role.CONTROL_ROOM, force)


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [
        record(),
        *[sergeant_record(officer_id=s, phone=f"+44770090{s[-4:]}") for s in SERGEANTS],
        record(officer_id="MC0042", given_name="Tariq", family_name="Osei", role=Role.CONTROL_ROOM),
        record(officer_id="MC0043", family_name="Gone", role=Role.CONTROL_ROOM, status=OfficerStatus.LEFT),
        record(force="kent", officer_id="KC0001", role=Role.CONTROL_ROOM),
    ])


def _started(deps) -> str:
    services.start_verification(deps, officer("MP4721"), start_request())
    return deps.verifications.active_verification_id("met", "MP4721")


def _connected(deps, clock) -> str:
    vid = _started(deps)
    clock.advance(seconds=30)
    services.accept_verification(deps, sergeant("MS0815"), vid)
    return vid


def _radio(deps, vid: str, outcome: str = "confirmed", who: Any = None, note: str | None = None):
    return services.confirm_by_radio(deps, who or control_room(), vid,
                                     RadioConfirmationRequest(outcome=outcome, note=note))


def _types(deps, vid) -> list[str]:
    return [event["type"] for event in deps.verifications.events(vid)]


def test_radio_confirmation_from_waiting_records_the_operator_and_ends_the_call(deps, clock):
    vid = _started(deps)
    meeting_id = deps.verifications.get(vid).meeting_id
    clock.advance(minutes=1)

    after = _radio(deps, vid, note="Answered call sign check")

    stored = deps.verifications.get(vid)
    assert after == stored
    assert (stored.status, stored.method, stored.decided_by, stored.sergeant) == (
        Status.CONFIRMED, Method.RADIO, OPERATOR, None)
    assert stored.decided_at == clock() and stored.outcome_note == "Answered call sign check"
    assert meeting_id not in deps.meetings.meetings
    assert deps.verifications.active_verification_id("met", "MP4721") is None
    event = deps.verifications.events(vid)[-1]
    assert event["type"] == "verification.confirmed"
    assert event["actor"] == {"role": "control_room", "officer_id": "MC0042"}
    assert event["data"]["method"] == "radio"
    assert deps.envelope.open(vid, event["data"]["note"]) == "Answered call sign check"
    assert deps.alerts.published == []


def test_radio_confirmation_while_connected_keeps_who_accepted(deps, clock):
    vid = _connected(deps, clock)

    after = _radio(deps, vid)

    assert after.sergeant.officer_id == "MS0815" and after.decided_by == OPERATOR
    assert after.method is Method.RADIO


def test_radio_not_confirmed_raises_the_same_alert_as_a_sergeants(deps, clock):
    vid = _connected(deps, clock)

    _radio(deps, vid, "not_confirmed")

    [(subject, alert)] = deps.alerts.published
    assert "NOT CONFIRMED" in subject and "MP4721" in subject
    assert (alert["type"], alert["verification_id"], alert["sergeant_id"], alert["method"]) == (
        "verification_not_confirmed", vid, "MS0815", "radio")
    assert _types(deps, vid)[-2:] == ["verification.not_confirmed", "alert.sent"]


@pytest.mark.parametrize("end", ["confirmed", "cancelled", "unanswered"])
def test_only_from_waiting_or_connected(deps, clock, end):
    vid = _started(deps) if end != "confirmed" else _connected(deps, clock)
    if end == "confirmed":
        services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="confirmed"))
    elif end == "cancelled":
        services.cancel_verification(deps, officer("MP4721"), vid)
    else:
        timeout = next(t for t in deps.timers.scheduled if t.kind is TimerKind.ANSWER_TIMEOUT)
        clock.now = timeout.due_at
        services.handle_timer(deps, timeout)
    before = deps.verifications.get(vid)

    with pytest.raises(InvalidTransition) as raised:
        _radio(deps, vid)

    assert raised.value.code == "invalid_state"
    assert deps.verifications.get(vid) == before


def test_another_forces_control_room_finds_nothing(deps, clock):
    vid = _started(deps)
    with pytest.raises(NotFound):
        _radio(deps, vid, who=control_room("KC0001", "kent"))
    with pytest.raises(NotFound):
        _radio(deps, "no-such-check")
    assert deps.verifications.get(vid).status is Status.AWAITING_SERGEANT


@pytest.mark.parametrize("who", [sergeant("MS0815"), officer("MP4721"), principal("MP0001", Role.ADMIN),
                                 principal("MP0002", Role.AUDITOR)])
def test_only_the_control_room_confirms_by_radio(deps, clock, who):
    vid = _started(deps)
    with pytest.raises(Forbidden):
        _radio(deps, vid, who=who)
    assert deps.verifications.get(vid).status is Status.AWAITING_SERGEANT


def test_an_operator_the_registry_no_longer_lists_as_serving_is_refused(deps, clock):
    vid = _started(deps)
    with pytest.raises(OfficerNotServing):
        _radio(deps, vid, who=control_room("MC0043"))
    assert deps.verifications.get(vid).status is Status.AWAITING_SERGEANT


def test_later_wave_and_answer_timers_find_a_decided_check_and_text_nobody(deps, clock):
    vid = _started(deps)
    texted = len(deps.sms.sent)
    _radio(deps, vid)
    after = deps.verifications.get(vid)

    for timer in list(deps.timers.scheduled):
        clock.now = max(clock.now, timer.due_at)
        services.handle_timer(deps, timer)

    assert len(deps.sms.sent) == texted  # no more sergeants texted
    assert deps.verifications.get(vid) == after  # nothing changed, nothing audited
    assert not any(t.kind is TimerKind.WAVE and t.wave and t.wave > 2 for t in deps.timers.scheduled)


def test_the_decision_timer_finds_a_radio_decision_and_does_nothing(deps, clock):
    vid = _connected(deps, clock)
    _radio(deps, vid)
    after = deps.verifications.get(vid)
    decision = next(t for t in deps.timers.scheduled if t.kind is TimerKind.DECISION_TIMEOUT)
    clock.now = decision.due_at

    services.handle_timer(deps, decision)

    assert deps.verifications.get(vid) == after and deps.alerts.published == []


# ---- races: exactly one decision wins --------------------------------------------------------

class RivalFirst(FakeVerificationStore):
    """Before the next write, let `rival` run (it reads and writes the state first, as a faster caller would)."""

    rival: Any = None

    def save_transition(self, before, after, events, consultation=None):
        rival, self.rival = self.rival, None
        if rival is not None:
            rival()
        super().save_transition(before, after, events, consultation)


@pytest.fixture
def racing(deps):
    store = RivalFirst()
    deps.verifications = store
    deps.audit_outbox = FakeAuditOutbox(store)
    return store


def test_a_sergeants_outcome_landing_first_beats_the_radio(deps, clock, racing):
    vid = _connected(deps, clock)
    racing.rival = lambda: services.record_outcome(deps, sergeant("MS0815"), vid,
                                                   OutcomeRequest(outcome="confirmed", method="audio"))

    with pytest.raises(InvalidTransition):
        _radio(deps, vid, "not_confirmed")

    stored = deps.verifications.get(vid)
    assert (stored.status, stored.method, stored.decided_by.role) == (Status.CONFIRMED, Method.AUDIO, "sergeant")
    assert _types(deps, vid).count("verification.confirmed") == 1
    assert "verification.not_confirmed" not in _types(deps, vid) and deps.alerts.published == []


def test_the_radio_landing_first_beats_the_sergeants_outcome(deps, clock, racing):
    vid = _connected(deps, clock)
    racing.rival = lambda: _radio(deps, vid)

    with pytest.raises(InvalidTransition):
        services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="not_confirmed"))

    stored = deps.verifications.get(vid)
    assert (stored.status, stored.method) == (Status.CONFIRMED, Method.RADIO)
    assert "verification.not_confirmed" not in _types(deps, vid)


def test_the_radio_landing_first_beats_a_sergeants_accept(deps, clock, racing):
    vid = _started(deps)
    racing.rival = lambda: _radio(deps, vid)

    with pytest.raises(InvalidTransition):
        services.accept_verification(deps, sergeant("MS0815"), vid)

    stored = deps.verifications.get(vid)
    assert (stored.status, stored.sergeant, stored.method) == (Status.CONFIRMED, None, Method.RADIO)
    assert "verification.accepted" not in _types(deps, vid)


def test_an_accept_landing_first_leaves_the_radio_to_decide_the_connected_check(deps, clock, racing):
    vid = _started(deps)
    racing.rival = lambda: services.accept_verification(deps, sergeant("MS0815"), vid)

    after = _radio(deps, vid)

    assert (after.status, after.sergeant.officer_id, after.method) == (Status.CONFIRMED, "MS0815", Method.RADIO)


# ---- method on a sergeant's decision ---------------------------------------------------------

@pytest.mark.parametrize("method", ["video", "audio"])
def test_a_sergeants_decision_records_its_method_in_state_and_audit(deps, clock, method):
    vid = _connected(deps, clock)

    after = services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="confirmed", method=method))

    assert after.method is Method(method)
    assert after.decided_by == Decider("MS0815", "PS", "Okafor", "sergeant")
    assert deps.verifications.events(vid)[-1]["data"]["method"] == method


def test_outcome_defaults_to_video_and_refuses_radio():
    assert OutcomeRequest.model_validate({"outcome": "confirmed"}).method == "video"
    with pytest.raises(Exception, match="method"):
        OutcomeRequest.model_validate({"outcome": "confirmed", "method": "radio"})


@pytest.mark.parametrize("end", ["cancelled", "unanswered", "expired"])
def test_undecided_ends_keep_method_null(deps, clock, end):
    vid = _connected(deps, clock) if end == "expired" else _started(deps)
    if end == "cancelled":
        services.cancel_verification(deps, officer("MP4721"), vid)
    else:
        kind = TimerKind.DECISION_TIMEOUT if end == "expired" else TimerKind.ANSWER_TIMEOUT
        timer = next(t for t in deps.timers.scheduled if t.kind is kind)
        clock.now = timer.due_at
        services.handle_timer(deps, timer)
    stored = deps.verifications.get(vid)
    assert stored.status.value == end and stored.method is None and stored.decided_by is None
