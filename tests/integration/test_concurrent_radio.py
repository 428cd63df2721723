"""The real race (moto, threads): the control room's radio confirmation against the sergeant's
outcome or accept at the same instant. Exactly one decision wins; the other gets invalid_state.

DynamoDB executes each request atomically; in-process moto needs `make_dynamodb_atomic` for that
(see test_concurrent_accept.py). The service-level race still interleaves freely between threads.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.audit import verify_chain
from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.registry import OfficerStatus, RegistryRecord, Role
from chalicelib.domain.verification import Status
from chalicelib.schemas import OutcomeRequest, RadioConfirmationRequest
from tests.integration.escalation_helpers import make_dynamodb_atomic
from tests.integration.helpers import officer, principal, sergeant, start_request

ROUNDS = 4
DECISIONS = ("verification.confirmed", "verification.not_confirmed")


@pytest.fixture
def racing_stack(stack, monkeypatch):
    make_dynamodb_atomic(stack, monkeypatch)
    stack.deps.registry.put(RegistryRecord(force="met", officer_id="MP7001", given_name="Tariq", family_name="Osei",
                                           rank="PC", status=OfficerStatus.SERVING, role=Role.CONTROL_ROOM))
    return stack


def _both_at_once(*calls) -> list[Any]:
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=10)
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - the outcome itself is what we assert on
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result(timeout=30) for f in [pool.submit(run, c) for c in calls]]


def _radio(stack, vid):
    return lambda: services.confirm_by_radio(stack.deps, principal("MP7001", Role.CONTROL_ROOM), vid,
                                             RadioConfirmationRequest(outcome="confirmed"))


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_radio_against_the_sergeants_outcome_has_one_winner(racing_stack, round_number):
    stack = racing_stack
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    services.accept_verification(stack.deps, sergeant("MP2001"), vid)

    radio, outcome = _both_at_once(_radio(stack, vid), lambda: services.record_outcome(
        stack.deps, sergeant("MP2001"), vid, OutcomeRequest(outcome="not_confirmed", method="audio")))

    won = [r for r in (radio, outcome) if not isinstance(r, Exception)]
    lost = [r for r in (radio, outcome) if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1 and type(lost[0]) is InvalidTransition, (radio, outcome)
    stored = stack.deps.verifications.get(vid)
    assert stored == won[0]
    assert (stored.status, stored.method.value) in ((Status.CONFIRMED, "radio"), (Status.NOT_CONFIRMED, "audio"))
    events = stack.deps.verifications.events(vid)
    assert [e["type"] for e in events].count(DECISIONS[0]) + [e["type"] for e in events].count(DECISIONS[1]) == 1
    assert verify_chain(events) == []


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_radio_against_a_sergeants_accept_never_loses_the_decision(racing_stack, round_number):
    stack = racing_stack
    vid = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id

    radio, accept = _both_at_once(_radio(stack, vid),
                                  lambda: services.accept_verification(stack.deps, sergeant("MP2002"), vid))

    # The radio decides either way (from waiting, or from connected once the accept won first).
    assert not isinstance(radio, Exception), radio
    stored = stack.deps.verifications.get(vid)
    assert (stored.status, stored.method.value) == (Status.CONFIRMED, "radio")
    if isinstance(accept, Exception):
        assert type(accept) is InvalidTransition and stored.sergeant is None
    else:
        assert stored.sergeant.officer_id == "MP2002"
    assert verify_chain(stack.deps.verifications.events(vid)) == []
