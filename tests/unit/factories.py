"""Builders for pure-domain unit tests: realistic values, every field overridable."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role
from chalicelib.domain.verification import (
    Location,
    OfficerSummary,
    Status,
    Verification,
)

T0 = datetime(2026, 11, 28, 2, 47, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 28, 2, 48, 30, 250_000, tzinfo=UTC)
T2 = datetime(2026, 11, 28, 2, 52, 10, tzinfo=UTC)

OFFICER = OfficerSummary(officer_id="MP4721", rank="PC", given_name="Sam", family_name="Jones")
SERGEANT = OfficerSummary(officer_id="MS0815", rank="PS", given_name="Ana", family_name="Okafor")
OTHER_SERGEANT = OfficerSummary(
    officer_id="MS0999", rank="PS", given_name="Rhys", family_name="Pritchard"
)


def verification(**changes: Any) -> Verification:
    """An awaiting verification of PC Jones near Camden High St, unless overridden."""
    base = Verification(
        verification_id="3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f",
        reference="SC-7KQ-29X-HMP",
        status=Status.AWAITING_SERGEANT,
        force="met",
        officer=OFFICER,
        location=Location(lat=51.539124, lon=-0.142611, accuracy_m=12.0),
        area="Camden High St",
        created_at=T0,
    )
    return dataclasses.replace(base, **changes)


def in_state(status: Status, **changes: Any) -> Verification:
    """A verification in `status`, with the fields that state implies (sergeant, timestamps)."""
    accepted = status in (Status.CONNECTED, Status.CONFIRMED, Status.NOT_CONFIRMED, Status.EXPIRED)
    fields: dict[str, Any] = {"status": status}
    if accepted:
        fields.update(sergeant=SERGEANT, accepted_at=T1)
    if status.is_terminal:
        fields.update(decided_at=T1)
    fields.update(changes)
    return verification(**fields)


def record(**changes: Any) -> RegistryRecord:
    """A serving constable of the Met, unless overridden."""
    base = RegistryRecord(
        force="met",
        officer_id="MP4721",
        given_name="Sam",
        family_name="Jones",
        rank="PC",
        status=OfficerStatus.SERVING,
        role=Role.OFFICER,
    )
    return dataclasses.replace(base, **changes)


def sergeant_record(**changes: Any) -> RegistryRecord:
    """A serving, available sergeant with a phone, unless overridden."""
    fields: dict[str, Any] = dict(
        officer_id="MS0815",
        given_name="Ana",
        family_name="Okafor",
        rank="PS",
        role=Role.SERGEANT,
        phone="+447700900815",
        duty=Duty.AVAILABLE,
    )
    fields.update(changes)
    return record(**fields)
