"""Timers on SQS: one message per timer, delayed with `DelaySeconds` (whole seconds, at most 900).

Delivery is at least once; the handlers are conditional on state, so a duplicate does nothing.
A timer longer than 15 minutes is delivered early and re-armed for the rest (see Timer.is_due).
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.clock import Clock, iso_z, parse_iso
from ..domain.escalation import Timer, TimerKind


def timer_to_body(timer: Timer) -> str:
    return json.dumps(
        {
            "kind": timer.kind.value,
            "verification_id": timer.verification_id,
            "due_at": iso_z(timer.due_at),
            "wave": timer.wave,
        },
        sort_keys=True,
    )


def timer_from_body(body: str) -> Timer:
    """Parse a timer message; ValueError for anything that is not one (it is then dropped)."""
    try:
        data = json.loads(body)
        kind = TimerKind(data["kind"])
        due_at = parse_iso(data["due_at"])
        wave = data.get("wave")
        if due_at is None or due_at.tzinfo is None:
            raise ValueError("due_at must be an ISO 8601 time with its UTC offset")
        numbered = kind in (TimerKind.WAVE, TimerKind.PUSH_FALLBACK)
        if numbered and (not isinstance(wave, int) or isinstance(wave, bool) or wave < 1):
            raise ValueError("a wave timer needs its wave number")
        return Timer(
            kind=kind,
            verification_id=str(data["verification_id"]),
            due_at=due_at,
            wave=wave if numbered else None,
        )
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a timer message: {error}") from None


class SqsTimers:
    """Schedules timers on the timers queue."""

    def __init__(self, client: Any, queue_url: str, clock: Clock) -> None:
        self._client = client
        self._queue_url = queue_url
        self._clock = clock

    def schedule(self, timer: Timer) -> None:
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=timer_to_body(timer),
            DelaySeconds=timer.delay_seconds(self._clock()),
        )
