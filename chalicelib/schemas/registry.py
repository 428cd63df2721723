"""The force's registry (SPEC §7.2): an officer's whole record, and a sergeant's duty status."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from ..domain.registry import RANKS, Duty, OfficerStatus, RegistryRecord, Role
from .base import Text, _Strict
from .patterns import E164, PHOTO_KEY


class DutyRequest(_Strict):
    status: Literal["available", "off_duty"]


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
