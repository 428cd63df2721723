"""Response shapes of SPEC §4: how a verification, an alert and a record look on the wire.

Plain functions, no pydantic: a citizen's look-up and a wave timer use them and load no request model.
"""

from __future__ import annotations

from typing import Any

from ..domain.alerts import Alert
from ..domain.clock import iso_z
from ..domain.public import officer_advice_for
from ..domain.registry import RegistryRecord
from ..domain.verification import Decider, Location, OfficerSummary, Verification


def officer_summary_view(summary: OfficerSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    return {
        "officer_id": summary.officer_id,
        "rank": summary.rank,
        "given_name": summary.given_name,
        "family_name": summary.family_name,
    }


def decider_view(decider: Decider | None) -> dict[str, Any] | None:
    """Who recorded the decision: `role` is "sergeant" or "control_room" (a radio confirmation)."""
    if decider is None:
        return None
    return {"officer_id": decider.officer_id, "rank": decider.rank, "family_name": decider.family_name,
            "role": decider.role}


def location_view(location: Location | None) -> dict[str, Any] | None:
    """A location as the API (and the control room's alert) shows it."""
    if location is None:
        return None
    return {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m}


def meeting_view(meeting: dict[str, Any] | None, attendee: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Chime join info of SPEC §4, or None (voice fallback, or the join failed)."""
    if meeting is None or attendee is None:
        return None
    return {"Meeting": meeting, "Attendee": attendee}


def verification_view(verification: Verification) -> dict[str, Any]:
    """The Verification JSON of SPEC §4 (for authorised callers only)."""
    return {
        "verification_id": verification.verification_id,
        "reference": verification.reference,
        "status": verification.status.value,
        "force": verification.force,
        "officer": officer_summary_view(verification.officer),
        "sergeant": officer_summary_view(verification.sergeant),
        "location": location_view(verification.location),
        "area": verification.area,
        "created_at": iso_z(verification.created_at),
        "accepted_at": iso_z(verification.accepted_at),
        "decided_at": iso_z(verification.decided_at),
        "outcome_note": verification.outcome_note,
        "method": verification.method.value if verification.method else None,
        "decided_by": decider_view(verification.decided_by),
        "voice_fallback": verification.voice_fallback,
        "advice": officer_advice_for(verification.status),
    }


def alert_view(alert: Alert) -> dict[str, Any]:
    """The Alert JSON of SPEC §7.3 (for the control room of its force only)."""
    return {
        "alert_id": alert.alert_id,
        "kind": alert.kind.value,
        "force": alert.force,
        "verification_id": alert.verification_id,
        "reference": alert.reference,
        "officer": alert.officer,
        "location": alert.location,
        "area": alert.area,
        "where": alert.where,
        "raised_at": iso_z(alert.raised_at),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": iso_z(alert.acknowledged_at),
        "note": alert.note,
    }


def registry_record_view(record: RegistryRecord) -> dict[str, Any]:
    """`GET/PUT /officers/{officer_id}`: the registry record as the force holds it."""
    return record.as_dict()
