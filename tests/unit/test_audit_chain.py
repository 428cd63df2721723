"""SPEC §5: audit events, their SHA-256 hash chain and their S3 keys.

Expected hashes are computed here from the SPEC text with hashlib + json, never with event_hash().
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.domain.audit import (
    GENESIS_HASH,
    SYSTEM,
    Actor,
    EventType,
    PendingEvent,
    audit_key,
    canonical_bytes,
    chain,
    event_hash,
    verify_chain,
)

from .factories import T0

VID = "3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f"
AT = datetime(2026, 11, 28, 2, 48, 30, 250_000, tzinfo=UTC)
OFFICER = Actor(role="officer", officer_id="MP4721")
SERGEANT = Actor(role="sergeant", officer_id="MS0815")
WELSH_AREA = "Ysbyty Gwynedd, Bangor — Ffordd Penrhos, ŵ ŷ"


def spec_hash(event: dict) -> str:
    """SPEC §5, verbatim."""
    without_hash = {key: value for key, value in event.items() if key != "hash"}
    text = json.dumps(without_hash, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ids():
    counter = itertools.count(1)
    return lambda: f"evt-{next(counter):04d}"


def pending() -> list[PendingEvent]:
    return [
        PendingEvent(EventType.REQUESTED, OFFICER, {"reference": "SC-7KQ-29X-HMP", "area": WELSH_AREA}),
        PendingEvent(EventType.SERGEANTS_NOTIFIED, SYSTEM, {"sent": ["MS0815", "MS0999"], "failed": []}),
        PendingEvent(EventType.ACCEPTED, SERGEANT, {}),
        PendingEvent(EventType.REGISTRY_DISCLOSED, SERGEANT, {"officer_id": "MP4721"}),
        PendingEvent(EventType.CONFIRMED, SERGEANT, {"note": None}),
    ]


def make_chain() -> list[dict]:
    return chain(
        pending(),
        verification_id=VID,
        force="met",
        after_seq=0,
        after_hash=GENESIS_HASH,
        at=AT,
        new_event_id=ids(),
    )


def test_genesis_hash_is_64_zeros():
    assert GENESIS_HASH == "0" * 64


def test_event_has_exactly_the_spec_fields():
    first = make_chain()[0]
    assert set(first) == {
        "event_id", "verification_id", "force", "seq", "type", "at", "actor", "data", "prev_hash", "hash",
    }
    assert first == {
        "event_id": "evt-0001",
        "verification_id": VID,
        "force": "met",
        "seq": 1,
        "type": "verification.requested",
        "at": "2026-11-28T02:48:30.250Z",
        "actor": {"role": "officer", "officer_id": "MP4721"},
        "data": {"reference": "SC-7KQ-29X-HMP", "area": WELSH_AREA},
        "prev_hash": "0" * 64,
        "hash": spec_hash(first),
    }


def test_seq_counts_from_one_and_prev_hash_links():
    events = make_chain()
    assert [event["seq"] for event in events] == [1, 2, 3, 4, 5]
    assert events[0]["prev_hash"] == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after["prev_hash"] == before["hash"]
    for event in events:
        assert event["hash"] == spec_hash(event)
        assert len(event["hash"]) == 64
        assert event["hash"] == event["hash"].lower()
        int(event["hash"], 16)
    assert len({event["hash"] for event in events}) == 5


def test_system_actor_has_no_officer_id():
    assert make_chain()[1]["actor"] == {"role": "system", "officer_id": None}


def test_event_types_are_the_spec_vocabulary():
    assert {
        EventType.REQUESTED,
        EventType.SERGEANTS_NOTIFIED,
        EventType.ACCEPTED,
        EventType.REGISTRY_DISCLOSED,
        EventType.NOT_SERVING_ATTEMPT,
    } == {
        "verification.requested",
        "sergeants.notified",
        "verification.accepted",
        "registry.disclosed",
        "officer_not_serving.attempt",
    }


def test_non_ascii_is_hashed_as_utf8_not_escaped():
    event = make_chain()[0]
    body = canonical_bytes({k: v for k, v in event.items() if k != "hash"})
    assert WELSH_AREA.encode("utf-8") in body
    assert b"\\u2014" not in body and b"\\u0175" not in body
    escaped = json.dumps(
        {k: v for k, v in event.items() if k != "hash"},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode()
    assert event["hash"] == hashlib.sha256(body).hexdigest()
    assert event["hash"] != hashlib.sha256(escaped).hexdigest()


def test_canonical_bytes_are_sorted_and_compact():
    assert canonical_bytes({"b": 1, "a": {"d": "é", "c": [1, 2]}}) == '{"a":{"c":[1,2],"d":"é"},"b":1}'.encode()


def test_event_hash_ignores_only_the_hash_key():
    event = make_chain()[2]
    assert event_hash(event) == event_hash({**event, "hash": "whatever"}) == spec_hash(event)
    assert event_hash({**event, "seq": 99}) != event["hash"]


def test_known_answer_for_a_fixed_event():
    # Pins the serialisation: any change to key order, separators or escaping changes this digest.
    event = {
        "event_id": "e1",
        "verification_id": "v1",
        "force": "met",
        "seq": 1,
        "type": "verification.requested",
        "at": "2026-11-28T02:47:00.000Z",
        "actor": {"role": "officer", "officer_id": "MP4721"},
        "data": {"area": "Bangor — ŵ"},
        "prev_hash": "0" * 64,
    }
    expected_text = (
        '{"actor":{"officer_id":"MP4721","role":"officer"},"at":"2026-11-28T02:47:00.000Z",'
        '"data":{"area":"Bangor — ŵ"},"event_id":"e1","force":"met","prev_hash":"'
        + "0" * 64
        + '","seq":1,"type":"verification.requested","verification_id":"v1"}'
    )
    assert canonical_bytes(event) == expected_text.encode("utf-8")
    assert event_hash(event) == hashlib.sha256(expected_text.encode("utf-8")).hexdigest()


def test_chain_continues_after_existing_events():
    first = make_chain()[:2]
    more = chain(
        [PendingEvent(EventType.ACCEPTED, SERGEANT, {})],
        verification_id=VID,
        force="met",
        after_seq=2,
        after_hash=first[-1]["hash"],
        at=AT + timedelta(seconds=5),
        new_event_id=lambda: "evt-late",
    )
    assert [e["seq"] for e in more] == [3]
    assert more[0]["prev_hash"] == first[-1]["hash"]
    assert more[0]["hash"] == spec_hash(more[0])
    assert more[0]["at"] == "2026-11-28T02:48:35.250Z"
    assert verify_chain(first + more) == []


def test_empty_pending_list_chains_nothing():
    assert chain([], verification_id=VID, force="met", after_seq=3, after_hash="a" * 64, at=AT,
                 new_event_id=ids()) == []


def test_verify_chain_accepts_an_intact_chain():
    assert verify_chain(make_chain()) == []


def test_verify_chain_orders_by_seq_not_by_list_position():
    # Objects listed from S3 may come back in any order; seq (covered by the hash) is the order.
    events = make_chain()
    assert verify_chain(list(reversed(events))) == []


def test_verify_chain_detects_a_flipped_field():
    events = make_chain()
    events[1]["data"]["sent"] = ["MS0815"]  # someone removed a recipient
    assert verify_chain(events) == ["seq 2: hash does not match content"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "verification.not_confirmed"),
        ("at", "2026-11-28T02:49:00.000Z"),
        ("force", "wilts"),
        ("actor", {"role": "sergeant", "officer_id": "MS0999"}),
        ("event_id", "evt-9999"),
        ("verification_id", "other"),
    ],
)
def test_verify_chain_detects_any_edited_field(field, value):
    events = make_chain()
    events[4][field] = value
    assert verify_chain(events) == ["seq 5: hash does not match content"]


def test_verify_chain_detects_a_missing_event():
    events = make_chain()
    del events[2]
    problems = verify_chain(events)
    assert "seq 4: expected 3" in problems
    assert "seq 4: prev_hash does not match previous event" in problems


def test_verify_chain_detects_a_missing_first_event():
    problems = verify_chain(make_chain()[1:])
    assert "seq 2: expected 1" in problems
    assert "seq 2: prev_hash does not match previous event" in problems


def test_verify_chain_detects_swapped_order():
    # An editor swaps events 3 and 4 and renumbers them so the seqs still look contiguous.
    events = make_chain()
    third, fourth = copy.deepcopy(events[2]), copy.deepcopy(events[3])
    third["seq"], fourth["seq"] = 4, 3
    tampered = [*events[:2], fourth, third, *events[4:]]
    problems = verify_chain(tampered)
    assert "seq 3: hash does not match content" in problems
    assert "seq 4: hash does not match content" in problems
    assert any("prev_hash" in problem for problem in problems)


def test_verify_chain_detects_swapped_order_even_with_rehashed_events():
    # Same swap, but the forger also recomputes each moved event's own hash.
    events = make_chain()
    third, fourth = copy.deepcopy(events[2]), copy.deepcopy(events[3])
    third["seq"], fourth["seq"] = 4, 3
    third["hash"], fourth["hash"] = spec_hash(third), spec_hash(fourth)
    problems = verify_chain([*events[:2], fourth, third, *events[4:]])
    assert "seq 3: prev_hash does not match previous event" in problems


def test_verify_chain_detects_a_forged_replacement_event():
    events = make_chain()
    forged = {**events[3], "type": EventType.NOT_CONFIRMED, "data": {"note": "forged"}}
    forged["hash"] = spec_hash(forged)  # internally consistent
    events[3] = forged
    assert verify_chain(events) == ["seq 5: prev_hash does not match previous event"]


def test_verify_chain_detects_a_forged_appended_event():
    events = make_chain()
    forged = {**events[4], "seq": 6, "event_id": "evt-x", "prev_hash": "f" * 64}
    forged["hash"] = spec_hash(forged)
    assert verify_chain([*events, forged]) == ["seq 6: prev_hash does not match previous event"]


def test_verify_chain_detects_a_duplicate_seq():
    events = make_chain()
    fork = {**events[1], "event_id": "evt-fork"}
    fork["hash"] = spec_hash(fork)
    problems = verify_chain([*events, fork])
    assert any(problem.endswith("expected 3") for problem in problems)


def test_verify_chain_detects_forged_genesis_and_missing_or_uppercase_hash():
    events = make_chain()
    events[0]["prev_hash"] = "1" * 64
    events[0]["hash"] = spec_hash(events[0])
    # The forged first event is self-consistent, so only the genesis link and the next link break.
    assert verify_chain(events) == [
        "seq 1: prev_hash does not match previous event",
        "seq 2: prev_hash does not match previous event",
    ]
    assert verify_chain(events[:1]) == ["seq 1: prev_hash does not match previous event"]

    events = make_chain()
    del events[4]["hash"]
    assert verify_chain(events) == ["seq 5: hash does not match content"]

    events = make_chain()
    events[4]["hash"] = events[4]["hash"].upper()
    assert verify_chain(events) == ["seq 5: hash does not match content"]


def test_audit_key_format():
    assert (
        audit_key("met", T0, VID, 1)
        == f"audit/force=met/date=2026-11-28/{VID}/000001.json"
    )
    assert audit_key("wilts", T0, "v", 42).endswith("/v/000042.json")
    assert audit_key("met", T0, "v", 123456).endswith("/123456.json")
    assert audit_key("met", T0, "v", 1234567).endswith("/1234567.json")  # never truncated


def test_audit_key_uses_the_verification_creation_date():
    created = datetime(2026, 11, 27, 23, 59, 59, 999_000, tzinfo=UTC)
    key = audit_key("police-scotland", created, "v", 7)
    assert key == "audit/force=police-scotland/date=2026-11-27/v/000007.json"


def test_audit_key_date_is_the_utc_date_of_creation():
    bst = timezone(timedelta(hours=1))
    created = datetime(2026, 6, 2, 0, 30, tzinfo=bst)  # 2026-06-01T23:30Z
    assert audit_key("met", created, "v", 1) == "audit/force=met/date=2026-06-01/v/000001.json"
