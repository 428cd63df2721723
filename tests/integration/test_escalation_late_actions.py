"""Late and racing actions (issue 3 §5): every late action is 409 invalid_state and changes nothing;
a timer firing after a decision, cancel or accept changes nothing; a timer racing an accept or a
decision has exactly one winner."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from chalicelib import services
from chalicelib.domain.errors import ConcurrentUpdate, InvalidTransition
from chalicelib.domain.escalation import Timer, TimerKind
from chalicelib.domain.verification import Status, Verification
from chalicelib.schemas import OutcomeRequest
from chalicelib.services.deciding import Accepted
from tests.integration.escalation_helpers import START, deliver, events, make_dynamodb_atomic, pending, types
from tests.integration.helpers import officer, sergeant, start_request


def _start(stack, officer_id="MP4721"):
    status, body = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, body
    return body["verification_id"]


def _snapshot(stack, vid):
    """Everything a late action or timer could change."""
    stored = stack.deps.verifications.get(vid)
    return {
        "status": stored.status, "decided_at": stored.decided_at, "sergeant": stored.sergeant,
        "audit_seq": stored.audit_seq, "audit_head": stored.audit_head, "events": types(stack, vid),
        "sms": len(stack.sms()), "meetings": {k: dict(v) for k, v in stack.standin.meetings.items()},
        "timers": list(stack.deps.timers.scheduled),
    }


def _expect_409(stack, method, path, caller, body, code="invalid_state"):
    status, reply = stack.call(method, path, caller, body)
    assert (status, reply["error"]["code"]) == (409, code), (path, reply)


# ---- late actions over HTTP ----------------------------------------------------------------


def test_accept_after_unanswered_is_invalid_state_and_discloses_nothing(stack):
    vid = _start(stack)
    stack.advance(90)
    assert stack.deps.verifications.get(vid).status is Status.UNANSWERED
    stack.alerts()
    before = _snapshot(stack, vid)

    for late_sergeant in ("MP2001", "MP2003"):
        _expect_409(stack, "POST", f"/verifications/{vid}/accept", late_sergeant, {})
    _expect_409(stack, "POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})
    _expect_409(stack, "POST", f"/verifications/{vid}/cancel", "MP4721", {})

    assert _snapshot(stack, vid) == before
    assert "registry.disclosed" not in before["events"] and "verification.accepted" not in before["events"]
    assert pending(stack, "decision_timeout") == []
    assert stack.alerts() == []


def test_decision_or_cancel_after_expiry_is_invalid_state(stack):
    vid = _start(stack)
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})[0] == 200
    stack.advance(600)
    assert stack.deps.verifications.get(vid).status is Status.EXPIRED
    before = _snapshot(stack, vid)

    for outcome in ("confirmed", "not_confirmed"):
        _expect_409(stack, "POST", f"/verifications/{vid}/outcome", "MP2002", {"outcome": outcome})
    _expect_409(stack, "POST", f"/verifications/{vid}/cancel", "MP4721", {})
    _expect_409(stack, "POST", f"/verifications/{vid}/accept", "MP2001", {})

    assert _snapshot(stack, vid) == before
    assert [a["type"] for a in stack.alerts()] == ["verification_expired"]  # only the expiry itself


@pytest.mark.parametrize("cancelled_while", ["awaiting_sergeant", "connected"])
def test_decision_after_cancel_is_invalid_state(stack, cancelled_while):
    vid = _start(stack)
    if cancelled_while == "connected":
        assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/cancel", "MP4721", {})[0] == 200
    before = _snapshot(stack, vid)

    _expect_409(stack, "POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"})
    _expect_409(stack, "POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})
    _expect_409(stack, "POST", f"/verifications/{vid}/accept", "MP2002", {})

    assert _snapshot(stack, vid) == before and before["status"] is Status.CANCELLED
    assert stack.alerts() == []  # a cancelled check alerts nobody, even on a late "not confirmed"


def test_cancel_after_not_confirmed_is_invalid_state(stack):
    vid = _start(stack)
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"})[0] == 200
    stack.alerts()
    before = _snapshot(stack, vid)

    _expect_409(stack, "POST", f"/verifications/{vid}/cancel", "MP4721", {})
    _expect_409(stack, "POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})

    assert _snapshot(stack, vid) == before and before["status"] is Status.NOT_CONFIRMED


# ---- timers that fire too late -------------------------------------------------------------


def _decided(stack, vid):
    services.accept_verification(stack.deps, sergeant("MP2001"), vid)
    services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="confirmed"))


def _cancelled_waiting(stack, vid):
    services.cancel_verification(stack.deps, officer("MP4721"), vid)


def _cancelled_connected(stack, vid):
    services.accept_verification(stack.deps, sergeant("MP2001"), vid)
    services.cancel_verification(stack.deps, officer("MP4721"), vid)


def _accepted(stack, vid):
    services.accept_verification(stack.deps, sergeant("MP2001"), vid)


def _not_confirmed(stack, vid):
    services.accept_verification(stack.deps, sergeant("MP2001"), vid)
    services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="not_confirmed"))


LATE_TIMERS = [
    (_decided, TimerKind.ANSWER_TIMEOUT, "noop"),
    (_cancelled_waiting, TimerKind.ANSWER_TIMEOUT, "noop"),
    (_accepted, TimerKind.ANSWER_TIMEOUT, "noop"),
    (_decided, TimerKind.DECISION_TIMEOUT, "noop"),
    (_not_confirmed, TimerKind.DECISION_TIMEOUT, "noop"),
    (_cancelled_connected, TimerKind.DECISION_TIMEOUT, "noop"),
    (_accepted, TimerKind.WAVE, "no_wave"),
    (_cancelled_waiting, TimerKind.WAVE, "no_wave"),
]


def test_a_timer_after_the_check_moved_on_changes_nothing(stack, clock):
    """Each case on a fresh check (one stack for all, to keep the suite quick)."""
    for before_timer, kind, expected in LATE_TIMERS:
        case = f"{kind.value} after {before_timer.__name__}"
        vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
        clock.advance(seconds=10)
        before_timer(stack, vid)
        stack.alerts()  # a not_confirmed alert is not the timer's
        clock.advance(seconds=700)  # past every timer this check armed
        before = _snapshot(stack, vid)

        timer = Timer(kind, vid, clock() - timedelta(seconds=1), wave=2 if kind is TimerKind.WAVE else None)
        assert services.handle_timer(stack.deps, timer) == expected, case
        deliver(timer)  # and through the SQS handler, redelivered

        assert _snapshot(stack, vid) == before, case
        assert stack.alerts() == [], case
        if not before["status"].is_terminal:
            services.cancel_verification(stack.deps, officer("MP4721"), vid)  # free the officer for the next case


def test_a_timer_for_an_unknown_check_does_nothing(stack, clock):
    for kind in TimerKind:
        timer = Timer(kind, "no-such-check-00", clock(), wave=2 if kind is TimerKind.WAVE else None)
        assert services.handle_timer(stack.deps, timer) in {"noop", "no_wave"}
    assert stack.alerts() == [] and stack.sms() == []


# ---- races ---------------------------------------------------------------------------------


def _race(*calls):
    """Run the calls at the same instant; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=10)
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [f.result(timeout=30) for f in futures]


