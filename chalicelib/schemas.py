"""Request models and response shapes: the API contract of SPEC §4.

Requests are strict (no type coercion, unknown fields rejected) so a malformed client fails loudly.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from .domain.alerts import Alert
from .domain.clock import iso_z
from .domain.errors import ValidationFailed
from .domain.public import officer_advice_for
from .domain.registry import RANKS, Duty, OfficerStatus, RegistryRecord, Role
from .domain.verification import Decider, Location, OfficerSummary, Verification

E164 = r"^\+[1-9][0-9]{7,14}$"
OFFICER_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
PHOTO_KEY = r"^[A-Za-z0-9][A-Za-z0-9/_.=-]{0,254}$"


def _printable(value: str, allowed: str = "") -> str:
    """Free text goes into SMS, alerts, pages and the audit log: control characters have no place
    there, and a lone surrogate (valid JSON, `"\\udafc"`) cannot even be encoded to send."""
    for character in value:
        if character not in allowed and unicodedata.category(character) in ("Cc", "Cs"):
            raise ValueError("must be printable text (no control characters)")
    return value


def _printable_lines(value: str) -> str:
    return _printable(value, allowed="\n\t")  # a note typed into a text box may have line breaks


def _no_contact_lookalike(value: str) -> str:
    """The area goes into the sergeants' SMS before the real link (see domain/sms.py)."""
    from .domain.sms import contact_lookalike

    what = contact_lookalike(value)
    if what is not None:
        raise ValueError(f"must not look like {what}: it is sent to sergeants in front of the real link")
    return value


def _to_seven_places(value: float) -> float:
    """Seven decimal places (about 1 cm) is more than any phone measures; rounding also keeps
    numbers like 1e-191 (valid JSON) inside what DynamoDB can store (down to 1e-130)."""
    return round(value, 7) + 0.0  # + 0.0: no -0.0


# The patterns document the rule in the OpenAPI document (and steer the fuzzer); the validators enforce it.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable),
                 Field(json_schema_extra={"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"})]
TextLines = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable_lines),
                      Field(json_schema_extra={"pattern": "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"})]


class _Strict(BaseModel):
    # Validators are built on first use, not at import: a cold start pays only for the models its
    # first request needs (building all of them at import cost ~100 ms of every cold start).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class LocationIn(_Strict):
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), AfterValidator(_to_seven_places)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False), AfterValidator(_to_seven_places)]
    accuracy_m: (
        Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False), AfterValidator(_to_seven_places)] | None
    ) = None


class StartVerificationRequest(_Strict):
    """Where the stop is: the phone's position, or - when the officer refuses or the phone cannot
    fix one - the area typed by hand. One of the two is required: the control room must know where."""

    location: LocationIn | None = None
    area: Annotated[Text, StringConstraints(max_length=80), AfterValidator(_no_contact_lookalike)] | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> StartVerificationRequest:
        if self.location is None and self.area is None:
            raise ValueError("location or area is required")
        return self


def _no_format_characters(value: str) -> str:
    """Anyone may send these words to the control room's board: no invisible characters in them
    (a right-to-left override would make "Rd Camden" read otherwise than it was typed)."""
    if any(unicodedata.category(character) == "Cf" for character in value):
        raise ValueError("must be plain text (no invisible formatting characters)")
    return value


class CheckRequestIn(_Strict):
    """`POST /public/check-requests` (SPEC §7.4): the number on the warrant card, and where she is
    in her own words if she says (80 characters, for the control room only)."""

    officer_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=OFFICER_ID)]
    where: Annotated[Text, StringConstraints(max_length=80), AfterValidator(_no_format_characters)] | None = None


class EmptyRequest(_Strict):
    """Accept and cancel take `{}`: anything else is a client mistake."""


class OutcomeRequest(_Strict):
    outcome: Literal["confirmed", "not_confirmed"]
    note: Annotated[TextLines, StringConstraints(max_length=500)] | None = None
    # How the sergeant saw the officer: the page sends "audio" once the call fell back to audio
    # only. "radio" is refused here: only the control room confirms by radio (its own route).
    method: Literal["video", "audio"] = "video"


class RadioConfirmationRequest(_Strict):
    """`POST /verifications/{id}/radio-confirmation` (SPEC §7.3): the control room's decision."""

    outcome: Literal["confirmed", "not_confirmed"]
    note: Annotated[TextLines, StringConstraints(max_length=500)] | None = None


class AcknowledgeRequest(_Strict):
    """`POST /control/alerts/{alert_id}/acknowledge`: what the control room did, if it says."""

    note: Annotated[TextLines, StringConstraints(max_length=500)] | None = None


