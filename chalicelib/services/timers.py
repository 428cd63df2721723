"""Escalation timers: the next wave, the answer timeout, the decision timeout."""


from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.errors import (
    InvalidTransition,
    NotFound,
)
from ..domain.verification import Status, Verification
from ..observability import logger

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

from .notifying import send_wave
from .side_effects import alert_outcome, close_meeting, schedule_timers
from .unit_of_work import apply_change


def handle_timer(deps: "Dependencies", timer: Any) -> str:
    """Run one due timer. Every branch is conditional on state, so late or repeated timers are no-ops.

    Returns what happened (for logs and tests): rearmed, wave_sent, no_wave, texted (pushes that did
    not arrive), unanswered, expired, noop.
    """
    now = deps.clock()
    if not timer.is_due(now):
        deps.timers.schedule(timer)  # longer than SQS's 15-minute maximum delay: wait again
        return "rearmed"
    logger.append_keys(verification_id=timer.verification_id)
    from ..domain.escalation import TimerKind

    if timer.kind is TimerKind.WAVE:
        current = deps.verifications.get(timer.verification_id)
        sent = send_wave(deps, timer.verification_id, timer.wave, current)
        if (sent is None and current is not None and current.status is Status.AWAITING_SERGEANT
                and current.waves_sent < timer.wave):
            # Nothing went out although the wave was due: nobody to text, or a racing change won
            # the claim. Read again so the decision below sees the winner.
            current = deps.verifications.get(timer.verification_id)
        current = sent or current
        # Keep the waves coming while nobody has accepted, even after an empty wave: a sergeant
        # may come on duty in the meantime. A repeated delivery of a sent wave arms nothing.
        already_sent = sent is None and current is not None and current.waves_sent >= timer.wave
        if current is not None and current.status is Status.AWAITING_SERGEANT and not already_sent:
            following = deps.escalation.next_wave_timer(current, now, wave=timer.wave + 1)
            if following is not None:
                schedule_timers(deps, current, [following])
        return "wave_sent" if sent is not None else "no_wave"
    if timer.kind is TimerKind.PUSH_FALLBACK:
        from .notifying import text_missed_pushes

        return text_missed_pushes(deps, timer.verification_id, timer.wave or 1)
    if timer.kind is TimerKind.ANSWER_TIMEOUT:
        return _time_out(deps, timer.verification_id, Status.AWAITING_SERGEANT, EventType.UNANSWERED,
                         "verification_unanswered", lambda v: v.close_unanswered(now), "unanswered",
                         lambda v: _reached(deps.escalation.answer_deadline(v), now))
    return _time_out(deps, timer.verification_id, Status.CONNECTED, EventType.EXPIRED,
                     "verification_expired", lambda v: v.close_expired(now), "expired",
                     lambda v: _reached(deps.escalation.decision_deadline(v), now))


def _reached(deadline: datetime, now: datetime) -> bool:
    # As Timer.is_due: SQS delays are whole seconds, so half a second early still counts.
    return (deadline - now).total_seconds() <= 0.5


def _time_out(deps: "Dependencies", verification_id: str, expected: Status, event_type: str,
              alert_type: str, close: Callable[[Verification], Verification], result: str,
              for_this_round: Callable[[Verification], bool]) -> str:
    """End a check whose time ran out, if the timer belongs to its current search or acceptance.

    A check handed back searches again and may be accepted again: a timer armed before that (its
    deadline earlier than the current one) changes nothing."""
    def change(v: Verification) -> tuple[Verification, list[PendingEvent]]:
        if v.status is not expected:
            raise InvalidTransition(f"already {v.status.value}")
        if not for_this_round(v):
            raise InvalidTransition("a timer of an earlier search or acceptance")
        return close(v), [PendingEvent(event_type, SYSTEM, {})]

    try:
        _, after = apply_change(deps, verification_id, change)
    except (InvalidTransition, NotFound):
        return "noop"  # decided, cancelled or accepted in time: the timer changes nothing
    close_meeting(deps, after)
    alert_outcome(deps, after, alert_type)
    return result
