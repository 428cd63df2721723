"""SPEC §3: the verification lifecycle, every (state, action) pair, and who may act."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from chalicelib.domain.errors import (
    AlreadyAccepted,
    CannotVerifySelf,
    Forbidden,
    InvalidTransition,
)
from chalicelib.domain.verification import (
    LEGAL_TRANSITIONS,
    TERMINAL_STATES,
    Decider,
    Method,
    OfficerSummary,
    Outcome,
    Status,
    Verification,
)

from .factories import OFFICER, OTHER_SERGEANT, SERGEANT, T1, T2, in_state

S = Status

# Written out from SPEC §3 (and §7.2: a check whose sergeant stops serving is handed back),
# independently of the production table.
# §7.3: the control room may confirm (or not) by radio while a check waits for a sergeant.
SPEC_TRANSITIONS: dict[Status, set[Status]] = {
    S.AWAITING_SERGEANT: {S.CONNECTED, S.CANCELLED, S.UNANSWERED, S.CONFIRMED, S.NOT_CONFIRMED},
    S.CONNECTED: {S.CONFIRMED, S.NOT_CONFIRMED, S.CANCELLED, S.EXPIRED, S.AWAITING_SERGEANT},
    S.CONFIRMED: set(),
    S.NOT_CONFIRMED: set(),
    S.CANCELLED: set(),
    S.UNANSWERED: set(),
    S.EXPIRED: set(),
}
SPEC_TERMINAL = {S.CONFIRMED, S.NOT_CONFIRMED, S.CANCELLED, S.UNANSWERED, S.EXPIRED}

NOTE = "Face and warrant card match the registry photo."


# Each action: how to perform it (by the rightful actor) and the state it aims for.
def _fresh_sergeant(v: Verification):
    # A sergeant other than the one (if any) already on the verification, and not its officer.
    return OTHER_SERGEANT if v.sergeant is not None else SERGEANT


ACTIONS = {
    "accept": (lambda v: v.accept(_fresh_sergeant(v), T2), S.CONNECTED),
    "confirm": (lambda v: v.decide(SERGEANT.officer_id, Outcome.CONFIRMED, NOTE, T2), S.CONFIRMED),
    "not_confirm": (
        lambda v: v.decide(SERGEANT.officer_id, Outcome.NOT_CONFIRMED, NOTE, T2),
        S.NOT_CONFIRMED,
    ),
    "cancel": (lambda v: v.cancel(OFFICER.officer_id, T2), S.CANCELLED),
    "close_unanswered": (lambda v: v.close_unanswered(T2), S.UNANSWERED),
    "close_expired": (lambda v: v.close_expired(T2), S.EXPIRED),
    "hand_back": (lambda v: v.hand_back(T2), S.AWAITING_SERGEANT),
    "radio_confirm": (lambda v: v.confirm_by_radio(OPERATOR, Outcome.CONFIRMED, NOTE, T2), S.CONFIRMED),
    "radio_not_confirm": (
        lambda v: v.confirm_by_radio(OPERATOR, Outcome.NOT_CONFIRMED, NOTE, T2), S.NOT_CONFIRMED,
    ),
}
# A sergeant decides only once connected (nobody has seen the officer before); radio from either.
ONLY_FROM = {"confirm": {S.CONNECTED}, "not_confirm": {S.CONNECTED}}
OPERATOR = OfficerSummary(officer_id="MP6003", rank="PC", given_name="Tariq", family_name="Osei")

ALL_PAIRS = list(itertools.product(list(Status), ACTIONS))


def _expected_fields(before: Verification, action: str) -> dict[str, object]:
    """What each legal transition must set (and leave alone)."""
    if action == "accept":
        return dict(sergeant=SERGEANT, accepted_at=T2, decided_at=None, outcome_note=None)
    if action in ("confirm", "not_confirm"):
        return dict(
            sergeant=before.sergeant, accepted_at=before.accepted_at, decided_at=T2, outcome_note=NOTE,
            method=Method.VIDEO, decided_by=Decider("MS0815", "PS", "Okafor", "sergeant"),
        )
    if action in ("radio_confirm", "radio_not_confirm"):
        return dict(
            sergeant=before.sergeant, accepted_at=before.accepted_at, decided_at=T2, outcome_note=NOTE,
            method=Method.RADIO, decided_by=Decider("MP6003", "PC", "Osei", "control_room"),
        )
    if action == "hand_back":
        return dict(sergeant=None, accepted_at=None, decided_at=None, outcome_note=None, searching_since=T2,
                    first_wave_of_search=before.waves_sent + 1)
    return dict(
        sergeant=before.sergeant, accepted_at=before.accepted_at, decided_at=T2, outcome_note=None
    )


def test_status_values_are_the_spec_vocabulary():
    assert {status.value for status in Status} == {
        "awaiting_sergeant",
        "connected",
        "confirmed",
        "not_confirmed",
        "cancelled",
        "unanswered",
        "expired",
    }


def test_legal_transitions_table_matches_spec():
    assert {state: set(targets) for state, targets in LEGAL_TRANSITIONS.items()} == SPEC_TRANSITIONS


def test_terminal_states_match_spec_and_have_no_exits():
    assert set(TERMINAL_STATES) == SPEC_TERMINAL
    for state in Status:
        assert state.is_terminal is (state in SPEC_TERMINAL)
    for state in SPEC_TERMINAL:
        assert LEGAL_TRANSITIONS[state] == frozenset()


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS, ids=[f"{s.value}-{a}" for s, a in ALL_PAIRS])
def test_every_state_action_pair(state: Status, action: str):
    before = in_state(state)
    perform, target = ACTIONS[action]

    if state is S.CONNECTED and action == "accept":
        # SPEC §3 (step 2, Accept): everyone after the first sergeant gets already_accepted, not invalid_state.
        with pytest.raises(AlreadyAccepted) as raised:
            perform(before)
        assert raised.value.code == "already_accepted"
        return

    if target in SPEC_TRANSITIONS[state] and state in ONLY_FROM.get(action, {state}):
        after = perform(before)
        assert after.status is target
        for field, value in _expected_fields(before, action).items():
            assert getattr(after, field) == value, field
        # Nothing else about the verification changes.
        untouched = {"status", "sergeant", "accepted_at", "decided_at", "outcome_note",
                     *_expected_fields(before, action)}
        for field in dataclasses.fields(Verification):
            if field.name not in untouched:
                assert getattr(after, field.name) == getattr(before, field.name), field.name
    else:
        with pytest.raises(InvalidTransition) as raised:
            perform(before)
        assert raised.value.code == "invalid_state"
        assert raised.value.details == {"status": state.value}
        assert state.value in raised.value.message


def test_accept_sets_sergeant_and_accepted_at_only():
    after = in_state(S.AWAITING_SERGEANT).accept(SERGEANT, T2)
    assert after.status is S.CONNECTED
    assert after.sergeant == SERGEANT
    assert after.accepted_at == T2
    assert after.decided_at is None
    assert after.is_accepted_by(SERGEANT.officer_id)
    assert not after.is_accepted_by(OTHER_SERGEANT.officer_id)


@pytest.mark.parametrize("sergeant", [SERGEANT, OTHER_SERGEANT], ids=["same", "other"])
def test_accept_when_already_connected_is_already_accepted(sergeant):
    connected = in_state(S.CONNECTED)
    with pytest.raises(AlreadyAccepted):
        connected.accept(sergeant, T2)
    assert connected.sergeant == SERGEANT


def test_second_sergeant_loses_the_race_after_first_accepts():
    first = in_state(S.AWAITING_SERGEANT).accept(SERGEANT, T1)
    with pytest.raises(AlreadyAccepted):
        first.accept(OTHER_SERGEANT, T2)


def test_officer_cannot_accept_own_verification():
    # Same officer id as the requester, even if the registry lists them as a sergeant.
    self_as_sergeant = dataclasses.replace(SERGEANT, officer_id=OFFICER.officer_id)
    with pytest.raises(CannotVerifySelf) as raised:
        in_state(S.AWAITING_SERGEANT).accept(self_as_sergeant, T2)
    assert raised.value.code == "cannot_verify_self"


@pytest.mark.parametrize("outcome", list(Outcome))
def test_decide_by_other_sergeant_while_connected_is_forbidden(outcome):
    connected = in_state(S.CONNECTED)
    with pytest.raises(Forbidden) as raised:
        connected.decide(OTHER_SERGEANT.officer_id, outcome, None, T2)
    assert raised.value.code == "forbidden"


def test_decide_by_the_officer_themselves_is_forbidden():
    with pytest.raises(Forbidden):
        in_state(S.CONNECTED).decide(OFFICER.officer_id, Outcome.CONFIRMED, None, T2)


def test_decide_before_anyone_accepted_is_invalid_state():
    with pytest.raises(InvalidTransition):
        in_state(S.AWAITING_SERGEANT).decide(SERGEANT.officer_id, Outcome.CONFIRMED, None, T2)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [(Outcome.CONFIRMED, S.CONFIRMED), (Outcome.NOT_CONFIRMED, S.NOT_CONFIRMED)],
)
def test_decide_records_outcome_time_and_note(outcome, status):
    after = in_state(S.CONNECTED).decide(SERGEANT.officer_id, outcome, NOTE, T2)
    assert (after.status, after.decided_at, after.outcome_note) == (status, T2, NOTE)
    assert after.sergeant == SERGEANT and after.accepted_at == T1
    assert not after.is_accepted_by(SERGEANT.officer_id)  # only while connected


def test_decide_without_note_leaves_note_empty():
    after = in_state(S.CONNECTED).decide(SERGEANT.officer_id, Outcome.CONFIRMED, None, T2)
    assert after.outcome_note is None


@pytest.mark.parametrize("state", [S.AWAITING_SERGEANT, S.CONNECTED])
def test_cancel_by_another_officer_is_forbidden(state):
    with pytest.raises(Forbidden):
        in_state(state).cancel("MP9999", T2)
    with pytest.raises(Forbidden):
        in_state(state).cancel(SERGEANT.officer_id, T2)


@pytest.mark.parametrize("state", [S.AWAITING_SERGEANT, S.CONNECTED])
def test_cancel_by_its_officer(state):
    before = in_state(state)
    after = before.cancel(OFFICER.officer_id, T2)
    assert after.status is S.CANCELLED
    assert after.decided_at == T2
    assert after.sergeant == before.sergeant


def test_full_happy_path_walk():
    v = in_state(S.AWAITING_SERGEANT)
    v = v.accept(SERGEANT, T1)
    v = v.decide(SERGEANT.officer_id, Outcome.CONFIRMED, NOTE, T2)
    assert (v.status, v.sergeant, v.accepted_at, v.decided_at, v.outcome_note) == (
        S.CONFIRMED,
        SERGEANT,
        T1,
        T2,
        NOTE,
    )


@pytest.mark.parametrize("action", list(ACTIONS))
def test_transitions_return_new_objects_and_leave_original_unchanged(action):
    state = S.CONNECTED if action in ("confirm", "not_confirm", "close_expired", "hand_back") else S.AWAITING_SERGEANT
    before = in_state(state)
    snapshot = dataclasses.asdict(before)
    after = ACTIONS[action][0](before)
    assert after is not before
    assert dataclasses.asdict(before) == snapshot
    assert before.status is state


def test_verification_is_frozen():
    v = in_state(S.AWAITING_SERGEANT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.status = S.CONFIRMED  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.officer.officer_id = "X"  # type: ignore[misc]


def test_meeting_id_comes_from_chime_meeting():
    assert in_state(S.AWAITING_SERGEANT).meeting_id is None
    v = in_state(S.AWAITING_SERGEANT, meeting={"MeetingId": "m-123", "MediaRegion": "eu-west-2"})
    assert v.meeting_id == "m-123"


@pytest.mark.parametrize("method", [Method.VIDEO, Method.AUDIO])
def test_a_sergeant_records_how_they_saw_the_officer(method):
    after = in_state(S.CONNECTED).decide(SERGEANT.officer_id, Outcome.CONFIRMED, None, T2, method)
    assert after.method is method and after.decided_by == Decider("MS0815", "PS", "Okafor", "sergeant")


def test_a_sergeant_cannot_claim_a_radio_confirmation():
    with pytest.raises(Forbidden):
        in_state(S.CONNECTED).decide(SERGEANT.officer_id, Outcome.CONFIRMED, None, T2, Method.RADIO)


def test_radio_confirmation_keeps_the_accepting_sergeant_and_names_the_operator():
    after = in_state(S.CONNECTED).confirm_by_radio(OPERATOR, Outcome.CONFIRMED, None, T2)
    assert (after.status, after.sergeant, after.method) == (S.CONFIRMED, SERGEANT, Method.RADIO)
    assert after.decided_by == Decider("MP6003", "PC", "Osei", "control_room")


@pytest.mark.parametrize("state", [S.CANCELLED, S.UNANSWERED, S.EXPIRED])
def test_undecided_ends_have_no_method(state):
    after = {S.CANCELLED: lambda v: v.cancel(OFFICER.officer_id, T2), S.UNANSWERED: lambda v: v.close_unanswered(T2),
             S.EXPIRED: lambda v: v.close_expired(T2)}[state](
        in_state(S.CONNECTED if state is S.EXPIRED else S.AWAITING_SERGEANT))
    assert after.status is state and after.method is None and after.decided_by is None