def _blank_is_none(value: str) -> str | None:
    return value or None


class UnsafeReportRequest(_Strict):
    """`POST /public/verifications/{reference}/unsafe` (SPEC §7.4): where she is, in her own words,
    if she says. A field left empty (what a form sends) is the same as no field: never a refusal."""

    where: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80), AfterValidator(_printable),
                     AfterValidator(_blank_is_none),
                     Field(json_schema_extra={"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"})] | None = None


class DutyRequest(_Strict):
    status: Literal["available", "off_duty"]


B64URL = r"^[A-Za-z0-9_-]+={0,2}$"


class PushKeysIn(_Strict):
    p256dh: Annotated[str, StringConstraints(min_length=86, max_length=88, pattern=B64URL)]
    auth: Annotated[str, StringConstraints(min_length=22, max_length=24, pattern=B64URL)]


class PushSubscriptionRequest(_Strict):
    """`PUT /me/push-subscription`: what the browser's `PushSubscription.toJSON()` gives. The
    endpoint must be at a known browser push service (domain/push.py checks it)."""

    endpoint: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    keys: PushKeysIn
    expirationTime: int | float | None = None


class PushReceiptRequest(_Strict):
    """`POST /push/receipts`: the sergeant page's service worker says the push reached the phone."""

    verification_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    sergeant: Annotated[str, StringConstraints(pattern=OFFICER_ID)]
    receipt: Annotated[str, StringConstraints(min_length=43, max_length=43, pattern=B64URL)]


class OfficerRecordRequest(_Strict):
    """`PUT /officers/{officer_id}`: the whole registry record (a replace, not a patch).

    Every writable field must be present, `null` clearing an optional one: a field left out is
    refused rather than silently cleared (red team, issue 13), as `registry import` requires every
    column. `force` and `officer_id` come from the caller's token and the path, never the body."""

    # A missing field's message (see `parse`): what a PUT replaces, and how to clear a field.
    missing_field_message: ClassVar[str] = (
        "required: a PUT replaces every writable field of the record "
        "(given_name, family_name, rank, status, role, phone, photo, duty; null clears phone, photo or duty)"
    )

    given_name: Annotated[Text, StringConstraints(max_length=60)]
    family_name: Annotated[Text, StringConstraints(max_length=60)]
    rank: Literal[RANKS]  # type: ignore[valid-type]
    status: Literal["serving", "suspended", "left"]
    role: Literal["officer", "sergeant", "admin", "auditor", "control_room"]
    phone: Annotated[str, StringConstraints(pattern=E164)] | None = Field(
        description="E.164; required for sergeants (the request SMS goes there); null: no phone")
    photo: Annotated[str, StringConstraints(pattern=PHOTO_KEY)] | None = Field(
        description="Key of an object already in the force's photos bucket (the record pins its current "
                    "version and SHA-256); null: no photo")
    duty: Literal["available", "off_duty"] | None = Field(
        description="Sergeants only, and required for them; null for everyone else")

    @model_validator(mode="after")
    def _sergeant_rules(self) -> OfficerRecordRequest:
        if self.role == "sergeant" and self.phone is None:
            raise ValueError("phone: required for sergeants (E.164, e.g. +447700900123)")
        if self.role == "sergeant" and self.duty is None:
            raise ValueError("duty: required for sergeants (available or off_duty)")
        if self.role != "sergeant" and self.duty is not None:
            raise ValueError("duty: only sergeants have a duty status")
        return self

    def to_record(self, force: str, officer_id: str) -> RegistryRecord:
        return RegistryRecord(
            force=force,
            officer_id=officer_id,
            given_name=self.given_name,
            family_name=self.family_name,
            rank=self.rank,
            status=OfficerStatus(self.status),
            role=Role(self.role),
            phone=self.phone,
            photo=self.photo,
            duty=Duty(self.duty) if self.duty is not None else None,
        )


def parse(model: type[BaseModel], data: Any) -> Any:
    """Validate or raise ValidationFailed with `field.path: message` (SPEC error body)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown field"
        elif first["type"] == "missing":
            message = getattr(model, "missing_field_message", message)
        elif first["type"] == "value_error":
            message = str(first.get("ctx", {}).get("error", message))
        raise ValidationFailed(f"{path}: {message}" if path else message) from None


def valid_officer_id(officer_id: str) -> bool:
    return re.fullmatch(OFFICER_ID.strip("^$"), officer_id) is not None


# ---- response shapes -------------------------------------------------------------------------


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