class WorstCase:
    """The worst interleaving, once armed: both sides hold the same read when they write, and the
    conditional write decides. `lost` lists the target state of the write that lost."""

    def __init__(self, stack, monkeypatch):
        make_dynamodb_atomic(stack, monkeypatch)
        repo = stack.deps.verifications
        save_transition = repo.save_transition
        self.armed = False
        self.lost: list[str] = []
        at_the_write = threading.Barrier(2)
        local = threading.local()

        def save_after_both_read(before, after, events_):
            if self.armed and not getattr(local, "waited", False):
                local.waited = True
                at_the_write.wait(timeout=10)
            try:
                return save_transition(before, after, events_)
            except ConcurrentUpdate:
                self.lost.append(after.status.value)
                raise

        monkeypatch.setattr(repo, "save_transition", save_after_both_read)

    def arm(self):
        self.armed = True


@pytest.fixture
def worst_case(stack, monkeypatch):
    return WorstCase(stack, monkeypatch)


def test_answer_timeout_racing_an_accept_has_exactly_one_winner(stack, clock, worst_case):
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    (answer_timer,) = pending(stack, "answer_timeout")
    clock.advance(seconds=90)  # the sergeant taps "accept" at the very moment the timeout fires
    worst_case.arm()

    accepted, timed_out = _race(
        lambda: services.accept_verification(stack.deps, sergeant("MP2002"), vid),
        lambda: services.handle_timer(stack.deps, answer_timer),
    )

    stored = stack.deps.verifications.get(vid)
    recorded = types(stack, vid)
    alerts = stack.alerts()
    assert len(worst_case.lost) == 1  # one side really lost at the conditional write
    if isinstance(accepted, Accepted):
        assert accepted.verification.status is Status.CONNECTED and timed_out == "noop"
        assert stored.status is Status.CONNECTED and stored.sergeant.officer_id == "MP2002"
        assert "verification.unanswered" not in recorded and alerts == []
        assert recorded.count("verification.accepted") == 1 and recorded.count("registry.disclosed") == 1
        assert worst_case.lost == ["unanswered"]
    else:
        assert type(accepted) is InvalidTransition and accepted.code == "invalid_state"
        assert timed_out == "unanswered"
        assert stored.status is Status.UNANSWERED and stored.sergeant is None
        assert "verification.accepted" not in recorded and "registry.disclosed" not in recorded
        assert [a["type"] for a in alerts] == ["verification_unanswered"]
        assert worst_case.lost == ["connected"]
    events(stack, vid)  # the chain is intact either way


