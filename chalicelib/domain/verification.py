"""The verification state machine of SPEC §3.

States move only along LEGAL_TRANSITIONS; every change returns a new immutable Verification so the
caller can write it with a condition on the state it was read in.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import AlreadyAccepted, CannotVerifySelf, Forbidden, InvalidTransition


class Status(enum.StrEnum):
    AWAITING_SERGEANT = "awaiting_sergeant"
    CONNECTED = "connected"
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    CANCELLED = "cancelled"
    UNANSWERED = "unanswered"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES


TERMINAL_STATES = frozenset(
    {Status.CONFIRMED, Status.NOT_CONFIRMED, Status.CANCELLED, Status.UNANSWERED, Status.EXPIRED}
)

LEGAL_TRANSITIONS: dict[Status, frozenset[Status]] = {
    # Straight to a decision only by radio (SPEC §7.3): the control room may confirm before any
    # sergeant accepts; a sergeant decides only once connected (see `decide`).
    Status.AWAITING_SERGEANT: frozenset(
        {Status.CONNECTED, Status.CANCELLED, Status.UNANSWERED, Status.CONFIRMED, Status.NOT_CONFIRMED}
    ),
    # Back to waiting only when the accepting sergeant stops serving (SPEC §7.2): nobody may then
    # decide in their place, so the check looks for another sergeant.
    Status.CONNECTED: frozenset(
        {Status.CONFIRMED, Status.NOT_CONFIRMED, Status.CANCELLED, Status.EXPIRED, Status.AWAITING_SERGEANT}
    ),
    **{terminal: frozenset() for terminal in TERMINAL_STATES},
}


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"


class Method(enum.StrEnum):
    """How a decision was made (SPEC §7.3): a sergeant on a video or an audio-only call, or the
    control room by radio."""

    VIDEO = "video"
    AUDIO = "audio"
    RADIO = "radio"


SERGEANT_METHODS = frozenset({Method.VIDEO, Method.AUDIO})


@dataclass(frozen=True)
class OfficerSummary:
    """Who an officer is, as the registry says (never as the token says)."""

    officer_id: str
    rank: str
    given_name: str
    family_name: str


@dataclass(frozen=True)
class Decider:
    """Who recorded the decision, and in which role: the accepting sergeant, or a control-room
    operator confirming by radio (then `sergeant` stays whoever had accepted, if anyone)."""

    officer_id: str
    rank: str
    family_name: str
    role: str  # "sergeant" or "control_room"


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Verification:
    """One check of one officer. `audit_seq`/`audit_head` track the end of its audit hash chain."""

    verification_id: str
    reference: str
    status: Status
    force: str
    officer: OfficerSummary
    # None when the officer gave only an area (no position from the phone); then `area` is set.
    location: Location | None
    area: str | None
    created_at: datetime
    # The Chime SDK `Meeting` object, kept so the accepting sergeant can join the same call.
    meeting: dict[str, Any] | None = dataclasses.field(default=None, compare=False)
    sergeant: OfficerSummary | None = None
    accepted_at: datetime | None = None
    decided_at: datetime | None = None
    outcome_note: str | None = None
    # How the decision was made and by whom; None until confirmed or not (and for checks that were
    # cancelled, unanswered or expired).
    method: Method | None = None
    decided_by: Decider | None = None
    # Escalation state: who has been texted (never twice) and how many waves went out.
    notified: tuple[str, ...] = ()
    waves_sent: int = 0
    # Web Push (domain/push.py): who was sent a push instead of a text, whose phone has said it got
    # it, and who was texted (by a wave, or because their push did not arrive in time). A sergeant
    # is in `texted` at most once: never two texts to one sergeant for one check.
    pushed: tuple[str, ...] = ()
    push_received: tuple[str, ...] = ()
    texted: tuple[str, ...] = ()
    # Chime was unavailable at the start: the sergeant calls the officer on the radio instead.
    voice_fallback: bool = False
    # When the current search for a sergeant began, and its first wave: the start, or the moment a
    # check was handed back (its waves and answer timeout then run from there).
    searching_since: datetime | None = None
    first_wave_of_search: int = 1
    audit_seq: int = 0
    audit_head: str = "0" * 64

    def _move_to(self, target: Status) -> Verification:
        """This verification in `target`, if that is a legal move; callers replace the other fields."""
        if target not in LEGAL_TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"This verification is {self.status.value}; it cannot become {target.value}.",
                status=self.status.value,
            )
        return dataclasses.replace(self, status=target)

    @property
    def meeting_id(self) -> str | None:
        return self.meeting.get("MeetingId") if self.meeting else None

    def is_accepted_by(self, sergeant_id: str) -> bool:
        return self.status is Status.CONNECTED and self.sergeant is not None and (
            self.sergeant.officer_id == sergeant_id
        )

    def accept(self, sergeant: OfficerSummary, now: datetime) -> Verification:
        """The first sergeant wins; anyone after them gets AlreadyAccepted."""
        if sergeant.officer_id == self.officer.officer_id:
            raise CannotVerifySelf("You cannot verify your own identity.")
        if self.status is Status.CONNECTED:
            raise AlreadyAccepted("Another sergeant has already accepted this verification.")
        return dataclasses.replace(self._move_to(Status.CONNECTED), sergeant=sergeant, accepted_at=now)

    def decide(
        self, sergeant_id: str, outcome: Outcome, note: str | None, now: datetime,
        method: Method = Method.VIDEO,
    ) -> Verification:
        """Only the sergeant who accepted may record the outcome, on a video or audio call."""
        if method not in SERGEANT_METHODS:
            raise Forbidden("A sergeant decides on a video or audio call; radio is the control room's.")
        not_theirs = self.sergeant is None or self.sergeant.officer_id != sergeant_id
        if not_theirs and self.status is Status.CONNECTED:
            raise Forbidden("Only the sergeant who accepted this verification can decide it.")
        if self.status is Status.AWAITING_SERGEANT or self.sergeant is None:
            # A waiting check moves to a decision only by radio: no sergeant has seen the officer.
            raise InvalidTransition(
                f"This verification is {self.status.value}; no sergeant has accepted it.", status=self.status.value
            )
        decider = Decider(self.sergeant.officer_id, self.sergeant.rank, self.sergeant.family_name, "sergeant")
        return self._decided(_target(outcome), note, now, method, decider)

    def confirm_by_radio(
        self, operator: OfficerSummary, outcome: Outcome, note: str | None, now: datetime
    ) -> Verification:
        """The force's control room decides by radio (SPEC §7.3), while waiting or connected.

        `sergeant` keeps whoever had accepted; `decided_by` names the operator."""
        if self.status not in (Status.AWAITING_SERGEANT, Status.CONNECTED):
            raise InvalidTransition(
                f"This verification is {self.status.value}; it cannot be confirmed by radio.",
                status=self.status.value,
            )
        decider = Decider(operator.officer_id, operator.rank, operator.family_name, "control_room")
        return self._decided(_target(outcome), note, now, Method.RADIO, decider)

    def _decided(
        self, target: Status, note: str | None, now: datetime, method: Method, decider: Decider
    ) -> Verification:
        return dataclasses.replace(
            self._move_to(target), decided_at=now, outcome_note=note, method=method, decided_by=decider
        )

    def cancel(self, officer_id: str, now: datetime) -> Verification:
        """The officer withdraws; only their own verification."""
        if officer_id != self.officer.officer_id:
            raise Forbidden("Only the officer who started this verification can cancel it.")
        return dataclasses.replace(self._move_to(Status.CANCELLED), decided_at=now)

    @property
    def search_started_at(self) -> datetime:
        return self.searching_since or self.created_at

    def hand_back(self, now: datetime) -> Verification:
        """The accepting sergeant can no longer decide: wait for another, from the next wave on."""
        if self.status is not Status.CONNECTED:
            raise InvalidTransition(f"This verification is {self.status.value}; there is nothing to hand back.",
                                    status=self.status.value)
        return dataclasses.replace(self._move_to(Status.AWAITING_SERGEANT), sergeant=None, accepted_at=None,
                                   searching_since=now, first_wave_of_search=self.waves_sent + 1)

    def close_unanswered(self, now: datetime) -> Verification:
        """The answer timeout fired while nobody had accepted."""
        return dataclasses.replace(self._move_to(Status.UNANSWERED), decided_at=now)

    def close_expired(self, now: datetime) -> Verification:
        """The decision timeout fired while the accepting sergeant had not decided."""
        return dataclasses.replace(self._move_to(Status.EXPIRED), decided_at=now)

    def record_wave(self, wave: int, recipients: list[str], pushed: list[str] | None = None) -> Verification:
        """Remember a wave; only while someone is still needed, and never a wave twice.

        `pushed`: the recipients sent a push instead of a text (the others are texted now).
        Waves are numbered by their timer; earlier waves may have found nobody to text, so any wave
        after the last one sent may go (a repeated or older wave may not).
        """
        if self.status is not Status.AWAITING_SERGEANT:
            raise InvalidTransition(f"This verification is {self.status.value}; no more texts go out.")
        if wave <= self.waves_sent:
            raise InvalidTransition(f"Wave {wave} was already sent (sent up to {self.waves_sent}).")
        by_push = [r for r in recipients if r in (pushed or ())]
        return dataclasses.replace(
            self, waves_sent=wave, notified=_added(self.notified, recipients), pushed=_added(self.pushed, by_push),
            texted=_added(self.texted, [r for r in recipients if r not in by_push]),
        )

    def pushes_not_received(self) -> list[str]:
        """Sergeants sent a push whose phone has not said it got it, and who were not texted."""
        return [s for s in self.pushed if s not in self.push_received and s not in self.texted]

    def record_texts_instead_of_push(self, sergeant_ids: list[str]) -> Verification:
        """Claim the texts for pushes that did not arrive (or failed): once per sergeant, while waiting."""
        if self.status is not Status.AWAITING_SERGEANT:
            raise InvalidTransition(f"This verification is {self.status.value}; no more texts go out.")
        due = [s for s in sergeant_ids if s in self.pushes_not_received()]
        if not due:
            raise InvalidTransition("Every push was received or its sergeant already texted.")
        return dataclasses.replace(self, texted=_added(self.texted, due))

    def record_push_received(self, sergeant_id: str) -> Verification:
        """The sergeant's phone got the push: no text needed for them (if not texted already)."""
        if sergeant_id not in self.pushed:
            raise InvalidTransition("No push was sent to this sergeant for this verification.")
        if sergeant_id in self.push_received:
            raise InvalidTransition("This push's receipt is already recorded.")
        return dataclasses.replace(self, push_received=_added(self.push_received, [sergeant_id]))


def _added(existing: tuple[str, ...], more: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*existing, *more)))


def _target(outcome: Outcome) -> Status:
    return Status.CONFIRMED if outcome is Outcome.CONFIRMED else Status.NOT_CONFIRMED
