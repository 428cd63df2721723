"""Escalation policy: which sergeants get the next wave of texts, and which timers a check needs.

Pure rules; the services apply them and the timer adapter (SQS with per-message delay) delivers them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from .clock import parse_iso
from .registry import RegistryRecord, sergeants_to_notify
from .verification import Verification

# SQS can delay one message by at most 15 minutes; longer timers re-arm themselves.
MAX_TIMER_DELAY_SECONDS = 900


class TimerKind(enum.StrEnum):
    WAVE = "wave"
    ANSWER_TIMEOUT = "answer_timeout"
    DECISION_TIMEOUT = "decision_timeout"
    # A wave's pushes had a few seconds to reach the phones: text those whose phone said nothing.
    PUSH_FALLBACK = "push_fallback"


@dataclass(frozen=True)
class Timer:
    """Something that must happen to one verification at `due_at` (at least once)."""

    kind: TimerKind
    verification_id: str
    due_at: datetime
    wave: int | None = None

    def delay_seconds(self, now: datetime) -> int:
        remaining = (self.due_at - now).total_seconds()
        return max(0, min(MAX_TIMER_DELAY_SECONDS, int(remaining + 0.999)))

    def is_due(self, now: datetime) -> bool:
        # SQS delays are whole seconds; allow half a second of early delivery.
        return (self.due_at - now).total_seconds() <= 0.5


# A sergeant whose page was open this recently is at hand; one who accepted a check this recently is
# on a shift that answers. Texting them first is what lets a wave of two find someone (the model
# and its assumptions: bench/time_to_sergeant.py and the README's Performance section).
SEEN_RECENTLY = timedelta(minutes=5)
ACCEPTED_RECENTLY = timedelta(hours=12)
# How often a sergeant's page being open is written down (at most once per sergeant in this time).
SEEN_REFRESH = timedelta(minutes=2)


def answer_tier(last_seen_at: str | None, last_accepted_at: str | None, now: datetime) -> int:
    """0: page open in the last 5 minutes; 1: accepted a check in the last 12 hours; 2: no sign."""
    if _within(last_seen_at, now, SEEN_RECENTLY):
        return 0
    if _within(last_accepted_at, now, ACCEPTED_RECENTLY):
        return 1
    return 2


def seen_is_stale(last_seen_at: str | None, now: datetime) -> bool:
    """Whether a request now should record that the sergeant's page is open (rarely: SEEN_REFRESH)."""
    return not _within(last_seen_at, now, SEEN_REFRESH)


def _within(at: str | None, now: datetime, span: timedelta) -> bool:
    moment = parse_iso(at) if at else None
    return moment is not None and now - moment <= span


@dataclass(frozen=True)
class EscalationPolicy:
    wave_size: int
    wave_interval_seconds: int
    answer_timeout_seconds: int
    decision_timeout_seconds: int

    def next_wave(self, candidates: list[RegistryRecord], verification: Verification,
                  now: datetime | None = None) -> list[RegistryRecord]:
        """Those most likely to answer now first (`answer_tier`), then fairly: least recently
        notified first; never anyone already texted for this check. Without `now`, fairness only."""
        eligible = [
            record
            for record in sergeants_to_notify(candidates, verification.officer.officer_id)
            if record.officer_id not in verification.notified
        ]
        eligible.sort(key=lambda record: (
            answer_tier(record.last_seen_at, record.last_accepted_at, now) if now is not None else 0,
            record.last_notified_at or "", record.officer_id,
        ))
        return eligible[: self.wave_size]

    def timers_on_start(self, verification: Verification) -> list[Timer]:
        """The search's answer timeout and its second wave (the first goes out at once)."""
        started = verification.search_started_at
        timers = [Timer(TimerKind.ANSWER_TIMEOUT, verification.verification_id, self.answer_deadline(verification))]
        second_wave = self.next_wave_timer(verification, started, wave=verification.first_wave_of_search + 1)
        return ([second_wave] if second_wave else []) + timers

    def answer_deadline(self, verification: Verification) -> datetime:
        return verification.search_started_at + timedelta(seconds=self.answer_timeout_seconds)

    def decision_deadline(self, verification: Verification) -> datetime:
        accepted = verification.accepted_at or verification.created_at
        return accepted + timedelta(seconds=self.decision_timeout_seconds)

    def next_wave_timer(self, verification: Verification, now: datetime, wave: int | None = None) -> Timer | None:
        """The next wave (by default the one after the last sent), if it would still go out before
        the answer timeout.

        Wave k is due k-1 intervals after the start, never in the past. Anchored to the start, not
        to when the previous wave went out: a timer delivered late (a busy queue, a cold start)
        then makes the next wave go sooner instead of pushing every later wave past the timeout.
        A check handed back starts a new search: its waves count from then.
        """
        number = wave or verification.waves_sent + 1
        steps = number - verification.first_wave_of_search
        anchored = verification.search_started_at + timedelta(seconds=self.wave_interval_seconds * steps)
        due = max(now, anchored)
        if due >= self.answer_deadline(verification):
            return None
        return Timer(TimerKind.WAVE, verification.verification_id, due, wave=number)

    def timer_on_accept(self, verification: Verification) -> Timer:
        return Timer(TimerKind.DECISION_TIMEOUT, verification.verification_id, self.decision_deadline(verification))