def test_accepts_and_answer_timeouts_at_the_same_instant_never_both_win(stack, clock, monkeypatch):
    make_dynamodb_atomic(stack, monkeypatch)
    winners = []
    for _round_number, officer_id in enumerate(["MP4721", "MP5102", "MP4721", "MP5102"]):
        vid = services.start_verification(stack.deps, officer(officer_id), start_request()).verification.verification_id
        answer_timer = next(t for t in pending(stack, "answer_timeout") if t.verification_id == vid)
        clock.advance(seconds=90)
        accepted, timed_out = _race(
            lambda vid=vid: services.accept_verification(stack.deps, sergeant("MP2003"), vid),
            lambda answer_timer=answer_timer: services.handle_timer(stack.deps, answer_timer),
        )
        stored = stack.deps.verifications.get(vid)
        recorded = types(stack, vid)
        won_accept = isinstance(accepted, Accepted)
        assert won_accept != (timed_out == "unanswered"), (accepted, timed_out)
        assert stored.status is (Status.CONNECTED if won_accept else Status.UNANSWERED)
        assert recorded.count("verification.accepted") + recorded.count("verification.unanswered") == 1
        assert len(stack.alerts()) == (0 if won_accept else 1)
        if won_accept:
            services.record_outcome(stack.deps, sergeant("MP2003"), vid, OutcomeRequest(outcome="confirmed"))
        winners.append("accept" if won_accept else "timer")
        clock.advance(minutes=1)
    assert len(winners) == 4


def test_decision_timeout_racing_an_outcome_has_exactly_one_winner(stack, clock, worst_case):
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    services.accept_verification(stack.deps, sergeant("MP2001"), vid)
    (decision_timer,) = pending(stack, "decision_timeout")
    clock.advance(seconds=600)
    worst_case.arm()

    decided, timed_out = _race(
        lambda: services.record_outcome(stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="confirmed")),
        lambda: services.handle_timer(stack.deps, decision_timer),
    )

    stored = stack.deps.verifications.get(vid)
    recorded = types(stack, vid)
    alerts = stack.alerts()
    if isinstance(decided, Verification):
        assert decided.status is Status.CONFIRMED and timed_out == "noop"
        assert stored.status is Status.CONFIRMED and alerts == [] and "verification.expired" not in recorded
    else:
        assert type(decided) is InvalidTransition and timed_out == "expired"
        assert stored.status is Status.EXPIRED and "verification.confirmed" not in recorded
        assert [a["type"] for a in alerts] == ["verification_expired"]
    assert len(worst_case.lost) == 1
    events(stack, vid)
