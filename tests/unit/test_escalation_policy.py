"""Escalation rules (issue 3), pure: who is in the next wave, which timers a check needs, when a
timer is due, and how waves are recorded on a verification."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.escalation import MAX_TIMER_DELAY_SECONDS, EscalationPolicy, Timer, TimerKind
from chalicelib.domain.public import ADVICE, OFFICER_ADVICE
from chalicelib.domain.registry import Duty, OfficerStatus, Role
from chalicelib.domain.verification import Status
from tests.unit.factories import T0, T1, in_state, sergeant_record, verification

POLICY = EscalationPolicy(
    wave_size=3, wave_interval_seconds=20, answer_timeout_seconds=90, decision_timeout_seconds=600
)
VID = verification().verification_id


def sgt(officer_id: str, last: str | None = None, **changes):
    """An available serving sergeant with a phone, last texted at `last` (None: never)."""
    fields = {"phone": f"+4477009007{officer_id[-2:]}", **changes}
    return sergeant_record(officer_id=officer_id, last_notified_at=last, **fields)


def ids(records) -> list[str]:
    return [r.officer_id for r in records]


# ---- next_wave: fairness and exclusions ----------------------------------------------------


def test_next_wave_prefers_never_texted_then_least_recently_texted():
    candidates = [
        sgt("MS0101", "2026-11-28T02:40:00.000Z"),
        sgt("MS0105", None),
        sgt("MS0103", "2026-11-28T01:00:00.000Z"),
        sgt("MS0104", "2026-11-28T02:46:59.999Z"),
        sgt("MS0102", None),
    ]
    assert ids(POLICY.next_wave(candidates, verification())) == ["MS0102", "MS0105", "MS0103"]
    # The order the registry returns them in does not matter.
    assert ids(POLICY.next_wave(list(reversed(candidates)), verification())) == ["MS0102", "MS0105", "MS0103"]


def test_next_wave_breaks_ties_on_officer_id():
    same = "2026-11-28T02:00:00.000Z"
    candidates = [sgt("MS0109", same), sgt("MS0103", same), sgt("MS0107", same), sgt("MS0101", same)]
    assert ids(POLICY.next_wave(candidates, verification())) == ["MS0101", "MS0103", "MS0107"]


def test_next_wave_never_texts_anyone_already_texted_for_this_check():
    candidates = [sgt("MS0101"), sgt("MS0102"), sgt("MS0103"), sgt("MS0104", "2026-11-28T02:46:00.000Z")]
    check = verification(notified=("MS0101", "MS0102"), waves_sent=1)
    # MS0101/MS0102 were never texted before *today* in the registry's eyes, but this check texted them.
    assert ids(POLICY.next_wave(candidates, check)) == ["MS0103", "MS0104"]


def test_next_wave_excludes_the_officer_off_duty_suspended_left_phoneless_and_non_sergeants():
    candidates = [
        sgt("MP4721"),  # the officer asking to be verified (also listed as an available sergeant)
        sgt("MS0102", duty=Duty.OFF_DUTY),
        sgt("MS0103", status=OfficerStatus.SUSPENDED),
        sgt("MS0104", status=OfficerStatus.LEFT),
        sgt("MS0105", phone=None),
        sgt("MS0106", phone=""),
        sgt("MS0107", role=Role.OFFICER),
        sgt("MS0108", duty=None),
        sgt("MS0199", "2026-11-28T02:46:00.000Z"),
    ]
    assert verification().officer.officer_id == "MP4721"
    assert ids(POLICY.next_wave(candidates, verification())) == ["MS0199"]


@pytest.mark.parametrize("wave_size, expected", [(1, 1), (3, 3), (5, 5), (50, 5)])
def test_next_wave_is_at_most_wave_size(wave_size, expected):
    policy = dataclasses.replace(POLICY, wave_size=wave_size)
    candidates = [sgt(f"MS01{n:02d}") for n in range(1, 6)]
    assert ids(policy.next_wave(candidates, verification())) == [f"MS01{n:02d}" for n in range(1, 6)][:expected]


def test_successive_waves_text_every_sergeant_exactly_once_then_nobody():
    candidates = [sgt(f"MS01{n:02d}", None if n % 2 else f"2026-11-28T0{n % 3}:00:00.000Z") for n in range(1, 9)]
    check = verification()
    waves = []
    while wave := POLICY.next_wave(candidates, check):
        waves.append(ids(wave))
        check = check.record_wave(check.waves_sent + 1, ids(wave))
    assert [len(w) for w in waves] == [3, 3, 2]
    texted = [officer_id for wave in waves for officer_id in wave]
    assert sorted(texted) == sorted(ids(candidates)) and len(set(texted)) == len(texted)
    assert check.waves_sent == 3 and sorted(check.notified) == sorted(ids(candidates))
    # Never-texted first (odd numbers), then oldest texting first.
    assert waves[0] == ["MS0101", "MS0103", "MS0105"]
    assert POLICY.next_wave(candidates, check) == []


def test_next_wave_of_nobody_is_empty():
    assert POLICY.next_wave([], verification()) == []


# ---- timers a check needs ------------------------------------------------------------------


def test_timers_on_start_are_wave_two_and_the_answer_timeout():
    check = verification(created_at=T0)
    assert POLICY.timers_on_start(check) == [
        Timer(TimerKind.WAVE, VID, T0 + timedelta(seconds=20), wave=2),
        Timer(TimerKind.ANSWER_TIMEOUT, VID, T0 + timedelta(seconds=90), wave=None),
    ]


@pytest.mark.parametrize("interval, answer", [(90, 90), (30, 20)])
def test_timers_on_start_arm_no_wave_at_or_after_the_answer_timeout(interval, answer):
    policy = dataclasses.replace(POLICY, wave_interval_seconds=interval, answer_timeout_seconds=answer)
    timers = policy.timers_on_start(verification(created_at=T0))
    assert [t.kind for t in timers] == [TimerKind.ANSWER_TIMEOUT]


@pytest.mark.parametrize(
    "seconds_after_start, waves_sent, expected_due",
    [
        (0, 1, 20),
        (20, 2, 40),
        (40.3, 3, 60),  # wave 4 is due 3 intervals after the start
        # Wave 3's timer came late (at 69 s, not 40 s): wave 4 goes at once, not at 89 s.
        (69, 3, 69),
        (89.999, 3, 89.999),  # still just before the answer timeout
        (90, 3, None),  # would fall exactly at the answer timeout
        (95, 3, None),  # after it
        (200, 3, None),
    ],
)
def test_next_wave_timer_only_before_the_answer_timeout(seconds_after_start, waves_sent, expected_due):
    check = verification(created_at=T0, waves_sent=waves_sent)
    now = T0 + timedelta(seconds=seconds_after_start)
    timer = POLICY.next_wave_timer(check, now)
    if expected_due is None:
        assert timer is None
    else:
        assert timer == Timer(TimerKind.WAVE, VID, T0 + timedelta(seconds=expected_due), wave=waves_sent + 1)


def test_timer_on_accept_is_the_decision_timeout_from_acceptance():
    check = in_state(Status.CONNECTED, accepted_at=T1)
    assert POLICY.timer_on_accept(check) == Timer(
        TimerKind.DECISION_TIMEOUT, VID, T1 + timedelta(seconds=600), wave=None
    )


# ---- Timer.delay_seconds and is_due --------------------------------------------------------


@pytest.mark.parametrize(
    "remaining, delay",
    [
        (-3600, 0), (-0.2, 0), (0, 0), (0.0005, 0), (0.2, 1), (0.999, 1), (1, 1), (1.4, 2), (19.2, 20),
        (20, 20), (599.01, 600), (899.5, 900), (900, 900), (900.4, 900), (3600, 900), (86_400, 900),
    ],
)
def test_delay_seconds_rounds_up_to_whole_seconds_and_caps_at_sqs_maximum(remaining, delay):
    timer = Timer(TimerKind.ANSWER_TIMEOUT, VID, T0 + timedelta(seconds=remaining))
    result = timer.delay_seconds(T0)
    assert result == delay and type(result) is int
    assert MAX_TIMER_DELAY_SECONDS == 900


@pytest.mark.parametrize(
    "remaining, due",
    [(-60, True), (0, True), (0.3, True), (0.5, True), (0.501, False), (0.9, False), (1, False), (900, False)],
)
def test_is_due_allows_half_a_second_of_early_delivery(remaining, due):
    timer = Timer(TimerKind.WAVE, VID, T0 + timedelta(seconds=remaining), wave=2)
    assert timer.is_due(T0) is due


@pytest.mark.parametrize("remaining", [0.001, 0.4, 0.5, 0.6, 0.999, 1.0005, 7.25, 19.9999, 599.5, 899.3, 900])
def test_a_timer_delivered_after_its_delay_is_due_and_never_more_than_a_second_late(remaining):
    timer = Timer(TimerKind.DECISION_TIMEOUT, VID, T0 + timedelta(seconds=remaining))
    delay = timer.delay_seconds(T0)
    assert timer.is_due(T0 + timedelta(seconds=delay))
    assert delay < remaining + 1


def test_a_timer_longer_than_fifteen_minutes_is_not_due_when_first_delivered():
    timer = Timer(TimerKind.DECISION_TIMEOUT, VID, T0 + timedelta(seconds=1800))
    first = T0 + timedelta(seconds=timer.delay_seconds(T0))
    assert not timer.is_due(first)  # delivered early: the handler re-arms it
    second = first + timedelta(seconds=timer.delay_seconds(first))
    assert timer.is_due(second) and second == T0 + timedelta(seconds=1800)


# ---- Verification.record_wave --------------------------------------------------------------


def test_record_wave_counts_waves_and_remembers_each_recipient_once():
    check = verification()
    first = check.record_wave(1, ["MS0101", "MS0102"])
    second = first.record_wave(2, ["MS0103", "MS0101"])
    assert (first.waves_sent, first.notified) == (1, ("MS0101", "MS0102"))
    assert (second.waves_sent, second.notified) == (2, ("MS0101", "MS0102", "MS0103"))
    assert second.status is Status.AWAITING_SERGEANT
    assert (check.waves_sent, check.notified) == (0, ())  # the original is unchanged


@pytest.mark.parametrize("waves_sent, wave", [(0, 0), (1, 1), (2, 1), (3, 3)])
def test_record_wave_rejects_waves_out_of_order_or_twice(waves_sent, wave):
    check = verification(waves_sent=waves_sent, notified=("MS0101",) * bool(waves_sent))
    with pytest.raises(InvalidTransition) as raised:
        check.record_wave(wave, ["MS0102"])
    assert raised.value.code == "invalid_state"


def test_record_wave_may_follow_empty_waves():
    """Waves 1-2 found nobody to text; wave 3 may still go (and then 1-3 count as sent)."""
    assert verification(waves_sent=0).record_wave(3, ["MS0102"]).waves_sent == 3
    assert verification(waves_sent=1, notified=("MS0101",)).record_wave(3, ["MS0102"]).waves_sent == 3


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.AWAITING_SERGEANT])
def test_record_wave_only_while_awaiting_a_sergeant(status):
    check = in_state(status, waves_sent=1, notified=("MS0101",))
    with pytest.raises(InvalidTransition) as raised:
        check.record_wave(2, ["MS0102"])
    assert raised.value.code == "invalid_state"
    assert status.value in raised.value.message


# ---- what people are told when a check times out -------------------------------------------


@pytest.mark.parametrize("status", [Status.UNANSWERED, Status.EXPIRED])
def test_timed_out_checks_tell_the_citizen_to_call_999_for_a_uniformed_officer(status):
    assert "Call 999" in ADVICE[status] and "uniformed officer" in ADVICE[status]


@pytest.mark.parametrize("status", [Status.UNANSWERED, Status.EXPIRED])
def test_timed_out_checks_tell_the_officer_the_control_room_was_alerted(status):
    advice = OFFICER_ADVICE[status]
    assert "control room has been alerted" in advice and "radio" in advice and "uniformed officer" in advice


def test_every_state_has_officer_advice():
    assert set(OFFICER_ADVICE) == set(Status)
    assert all(text.strip() and text != ADVICE[status] for status, text in OFFICER_ADVICE.items())


def test_a_check_handed_back_searches_again_from_then():
    """SPEC §7.2: after a hand-back the next waves and the answer timeout run from the hand-back."""
    from datetime import timedelta

    from chalicelib.domain.escalation import EscalationPolicy, TimerKind
    from chalicelib.domain.verification import Status

    from .factories import SERGEANT, T1, in_state

    policy = EscalationPolicy(wave_size=3, wave_interval_seconds=20, answer_timeout_seconds=90,
                              decision_timeout_seconds=600)
    accepted = in_state(Status.AWAITING_SERGEANT).record_wave(1, ["MP2001"]).accept(SERGEANT, T1)
    back = accepted.hand_back(T1 + timedelta(minutes=5))
    assert back.status is Status.AWAITING_SERGEANT and back.sergeant is None and back.accepted_at is None
    assert back.first_wave_of_search == 2 and back.search_started_at == T1 + timedelta(minutes=5)
    timers = policy.timers_on_start(back)
    assert [(t.kind, t.wave, t.due_at - back.search_started_at) for t in timers] == [
        (TimerKind.WAVE, 3, timedelta(seconds=20)),
        (TimerKind.ANSWER_TIMEOUT, None, timedelta(seconds=90)),
    ]
    assert policy.answer_deadline(back) == T1 + timedelta(minutes=5, seconds=90)


# ---- next_wave: likeliest to answer now first (issue 17) ---------------------------------------


def test_answer_tier_reads_the_page_open_sign_then_the_last_acceptance():
    from chalicelib.domain.escalation import answer_tier

    now = T0
    assert answer_tier("2026-11-28T02:44:00.000Z", None, now.replace(hour=2, minute=47)) == 0
    assert answer_tier("2026-11-28T02:30:00.000Z", "2026-11-28T00:00:00.000Z", now.replace(hour=2, minute=47)) == 1
    assert answer_tier("2026-11-28T02:30:00.000Z", "2026-11-27T12:00:00.000Z", now.replace(hour=2, minute=47)) == 2
    assert answer_tier(None, None, now) == 2


def test_next_wave_texts_the_likeliest_first_and_rotates_within_a_tier():
    from chalicelib.domain.escalation import SEEN_RECENTLY

    now = T0
    recent = (now - SEEN_RECENTLY / 2).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    accepted = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    candidates = [
        sgt("MS0101", None),  # never texted, but no sign of being at hand
        sgt("MS0102", "2026-11-28T02:40:00.000Z", last_accepted_at=accepted),
        sgt("MS0103", "2026-11-28T02:41:00.000Z", last_seen_at=recent),
        sgt("MS0104", "2026-11-28T02:30:00.000Z", last_seen_at=recent),
    ]
    wave = POLICY.next_wave(candidates, verification(), now)
    assert ids(wave) == ["MS0104", "MS0103", "MS0102"]
    # Without the time, the order is the rotation alone (as before).
    assert ids(POLICY.next_wave(candidates, verification())) == ["MS0101", "MS0104", "MS0102"]


def test_seen_is_stale_only_after_the_refresh():
    from chalicelib.domain.escalation import SEEN_REFRESH, seen_is_stale

    stamp = T0.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert seen_is_stale(None, T0)
    assert not seen_is_stale(stamp, T0 + SEEN_REFRESH / 2)
    assert seen_is_stale(stamp, T0 + SEEN_REFRESH + timedelta(seconds=1))
