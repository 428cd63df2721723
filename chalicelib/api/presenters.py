"""The JSON bodies of SPEC §4, built from what the use cases return (services return domain results;
how they look on the wire is decided here, with the view functions of schemas/views.py)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ..domain.clock import iso_z
from ..domain.public import advice_for, decided_by_role
from ..domain.registry import RegistryRecord
from ..domain.verification import Status, Verification
from ..schemas.views import alert_view, meeting_view, registry_record_view, verification_view

if TYPE_CHECKING:
    from ..services.control_room import Board
    from ..services.deciding import Accepted
    from ..services.public import PublicCheck
    from ..services.registry import DutySet
    from ..services.starting import Started


def started_body(started: Started, public_base_url: str) -> dict[str, Any]:
    """The 201 body of a start (SPEC §4): the verification, the officer's join info, the citizen link."""
    verification = started.verification
    body = verification_view(verification)
    body["meeting"] = meeting_view(verification.meeting, started.attendee)
    body["citizen_url"] = f"{public_base_url.rstrip('/')}/v/{verification.reference}"
    return body


def accepted_body(accepted: Accepted) -> dict[str, Any]:
    """What the accepting sergeant's page shows: the check, the call to join, the registry record."""
    body = verification_view(accepted.verification)
    body["meeting"] = meeting_view(accepted.verification.meeting, accepted.attendee)
    body["officer_record"] = officer_record_view(accepted.officer_record, accepted.photo_url, accepted.verification)
    return body


def officer_record_view(record: RegistryRecord | None, photo_url: str | None, v: Verification) -> dict[str, Any]:
    """What the sergeant compares with the face on video: the registry's record, not the officer's
    claim, with a link to exactly the photo version the disclosure names."""
    if record is None:
        return {**dataclasses.asdict(v.officer), "status": "unknown", "photo_url": None}
    return {
        "officer_id": record.officer_id,
        "rank": record.rank,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "status": record.status.value,
        "photo_url": photo_url,
    }


def verification_list_body(verifications: list[Verification]) -> dict[str, Any]:
    """`GET /verifications`: a sergeant's queue."""
    return {"items": [verification_view(v) for v in verifications]}


def public_body(shown: PublicCheck) -> dict[str, Any]:
    """What the person who was stopped sees: no location, no notes, no phone numbers."""
    verification = shown.verification
    confirmed_by = None
    # Whoever decided: the sergeant, or the control-room operator for a radio confirmation (checks
    # decided before `decided_by` was recorded name their sergeant).
    decider = verification.decided_by or verification.sergeant
    if verification.status is Status.CONFIRMED and decider is not None:
        confirmed_by = {"officer_id": decider.officer_id, "rank": decider.rank, "family_name": decider.family_name}
    method = verification.method
    return {
        "reference": verification.reference,
        "status": verification.status.value,
        "officer": {
            "officer_id": verification.officer.officer_id,
            "rank": verification.officer.rank,
            "family_name": verification.officer.family_name,
            "photo_url": shown.photo_url,
        },
        "confirmed_by": confirmed_by,
        # How it was decided (SPEC §7.3), and so by whom: "radio" is the control room's.
        "method": method.value if method else None,
        "decided_by_role": decided_by_role(method),
        "created_at": iso_z(verification.created_at),
        "decided_at": iso_z(verification.decided_at),
        "advice": advice_for(verification.status, method),
    }


def board_body(board: Board) -> dict[str, Any]:
    """`GET /control/board`: live checks (with how long each has waited) and the force's alerts."""
    active = [
        {**verification_view(check.verification), "waiting_seconds": check.waiting_seconds,
         "waves_sent": check.verification.waves_sent}
        for check in board.active
    ]
    return {"active": active, "alerts": [alert_view(alert) for alert in board.alerts]}


def duty_body(duty: DutySet) -> dict[str, Any]:
    """`PUT /me/duty`: the sergeant's duty as stored."""
    return {"officer_id": duty.officer_id, "duty": duty.duty.value}


__all__ = [
    "accepted_body", "alert_view", "board_body", "duty_body", "officer_record_view", "public_body",
    "registry_record_view", "started_body", "verification_list_body", "verification_view",
]
