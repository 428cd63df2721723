"""Small builders shared by the integration tests (principals, requests, raw verifications)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime
from typing import Any

from chalicelib.domain.access import Principal
from chalicelib.domain.audit import GENESIS_HASH, Actor, EventType, PendingEvent, audit_key, chain
from chalicelib.domain.registry import Role
from chalicelib.domain.verification import Location, OfficerSummary, Status, Verification
from chalicelib.schemas import StartVerificationRequest

START_BODY = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12.0}, "area": "Camden High St"}

_event_ids = itertools.count(1)


def principal(officer_id: str, role: Role, force: str = "met") -> Principal:
    return Principal(subject=f"sub-{officer_id}", role=role, force=force, officer_id=officer_id)


def officer(officer_id: str = "MP4721", force: str = "met") -> Principal:
    return principal(officer_id, Role.OFFICER, force)


def sergeant(officer_id: str, force: str = "met") -> Principal:
    return principal(officer_id, Role.SERGEANT, force)


def start_request(**overrides: Any) -> StartVerificationRequest:
    return StartVerificationRequest.model_validate({**START_BODY, **overrides})


def new_event_id() -> str:
    return f"event-{next(_event_ids)}"


CAMDEN = Location(lat=51.539, lon=-0.1426, accuracy_m=12.0)


def draft_verification(
    verification_id: str,
    *,
    officer_id: str = "MP4721",
    reference: str | None = None,
    force: str = "met",
    created_at: datetime,
    location: Location = CAMDEN,
    status: Status = Status.AWAITING_SERGEANT,
) -> tuple[Verification, list[tuple[str, dict[str, Any]]]]:
    """A verification as services.starting._create would store it: with its first audit event chained."""
    draft = Verification(
        verification_id=verification_id,
        reference=reference or f"SC-{verification_id}",
        status=status,
        force=force,
        officer=OfficerSummary(officer_id=officer_id, rank="PC", given_name="Sam", family_name="Jones"),
        location=location,
        area="Camden High St",
        created_at=created_at,
        meeting={"MeetingId": "11111111-2222-3333-4444-555555555555"},
    )
    requested = PendingEvent(EventType.REQUESTED, Actor("officer", officer_id), {"officer_id": officer_id})
    return with_events(draft, draft, [requested], created_at)


def with_events(
    before: Verification, after: Verification, pending: list[PendingEvent], at: datetime
) -> tuple[Verification, list[tuple[str, dict[str, Any]]]]:
    """Chain `pending` after `before`'s audit head, as services.unit_of_work.stamp does."""
    events = chain(
        pending,
        verification_id=after.verification_id,
        force=after.force,
        after_seq=before.audit_seq,
        after_hash=before.audit_head if before.audit_seq else GENESIS_HASH,
        at=at,
        new_event_id=new_event_id,
    )
    if events:
        after = dataclasses.replace(after, audit_seq=events[-1]["seq"], audit_head=events[-1]["hash"])
    keyed = [(audit_key(after.force, after.created_at, after.verification_id, e["seq"]), e) for e in events]
    return after, keyed
