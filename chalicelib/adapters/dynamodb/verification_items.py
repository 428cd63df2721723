"""Verification items and audit-event puts: the mapping between the domain and the verifications table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ...domain.clock import iso_z, parse_iso
from ...domain.verification import Decider, Location, Method, OfficerSummary, Status, Verification
from . import keys
from .codec import serialise_item


def _summary_item(summary: OfficerSummary | None) -> dict[str, str] | None:
    if summary is None:
        return None
    return {
        "officer_id": summary.officer_id,
        "rank": summary.rank,
        "given_name": summary.given_name,
        "family_name": summary.family_name,
    }


def _summary_from(item: dict[str, Any] | None) -> OfficerSummary | None:
    if not item:
        return None
    return OfficerSummary(
        officer_id=item["officer_id"],
        rank=item["rank"],
        given_name=item["given_name"],
        family_name=item["family_name"],
    )


def _decider_item(decider: Decider | None) -> dict[str, str] | None:
    if decider is None:
        return None
    return {"officer_id": decider.officer_id, "rank": decider.rank, "family_name": decider.family_name,
            "role": decider.role}


def _decider_from(item: dict[str, Any] | None) -> Decider | None:
    if not item:
        return None
    return Decider(officer_id=item["officer_id"], rank=item["rank"], family_name=item["family_name"],
                   role=item["role"])


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def meta_item(verification: Verification) -> dict[str, Any]:
    location = verification.location
    return {
        **keys.meta_key(verification.verification_id),
        "kind": "verification",
        "verification_id": verification.verification_id,
        "reference": verification.reference,
        "status": verification.status.value,
        "force": verification.force,
        "officer": _summary_item(verification.officer),
        "sergeant": _summary_item(verification.sergeant),
        "location": None if location is None else {
            "lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m,
        },
        "area": verification.area,
        "created_at": iso_z(verification.created_at),
        "accepted_at": iso_z(verification.accepted_at),
        "decided_at": iso_z(verification.decided_at),
        "outcome_note": verification.outcome_note,
        "method": verification.method.value if verification.method else None,
        "decided_by": _decider_item(verification.decided_by),
        "meeting": json.dumps(verification.meeting) if verification.meeting else None,
        "notified": list(verification.notified),
        "pushed": list(verification.pushed),
        "push_received": list(verification.push_received),
        "texted": list(verification.texted),
        "waves_sent": verification.waves_sent,
        "voice_fallback": verification.voice_fallback,
        "searching_since": iso_z(verification.searching_since),
        "first_wave_of_search": verification.first_wave_of_search,
        "audit_seq": verification.audit_seq,
        "audit_head": verification.audit_head,
        "gsi1pk": keys.status_partition(verification.force, verification.status.value),
        "gsi1sk": iso_z(verification.created_at),
    }


def verification_from(item: dict[str, Any]) -> Verification:
    location = item.get("location")
    return Verification(
        verification_id=item["verification_id"],
        reference=item["reference"],
        status=Status(item["status"]),
        force=item["force"],
        officer=_summary_from(item["officer"]),  # type: ignore[arg-type]
        sergeant=_summary_from(item.get("sergeant")),
        location=None if location is None else Location(
            lat=float(location["lat"]),
            lon=float(location["lon"]),
            accuracy_m=_float(location.get("accuracy_m")),
        ),
        area=item.get("area"),
        created_at=parse_iso(item["created_at"]),  # type: ignore[arg-type]
        accepted_at=parse_iso(item.get("accepted_at")),
        decided_at=parse_iso(item.get("decided_at")),
        outcome_note=item.get("outcome_note"),
        method=Method(item["method"]) if item.get("method") else None,
        decided_by=_decider_from(item.get("decided_by")),
        meeting=json.loads(item["meeting"]) if item.get("meeting") else None,
        notified=tuple(item.get("notified") or ()),
        pushed=tuple(item.get("pushed") or ()),
        push_received=tuple(item.get("push_received") or ()),
        # Stored before Web Push: everyone notified was texted.
        texted=tuple(item["texted"] if "texted" in item else item.get("notified") or ()),
        waves_sent=int(item.get("waves_sent", 0)),
        voice_fallback=bool(item.get("voice_fallback", False)),
        searching_since=parse_iso(item.get("searching_since")),
        first_wave_of_search=int(item.get("first_wave_of_search", 1)),
        audit_seq=int(item["audit_seq"]),
        audit_head=item["audit_head"],
    )


def event_puts(table: str, owner_pk: str, events: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One conditional Put per audit event of the chain at `owner_pk` (V#{id} or A#{chain})."""
    return [
        {
            "Put": {
                "TableName": table,
                "Item": serialise_item(
                    {
                        "pk": owner_pk,
                        "sk": keys.event_sk(event["seq"]),
                        "kind": "audit_event",
                        "audit_key": key,
                        "event_json": json.dumps(event, sort_keys=True, ensure_ascii=False),
                        keys.AWAITING_COPY: "s3",
                        keys.RECORDED_AT: event["at"],
                    }
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for key, event in events
    ]
