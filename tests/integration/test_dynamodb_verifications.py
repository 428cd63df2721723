"""DynamoVerificationRepository on moto: items written, conditional writes, locks, the status index."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.adapters.dynamodb import DynamoVerificationRepository, ReferenceTaken, deserialise_item
from chalicelib.domain.audit import SYSTEM, Actor, EventType, PendingEvent, verify_chain
from chalicelib.domain.errors import ActiveVerificationExists, ConcurrentUpdate
from chalicelib.domain.verification import Location, OfficerSummary, Status
from chalicelib.local import resources
from tests.integration.helpers import draft_verification, with_events

T0 = datetime(2026, 11, 28, 2, 47, 0, tzinfo=UTC)
SERGEANT = OfficerSummary(officer_id="MP2001", rank="PS", given_name="Aisha", family_name="Patel")


@pytest.fixture
def dynamodb(aws, settings, boto_session):
    client = boto_session.client("dynamodb")
    resources.create_tables(client, settings)
    return client


@pytest.fixture
def repo(dynamodb, settings) -> DynamoVerificationRepository:
    return DynamoVerificationRepository(dynamodb, settings.verifications_table)


def _items(dynamodb, settings) -> dict[tuple[str, str], dict]:
    raw = dynamodb.scan(TableName=settings.verifications_table, ConsistentRead=True)["Items"]
    return {(item["pk"]["S"], item["sk"]["S"]): deserialise_item(item) for item in raw}


def _accept(repo, before, at=T0 + timedelta(minutes=1)):
    after = dataclasses.replace(before, status=Status.CONNECTED, sergeant=SERGEANT, accepted_at=at)
    pending = [PendingEvent(EventType.ACCEPTED, Actor("sergeant", "MP2001"), {"sergeant_id": "MP2001"})]
    return with_events(before, after, pending, at)


def test_create_stores_meta_reference_lock_and_first_event(repo, dynamodb, settings):
    verification, events = draft_verification("vid-one", reference="SC-7KQ2-9XHM", created_at=T0)

    repo.create(verification, events)

    items = _items(dynamodb, settings)
    assert set(items) == {
        ("V#vid-one", "META"),
        ("V#vid-one", "EVENT#000001"),
        ("REF#SC-7KQ2-9XHM", "REF"),
        ("ACTIVE#met#MP4721", "ACTIVE"),
    }
    meta = items[("V#vid-one", "META")]
    assert meta["status"] == "awaiting_sergeant"
    assert meta["gsi1pk"] == "met#awaiting_sergeant"
    assert meta["gsi1sk"] == "2026-11-28T02:47:00.000Z"
    assert meta["audit_seq"] == 1 and meta["audit_head"] == events[0][1]["hash"]
    assert items[("REF#SC-7KQ2-9XHM", "REF")]["verification_id"] == "vid-one"
    assert items[("ACTIVE#met#MP4721", "ACTIVE")]["verification_id"] == "vid-one"
    event_item = items[("V#vid-one", "EVENT#000001")]
    assert event_item["kind"] == "audit_event"
    assert event_item["audit_key"] == "audit/force=met/date=2026-11-28/vid-one/000001.json"

    assert repo.get("vid-one") == verification
    assert repo.get("vid-one").meeting == verification.meeting
    assert repo.find_id_by_reference("SC-7KQ2-9XHM") == "vid-one"
    assert repo.active_verification_id("met", "MP4721") == "vid-one"
    assert repo.events("vid-one") == [events[0][1]]
    assert repo.get("no-such-id") is None
    assert repo.find_id_by_reference("SC-AAAA-BBBB") is None


def test_second_create_for_the_same_officer_names_the_first(repo, dynamodb, settings):
    first, first_events = draft_verification("vid-first", created_at=T0)
    repo.create(first, first_events)
    before = _items(dynamodb, settings)

    second, second_events = draft_verification("vid-second", created_at=T0 + timedelta(seconds=5))
    with pytest.raises(ActiveVerificationExists) as raised:
        repo.create(second, second_events)

    assert raised.value.verification_id == "vid-first"
    assert raised.value.details == {"verification_id": "vid-first"}
    assert _items(dynamodb, settings) == before  # nothing of the second one was written
    assert repo.get("vid-second") is None


def test_reference_collision_raises_reference_taken_and_writes_nothing(repo, dynamodb, settings):
    first, first_events = draft_verification("vid-first", reference="SC-7KQ2-9XHM", created_at=T0)
    repo.create(first, first_events)
    before = _items(dynamodb, settings)

    other, other_events = draft_verification(
        "vid-other", officer_id="MP5102", reference="SC-7KQ2-9XHM", created_at=T0
    )
    with pytest.raises(ReferenceTaken):
        repo.create(other, other_events)

    assert _items(dynamodb, settings) == before  # in particular, MP5102 holds no active lock
    assert repo.active_verification_id("met", "MP5102") is None
    assert repo.find_id_by_reference("SC-7KQ2-9XHM") == "vid-first"


def test_transition_is_written_with_its_events(repo):
    created, events = draft_verification("vid-one", created_at=T0)
    repo.create(created, events)
    accepted, accept_events = _accept(repo, created)

    repo.save_transition(created, accepted, accept_events)

    stored = repo.get("vid-one")
    assert stored == accepted
    assert stored.status is Status.CONNECTED and stored.sergeant == SERGEANT
    chain = repo.events("vid-one")
    assert [e["type"] for e in chain] == ["verification.requested", "verification.accepted"]
    assert verify_chain(chain) == []
    assert repo.active_verification_id("met", "MP4721") == "vid-one"  # not terminal: lock kept


def test_stale_status_is_a_concurrent_update_and_changes_nothing(repo, dynamodb, settings):
    created, events = draft_verification("vid-one", created_at=T0)
    repo.create(created, events)
    accepted, accept_events = _accept(repo, created)
    repo.save_transition(created, accepted, accept_events)
    before = _items(dynamodb, settings)

    # A second writer still holding the `awaiting_sergeant` read tries to cancel.
    cancelled = dataclasses.replace(created, status=Status.CANCELLED, decided_at=T0 + timedelta(minutes=2))
    cancelled, cancel_events = with_events(
        created, cancelled, [PendingEvent(EventType.CANCELLED, Actor("officer", "MP4721"), {})], T0
    )
    with pytest.raises(ConcurrentUpdate):
        repo.save_transition(created, cancelled, cancel_events)

    assert _items(dynamodb, settings) == before
    assert repo.get("vid-one").status is Status.CONNECTED
    assert repo.active_verification_id("met", "MP4721") == "vid-one"


def test_stale_audit_seq_is_a_concurrent_update_even_with_the_same_status(repo, dynamodb, settings):
    created, events = draft_verification("vid-one", created_at=T0)
    repo.create(created, events)
    # Someone appended an event (same status, audit_seq 1 -> 2).
    appended, more = with_events(created, created, [PendingEvent(EventType.SERGEANTS_NOTIFIED, SYSTEM, {})], T0)
    repo.save_transition(created, appended, more)
    before = _items(dynamodb, settings)

    # No events at all: only the META condition (audit_seq = 1) can stop this write.
    stale_after = dataclasses.replace(created, area="Somewhere else")
    with pytest.raises(ConcurrentUpdate):
        repo.save_transition(created, stale_after, [])

    assert _items(dynamodb, settings) == before
    assert repo.get("vid-one").area == "Camden High St"
    assert repo.get("vid-one").audit_seq == 2


def test_terminal_transition_releases_the_officer_lock(repo):
    created, events = draft_verification("vid-one", created_at=T0)
    repo.create(created, events)
    cancelled = dataclasses.replace(created, status=Status.CANCELLED, decided_at=T0 + timedelta(minutes=2))
    cancelled, cancel_events = with_events(
        created, cancelled, [PendingEvent(EventType.CANCELLED, Actor("officer", "MP4721"), {})], T0
    )

    repo.save_transition(created, cancelled, cancel_events)

    assert repo.active_verification_id("met", "MP4721") is None
    assert repo.get("vid-one").status is Status.CANCELLED
    # The reference stays claimed (the citizen can still look it up).
    assert repo.find_id_by_reference(created.reference) == "vid-one"

    again, again_events = draft_verification("vid-two", created_at=T0 + timedelta(minutes=3))
    repo.create(again, again_events)
    assert repo.active_verification_id("met", "MP4721") == "vid-two"


def test_list_by_status_returns_that_force_and_status_oldest_first(repo):
    specs = [  # (id, officer, force, minutes after T0) inserted out of order
        ("vid-middle", "MP0010", "met", 5),
        ("vid-newest", "MP0011", "met", 9),
        ("vid-oldest", "MP0012", "met", -30),
        ("vid-wilts", "WP0010", "wiltshire", 1),
        ("vid-taken", "MP0013", "met", -60),
    ]
    for vid, officer_id, force, minutes in specs:
        verification, events = draft_verification(
            vid, officer_id=officer_id, force=force, created_at=T0 + timedelta(minutes=minutes)
        )
        repo.create(verification, events)
    taken = repo.get("vid-taken")
    accepted, accept_events = _accept(repo, taken)
    repo.save_transition(taken, accepted, accept_events)

    awaiting = repo.list_by_status("met", Status.AWAITING_SERGEANT)
    assert [v.verification_id for v in awaiting] == ["vid-oldest", "vid-middle", "vid-newest"]
    assert [v.verification_id for v in repo.list_by_status("met", Status.CONNECTED)] == ["vid-taken"]
    assert [v.verification_id for v in repo.list_by_status("wiltshire", Status.AWAITING_SERGEANT)] == ["vid-wilts"]
    assert repo.list_by_status("met", Status.CONFIRMED) == []
    assert [v.verification_id for v in repo.list_by_status("met", Status.AWAITING_SERGEANT, limit=2)] == [
        "vid-oldest", "vid-middle",
    ]


@pytest.mark.parametrize(
    "location",
    [
        Location(lat=51.50735123456789, lon=-0.12775829999999, accuracy_m=12.5),
        Location(lat=-33.8688, lon=151.2093, accuracy_m=None),
        Location(lat=0.0, lon=-1e-07, accuracy_m=0.0),
        Location(lat=89.9999999, lon=179.999999, accuracy_m=12.0),
    ],
    ids=["many-decimals", "no-accuracy", "zeros-and-tiny", "whole-accuracy"],
)
def test_location_round_trips_exactly_through_decimal(repo, dynamodb, settings, location):
    verification, events = draft_verification("vid-loc", location=location, created_at=T0)
    repo.create(verification, events)

    stored = repo.get("vid-loc").location
    assert stored == location
    assert all(isinstance(value, float) for value in (stored.lat, stored.lon))
    assert stored.accuracy_m is None or isinstance(stored.accuracy_m, float)
    raw = dynamodb.get_item(
        TableName=settings.verifications_table, Key={"pk": {"S": "V#vid-loc"}, "sk": {"S": "META"}}
    )["Item"]["location"]["M"]
    assert Decimal(raw["lat"]["N"]) == Decimal(repr(location.lat))  # stored as a number, not a string
