"""Timers for clock-controlled tests: recorded instead of sent to SQS, fired by the test."""

from __future__ import annotations

from typing import Any


class RecordingTimers:
    """Same port as SqsTimers; `due(now)` hands back (and forgets) the timers that are due."""

    def __init__(self) -> None:
        self.scheduled: list[Any] = []

    def schedule(self, timer: Any) -> None:
        self.scheduled.append(timer)

    def take_due(self, now: Any) -> list[Any]:
        due = [t for t in self.scheduled if t.is_due(now)]
        self.scheduled = [t for t in self.scheduled if not t.is_due(now)]
        return sorted(due, key=lambda t: t.due_at)
