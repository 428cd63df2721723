"""VerificationStore contract: FakeVerificationStore and DynamoVerificationRepository on moto."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import AlreadyConsulted, ConsultationMark, ReferenceTaken
from chalicelib.domain.audit import Actor, EventType, PendingEvent
from chalicelib.domain.errors import ActiveVerificationExists, ConcurrentUpdate
from chalicelib.domain.verification import OfficerSummary, Status, Verification
from chalicelib.ports import VerificationStore
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeVerificationStore
from tests.integration.helpers import draft_verification, with_events

T0 = datetime(2026, 11, 28, 2, 47, 0, tzinfo=UTC)
SERGEANT = OfficerSummary(officer_id="MP2001", rank="PS", given_name="Aisha", family_name="Patel")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, settings: Any) -> VerificationStore:
    if request.param == "fake":
        return FakeVerificationStore()
    from chalicelib.adapters.dynamodb import DynamoVerificationRepository

    return DynamoVerificationRepository(
        request.getfixturevalue("dynamodb"), settings.verifications_table, marks_table=settings.idempotency_table
    )


def _created(store: VerificationStore, vid: str, **kw: Any) -> Verification:
    verification, events = draft_verification(vid, created_at=kw.pop("created_at", T0), **kw)
    store.create(verification, events)
    return verification


def _moved(before: Verification, status: Status, **changes: Any) -> tuple[Verification, list]:
    after = dataclasses.replace(before, status=status, **changes)
    pending = [PendingEvent(EventType.ACCEPTED, Actor("sergeant", "MP2001"), {"sergeant_id": "MP2001"})]
    return with_events(before, after, pending, T0 + timedelta(minutes=1))


def test_create_then_read_by_id_reference_and_officer(store):
    verification = _created(store, "vid-one", reference="SC-7KQ2-9XHM")

    assert store.get("vid-one") == verification
    assert store.find_id_by_reference("SC-7KQ2-9XHM") == "vid-one"
    assert store.active_verification_id("met", "MP4721") == "vid-one"
    assert store.get("no-such-id") is None
    assert store.find_id_by_reference("SC-AAAA-BBBB") is None
    assert store.active_verification_id("met", "MP0000") is None


def test_second_active_verification_of_an_officer_names_the_first(store):
    _created(store, "vid-first")
    second, events = draft_verification("vid-second", created_at=T0)

    with pytest.raises(ActiveVerificationExists) as raised:
        store.create(second, events)

    assert raised.value.verification_id == "vid-first"
    assert store.get("vid-second") is None
    assert store.find_id_by_reference(second.reference) is None


def test_a_taken_reference_is_refused_and_nothing_is_written(store):
    _created(store, "vid-first", reference="SC-SAME-SAME")
    other, events = draft_verification("vid-other", officer_id="MP9999", reference="SC-SAME-SAME", created_at=T0)

    with pytest.raises(ReferenceTaken):
        store.create(other, events)

    assert store.get("vid-other") is None
    assert store.active_verification_id("met", "MP9999") is None
    assert store.find_id_by_reference("SC-SAME-SAME") == "vid-first"


def test_of_two_transitions_from_the_same_state_only_the_first_is_stored(store):
    before = _created(store, "vid-race")
    first, first_events = _moved(before, Status.CONNECTED, sergeant=SERGEANT, accepted_at=T0)
    other = dataclasses.replace(SERGEANT, officer_id="MP2002")
    second, second_events = _moved(before, Status.CONNECTED, sergeant=other, accepted_at=T0)

    store.save_transition(before, first, first_events)
    with pytest.raises(ConcurrentUpdate):
        store.save_transition(before, second, second_events)

    assert store.get("vid-race") == first
    assert store.get("vid-race").audit_seq == before.audit_seq + 1


def test_a_transition_of_a_missing_verification_is_a_concurrent_update(store):
    ghost, _ = draft_verification("vid-ghost", created_at=T0)
    after, events = _moved(ghost, Status.CANCELLED, decided_at=T0)

    with pytest.raises(ConcurrentUpdate):
        store.save_transition(ghost, after, events)
    assert store.get("vid-ghost") is None


def test_a_terminal_transition_frees_the_officer_for_a_new_verification(store):
    before = _created(store, "vid-done")
    cancelled, events = _moved(before, Status.CANCELLED, decided_at=T0)

    store.save_transition(before, cancelled, events)

    assert store.active_verification_id("met", "MP4721") is None
    _created(store, "vid-next", created_at=T0 + timedelta(minutes=5))
    assert store.active_verification_id("met", "MP4721") == "vid-next"
    assert store.find_id_by_reference(before.reference) == "vid-done"  # the reference stays resolvable


def test_list_by_status_is_oldest_first_per_force_and_status(store):
    _created(store, "vid-b", officer_id="MP0002", created_at=T0 + timedelta(minutes=2))
    _created(store, "vid-a", officer_id="MP0001", created_at=T0)
    _created(store, "vid-c", officer_id="MP0003", created_at=T0 + timedelta(minutes=9))
    _created(store, "vid-kent", officer_id="KT0001", force="kent", created_at=T0)
    moving = store.get("vid-c")
    store.save_transition(moving, *_moved(moving, Status.CONNECTED, sergeant=SERGEANT, accepted_at=T0))

    awaiting = store.list_by_status("met", Status.AWAITING_SERGEANT)

    assert [v.verification_id for v in awaiting] == ["vid-a", "vid-b"]
    assert [v.verification_id for v in store.list_by_status("met", Status.AWAITING_SERGEANT, limit=1)] == ["vid-a"]
    assert [v.verification_id for v in store.list_by_status("met", Status.CONNECTED)] == ["vid-c"]
    assert store.list_by_status("met", Status.CANCELLED) == []


def test_recent_starts_are_versioned_so_the_hourly_limit_cannot_be_raced(store):
    assert store.recent_starts("met", "MP4721") == ([], 0)
    first, events = draft_verification("vid-1", created_at=T0)
    store.create(first, events, recent_starts=(["2026-11-28T02:47:00.000Z"], 0))
    assert store.recent_starts("met", "MP4721") == (["2026-11-28T02:47:00.000Z"], 1)

    store.save_transition(first, *_moved(first, Status.CANCELLED, decided_at=T0))
    stale, stale_events = draft_verification("vid-2", created_at=T0)
    with pytest.raises(ConcurrentUpdate):
        store.create(stale, stale_events, recent_starts=(["x", "y"], 0))  # read before vid-1's start
    assert store.get("vid-2") is None
    assert store.recent_starts("met", "MP4721") == (["2026-11-28T02:47:00.000Z"], 1)


def test_a_consultation_is_logged_once_per_reader_and_window(store):
    current = _created(store, "vid-read")
    now = int(T0.timestamp())
    mark = ConsultationMark("met#MP2001", now, now + 300)
    viewed = [PendingEvent(EventType.VIEWED, Actor("sergeant", "MP2001"), {})]
    after, events = with_events(current, current, viewed, T0)

    assert store.consultation_logged("vid-read", "met#MP2001", now) is False
    store.save_transition(current, after, events, consultation=mark)
    assert store.consultation_logged("vid-read", "met#MP2001", now) is True
    assert store.consultation_logged("vid-read", "met#MP2001", now + 300) is False
    assert store.consultation_logged("vid-read", "met#MP2002", now) is False

    again, again_events = with_events(after, after, viewed, T0)
    with pytest.raises(AlreadyConsulted):
        store.save_transition(after, again, again_events, consultation=mark)
    assert store.get("vid-read") == after


def test_attempt_chains_append_in_order_and_refuse_a_taken_seq(store):
    events = [(f"audit/a/{seq:06d}.json", {"seq": seq, "at": "2026-11-28T02:47:00.000Z"}) for seq in (1, 2, 3)]
    assert store.last_attempt_event("att-1") is None

    store.record_attempt("att-1", events[:2])
    store.append_attempt_event("att-1", *events[2])

    assert store.last_attempt_event("att-1") == events[2][1]
    with pytest.raises(ConcurrentUpdate):
        store.append_attempt_event("att-1", *events[1])
    store.record_attempts([("att-2", events[:1]), ("att-3", events)])
    assert store.last_attempt_event("att-2") == events[0][1]
    assert store.last_attempt_event("att-3") == events[2][1]


def test_delete_personal_copy_removes_the_record_and_its_reference(store):
    before = _created(store, "vid-erase")
    erased, events = _moved(before, Status.CANCELLED, decided_at=T0)
    store.save_transition(before, erased, events)

    store.delete_personal_copy(erased)

    assert store.get("vid-erase") is None
    assert store.find_id_by_reference(before.reference) is None


def test_recording_an_attempt_chain_again_is_a_cancelled_transaction_and_writes_nothing(store):
    first = [("audit/a/000001.json", {"seq": 1, "at": "2026-11-28T02:47:00.000Z", "type": "first"})]
    again = [("audit/a/000001.json", {"seq": 1, "at": "2026-11-28T02:48:00.000Z", "type": "again"}),
             ("audit/a/000002.json", {"seq": 2, "at": "2026-11-28T02:48:00.000Z", "type": "again"})]
    store.record_attempt("att-once", first)

    # services/audit_quarantine.py tells a redelivery by exactly this error, not ConcurrentUpdate.
    with pytest.raises(ClientError) as raised:
        store.record_attempt("att-once", again)

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert store.last_attempt_event("att-once") == first[0][1]
    store.record_attempt("att-once", again[1:])  # a free seq of the same chain is fine
    assert store.last_attempt_event("att-once")["seq"] == 2
