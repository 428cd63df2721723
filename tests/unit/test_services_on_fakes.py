"""Use cases on the in-memory fakes: no moto, no monkeypatching, just Dependencies with fakes set.

The fakes are kept honest by tests/contract; these tests are about the use case's own rules.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from chalicelib import services
from chalicelib.bootstrap import Dependencies
from chalicelib.domain.errors import AlreadyAccepted
from chalicelib.domain.escalation import TimerKind
from chalicelib.domain.verification import Status
from tests.fakes import fake_dependencies
from tests.integration.helpers import draft_verification, officer, sergeant, start_request
from tests.unit.factories import record, sergeant_record


@pytest.fixture
def deps(settings: Any, clock: Any) -> Dependencies:
    """Dependencies whose every adapter is a fake (tests/fakes/dependencies.py)."""
    return fake_dependencies(settings, clock, [
        record(), sergeant_record(), sergeant_record(officer_id="MS0999", phone="+447700900999"),
    ])


def _awaiting(deps: Dependencies, clock: Any) -> str:
    meeting = deps.meetings.create_meeting("vid-accept")
    verification, events = draft_verification("vid-accept", created_at=clock())
    verification = dataclasses.replace(verification, meeting=meeting)
    deps.verifications.create(verification, events)
    return verification.verification_id


def test_the_first_sergeant_to_accept_wins_and_the_second_is_told(deps, clock):
    vid = _awaiting(deps, clock)
    clock.advance(seconds=40)

    accepted = services.accept_verification(deps, sergeant("MS0815"), vid)
    with pytest.raises(AlreadyAccepted):
        services.accept_verification(deps, sergeant("MS0999"), vid)

    stored = deps.verifications.get(vid)
    assert stored.status is Status.CONNECTED
    assert stored.sergeant.officer_id == "MS0815"
    assert accepted.verification == stored
    assert accepted.officer_record.officer_id == "MP4721"
    assert accepted.attendee["ExternalUserId"] == "sergeant-MS0815"
    assert list(deps.meetings.attendees[stored.meeting_id]) == ["sergeant-MS0815"]
    assert [e["type"] for e in deps.verifications.events(vid)] == [
        "verification.requested", "verification.accepted", "registry.disclosed",
    ]
    assert [t.kind for t in deps.timers.scheduled] == [TimerKind.DECISION_TIMEOUT]
    assert deps.sms.sent == []


def test_a_start_stores_the_check_texts_the_first_wave_and_arms_its_timers(deps, clock):
    started = services.start_verification(deps, officer("MP4721"), start_request())

    vid = started.verification.verification_id
    stored = deps.verifications.get(vid)
    assert stored.status is Status.AWAITING_SERGEANT
    assert deps.verifications.active_verification_id("met", "MP4721") == vid
    assert deps.verifications.find_id_by_reference(stored.reference) == vid
    assert stored.meeting_id in deps.meetings.meetings
    assert vid in deps.envelope.keys
    assert sorted(phone for phone, _ in deps.sms.sent) == ["+447700900815", "+447700900999"]
    assert all(message.endswith(f"/s/{vid}") for _, message in deps.sms.sent)
    assert deps.timers.scheduled and {t.verification_id for t in deps.timers.scheduled} == {vid}
    (requested, *_) = deps.verifications.events(vid)
    assert requested["type"] == "verification.requested"
    assert "Camden" not in repr(requested)  # the area and location are sealed with the chain's key
