"""`audit verify` checks each chain's links as the domain's verify_chain does (SPEC §5).

An event stored without its hash breaks the link to the next event: the verifier names both objects,
the way verify_chain names both seqs. (It used to treat the missing hash like the unknown hash after
a gap and skip the next link.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.auditing.verifier import AuditVerifier, Problem, Report
from chalicelib.domain.audit import GENESIS_HASH, SYSTEM, PendingEvent, chain, verify_chain

VID = "5f0c8a4e-0000-4000-8000-000000000001"


def _events(count: int = 3) -> list[dict[str, Any]]:
    ids = iter(f"event-{n}" for n in range(count))
    return chain(
        [PendingEvent("verification.requested", SYSTEM, {"n": n}) for n in range(count)],
        verification_id=VID, force="met", after_seq=0, after_hash=GENESIS_HASH,
        at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC), new_event_id=lambda: next(ids),
    )


def _key(seq: int) -> str:
    return f"audit/force=met/date=2026-11-28/{VID}/{seq:06d}.json"


def _check(events: list[dict[str, Any]]) -> list[Problem]:
    report = Report()
    AuditVerifier._check_chain({event["seq"]: (_key(event["seq"]), event) for event in events}, report)
    return report.problems


def test_an_intact_chain_has_no_link_problems():
    assert _check(_events()) == []


def test_an_event_without_its_hash_breaks_the_link_to_the_next_one():
    events = _events()
    del events[1]["hash"]
    assert _check(events) == [Problem(_key(3), "chain broken: prev_hash does not match the previous event")]
    # The same finding as the domain's own check (which also names the event's hash itself, as the
    # verifier does in its per-object check).
    assert verify_chain(events) == [
        "seq 2: hash does not match content", "seq 3: prev_hash does not match previous event",
    ]


def test_after_a_gap_the_next_link_is_unknown_not_broken():
    events = _events(4)
    del events[1]
    assert _check(events) == [Problem(_key(3), "gap: seq 2..2 missing before this event")]
