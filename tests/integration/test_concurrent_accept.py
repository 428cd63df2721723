"""The real race: several sergeants accept the same verification at the same instant.

In-process moto is not thread-safe for TransactWriteItems: it deep-copies the tables at the start of a
transaction and, when one is cancelled, restores that copy, wiping writes other threads committed
meanwhile (we saw two winners, no winner, and "dictionary changed size during iteration"). DynamoDB
itself executes each request atomically, so the `dynamodb_is_atomic` fixture serialises single API
calls on the shared client. The service-level race (read -> decide -> conditional write, re-read on a
lost race) still interleaves freely between threads, and one test forces its worst case.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import services
from chalicelib.api import presenters
from chalicelib.domain.audit import verify_chain
from chalicelib.domain.errors import AlreadyAccepted, ConcurrentUpdate
from chalicelib.domain.verification import Status
from chalicelib.schemas import OutcomeRequest
from tests.integration.escalation_helpers import make_dynamodb_atomic
from tests.integration.helpers import officer, sergeant, start_request

SERGEANTS = ["MP2001", "MP2002", "MP2003"]
ROUNDS = 6


@pytest.fixture
def dynamodb_is_atomic(stack, monkeypatch):
    """One DynamoDB API call at a time, as the real service guarantees per request."""
    make_dynamodb_atomic(stack, monkeypatch)
    return stack


def _race(stack, verification_id: str) -> dict[str, object]:
    """Every sergeant calls accept at once; returns officer_id -> response body or exception."""
    barrier = threading.Barrier(len(SERGEANTS))

    def attempt(sergeant_id: str) -> object:
        barrier.wait(timeout=10)
        try:
            return presenters.accepted_body(
                services.accept_verification(stack.deps, sergeant(sergeant_id), verification_id)
            )
        except Exception as error:  # noqa: BLE001 - the outcome itself is what we assert on
            return error

    with ThreadPoolExecutor(max_workers=len(SERGEANTS)) as pool:
        futures = {sid: pool.submit(attempt, sid) for sid in SERGEANTS}
        return {sid: future.result(timeout=30) for sid, future in futures.items()}


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_exactly_one_sergeant_wins_the_race(dynamodb_is_atomic, stack, round_number):
    started = services.start_verification(stack.deps, officer("MP4721"), start_request())
    vid = started.verification.verification_id

    outcomes = _race(stack, vid)

    winners = {sid: body for sid, body in outcomes.items() if isinstance(body, dict)}
    losers = {sid: error for sid, error in outcomes.items() if sid not in winners}
    assert len(winners) == 1, outcomes
    (winner, body), = winners.items()
    assert all(type(error) is AlreadyAccepted for error in losers.values()), losers
    assert body["status"] == "connected"
    assert body["sergeant"]["officer_id"] == winner
    assert body["meeting"]["Attendee"]["ExternalUserId"] == f"sergeant-{winner}"
    assert body["officer_record"]["officer_id"] == "MP4721"

    stored = stack.deps.verifications.get(vid)
    assert stored.status is Status.CONNECTED
    assert stored.sergeant.officer_id == winner

    events = stack.deps.verifications.events(vid)
    accepted = [e for e in events if e["type"] == "verification.accepted"]
    disclosed = [e for e in events if e["type"] == "registry.disclosed"]
    assert len(accepted) == 1 and accepted[0]["data"] == {"sergeant_id": winner}
    assert accepted[0]["actor"] == {"role": "sergeant", "officer_id": winner}
    # Only the winner was shown the officer's registry record.
    assert [e["data"]["disclosed_to"] for e in disclosed] == [winner]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert stored.audit_seq == len(events) and stored.audit_head == events[-1]["hash"]
    assert verify_chain(events) == []

    # Only the winner's attendee joined the meeting.
    meeting = stack.standin.meetings[stored.meeting_id]
    assert sorted(a["ExternalUserId"] for a in meeting["attendees"].values()) == [
        "officer-MP4721", f"sergeant-{winner}",
    ]


def test_races_in_a_row_for_the_same_officer(dynamodb_is_atomic, stack):
    """Finish each race (the winner decides) so the officer can start again: the lock is released."""
    winners = []
    for _ in range(3):
        vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
        outcomes = _race(stack, vid)
        (winner,) = [sid for sid, body in outcomes.items() if isinstance(body, dict)]
        assert sum(type(body) is AlreadyAccepted for body in outcomes.values()) == len(SERGEANTS) - 1
        decided = services.record_outcome(
            stack.deps, sergeant(winner), vid, OutcomeRequest(outcome="confirmed")
        )
        assert decided.status is Status.CONFIRMED and decided.sergeant.officer_id == winner
        events = stack.deps.verifications.events(vid)
        assert [e["type"] for e in events].count("verification.accepted") == 1
        assert verify_chain(events) == []
        winners.append(winner)
    assert stack.deps.verifications.active_verification_id("met", "MP4721") is None
    assert len(winners) == 3


def test_worst_case_everyone_read_before_anyone_wrote(dynamodb_is_atomic, stack, monkeypatch):
    """All three hold the same `awaiting_sergeant` read when they write: the condition picks one."""
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    repo = stack.deps.verifications
    save_transition = repo.save_transition
    at_the_write = threading.Barrier(len(SERGEANTS))
    local = threading.local()
    lost = []

    def save_after_everyone_read(before, after, events):
        if not getattr(local, "waited", False):
            local.waited = True
            at_the_write.wait(timeout=10)
        try:
            return save_transition(before, after, events)
        except ConcurrentUpdate:
            lost.append((before.status, after.sergeant.officer_id))
            raise

    monkeypatch.setattr(repo, "save_transition", save_after_everyone_read)

    outcomes = _race(stack, vid)

    winners = [sid for sid, body in outcomes.items() if isinstance(body, dict)]
    assert len(winners) == 1, outcomes
    assert sorted(type(body).__name__ for sid, body in outcomes.items() if sid not in winners) == [
        "AlreadyAccepted", "AlreadyAccepted",
    ]
    # Both losers really lost at the conditional write (not by reading `connected` first).
    assert sorted(lost) == sorted((Status.AWAITING_SERGEANT, sid) for sid in SERGEANTS if sid != winners[0])
    stored = repo.get(vid)
    assert stored.sergeant.officer_id == winners[0]
    events = repo.events(vid)
    assert [e["type"] for e in events].count("verification.accepted") == 1
    assert verify_chain(events) == []


def test_double_tap_by_the_same_sergeant_rejoins_instead_of_losing(stack, dynamodb_is_atomic):
    """Two simultaneous accepts from one sergeant: both succeed with that sergeant as the acceptor."""
    import threading

    from chalicelib import services
    from chalicelib.domain.access import Principal
    from chalicelib.domain.registry import Role
    from chalicelib.schemas import StartVerificationRequest

    officer = Principal(subject="o", role=Role.OFFICER, force="met", officer_id="MP4721")
    sergeant = Principal(subject="s", role=Role.SERGEANT, force="met", officer_id="MP2001")
    started = services.start_verification(
        stack.deps, officer, StartVerificationRequest.model_validate({"location": {"lat": 51.5, "lon": -0.1}})
    )
    vid = started.verification.verification_id
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def tap() -> None:
        barrier.wait()
        try:
            outcomes.append(services.accept_verification(stack.deps, sergeant, vid).verification.sergeant.officer_id)
        except Exception as error:  # noqa: BLE001 - recorded for the assertion
            outcomes.append(error)

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["MP2001", "MP2001"]
    types = [e["type"] for e in stack.deps.verifications.events(vid)]
    assert types.count("verification.accepted") == 1 and types.count("registry.disclosed") == 2
