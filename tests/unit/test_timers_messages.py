"""Timer messages on the SQS timers queue: what is written, what is read back, what is refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.adapters.sqs_timers import timer_from_body, timer_to_body
from chalicelib.domain.escalation import Timer, TimerKind
from tests.unit.factories import T0, T1

VID = "q3Yk1mZ0aB_cD-eF"

TIMERS = [
    Timer(TimerKind.WAVE, VID, T0 + timedelta(seconds=20), wave=2),
    Timer(TimerKind.WAVE, VID, T0 + timedelta(seconds=40), wave=3),
    Timer(TimerKind.ANSWER_TIMEOUT, VID, T0 + timedelta(seconds=90)),
    Timer(TimerKind.DECISION_TIMEOUT, VID, T1 + timedelta(seconds=600)),  # T1 has milliseconds
]


@pytest.mark.parametrize("timer", TIMERS, ids=lambda t: f"{t.kind.value}-{t.wave}")
def test_round_trip(timer):
    body = timer_to_body(timer)
    assert timer_from_body(body) == timer
    assert timer_from_body(body).due_at.tzinfo is not None


def test_body_is_small_sorted_json_with_a_z_timestamp():
    body = timer_to_body(TIMERS[0])
    assert json.loads(body) == {
        "kind": "wave", "verification_id": VID, "due_at": "2026-11-28T02:47:20.000Z", "wave": 2,
    }
    assert body == json.dumps(json.loads(body), sort_keys=True)
    assert json.loads(timer_to_body(TIMERS[2]))["wave"] is None


def test_a_due_time_in_another_offset_is_read_as_the_same_instant():
    body = json.dumps({"kind": "answer_timeout", "verification_id": VID, "due_at": "2026-11-28T03:48:30+01:00"})
    timer = timer_from_body(body)
    assert timer.due_at == T0 + timedelta(seconds=90)
    assert timer.is_due(T0 + timedelta(seconds=90)) and not timer.is_due(T0 + timedelta(seconds=89))


GOOD = {"kind": "answer_timeout", "verification_id": VID, "due_at": "2026-11-28T02:48:30.000Z", "wave": None}


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        "{",
        "[]",
        "null",
        "42",
        '"wave"',
        json.dumps({**GOOD, "kind": "nap"}),
        json.dumps({**GOOD, "kind": None}),
        json.dumps({k: v for k, v in GOOD.items() if k != "kind"}),
        json.dumps({k: v for k, v in GOOD.items() if k != "verification_id"}),
        json.dumps({k: v for k, v in GOOD.items() if k != "due_at"}),
        json.dumps({**GOOD, "due_at": "tomorrow"}),
        json.dumps({**GOOD, "due_at": 1795843482}),
        json.dumps({**GOOD, "due_at": ["2026-11-28T02:48:30Z"]}),
        json.dumps({**GOOD, "kind": "wave", "wave": "two"}),
        json.dumps({**GOOD, "kind": "wave", "wave": [2]}),
    ],
)
def test_anything_that_is_not_a_timer_is_a_value_error(body):
    with pytest.raises(ValueError):
        timer_from_body(body)


# A message the handler cannot run must be refused here (and dropped), not accepted and then crash
# the SQS handler on every redelivery (a poison message retried until it leaves the queue).
def test_a_timer_without_a_due_time_is_a_value_error():
    with pytest.raises(ValueError):
        timer_from_body(json.dumps({**GOOD, "due_at": None}))


def test_a_due_time_without_an_offset_is_a_value_error():
    with pytest.raises(ValueError):
        timer_from_body(json.dumps({**GOOD, "due_at": "2026-11-28T02:48:30"}))


def test_a_wave_timer_without_a_wave_number_is_a_value_error():
    with pytest.raises(ValueError):
        timer_from_body(json.dumps({**GOOD, "kind": "wave", "wave": None}))
