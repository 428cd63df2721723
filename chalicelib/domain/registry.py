"""The force registry: who is a serving officer, who is a sergeant on duty.

The registry, not the caller's token, decides whether someone may take part.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from .errors import NotOnDuty, OfficerNotServing
from .push import PushSubscription
from .verification import OfficerSummary


class OfficerStatus(enum.StrEnum):
    SERVING = "serving"
    SUSPENDED = "suspended"
    LEFT = "left"


class Role(enum.StrEnum):
    OFFICER = "officer"
    SERGEANT = "sergeant"
    ADMIN = "admin"
    AUDITOR = "auditor"
    # The force's control room (SPEC §7.3): watches checks and alerts, confirms by radio.
    CONTROL_ROOM = "control_room"


class Duty(enum.StrEnum):
    AVAILABLE = "available"
    OFF_DUTY = "off_duty"


# Ranks of the police forces of England, Wales and Scotland, as written on warrant cards.
# A registry photo must be smaller than this: what an import uploads and what a sergeant is shown.
MAX_PHOTO_BYTES = 5 * 1024 * 1024

RANKS = (
    "PC", "DC", "PS", "DS", "Insp", "DI", "ChInsp", "DCI", "Supt", "DSupt", "ChSupt", "DCS",
    "ACC", "DCC", "CC", "Cmdr", "DAC", "AC", "DepCommr", "Commr", "PCSO", "SC",
)


@dataclass(frozen=True)
class PhotoObject:
    """One stored version of a photo: what a record pins and a disclosure names (SPEC §7.5)."""

    version_id: str | None
    sha256: str | None  # None: too large to have been read
    size: int


@dataclass(frozen=True)
class RegistryRecord:
    """One person in one force's registry."""

    force: str
    officer_id: str
    given_name: str
    family_name: str
    rank: str
    status: OfficerStatus
    role: Role
    phone: str | None = None
    photo: str | None = None
    duty: Duty | None = None
    # When this sergeant was last texted (ISO 8601), so waves share the load fairly.
    last_notified_at: str | None = None
    # Which S3 object version `photo` is, and its SHA-256 (hex), when known (the import uploads
    # photos and records both; an unchanged photo is recognised by its hash and not sent again).
    photo_version_id: str | None = None
    photo_sha256: str | None = None
    # Signs that a sergeant answers now (ISO 8601): their page was last open (any signed-in request)
    # and they last accepted a check. Hints for who is texted first, kept like last_notified_at.
    last_seen_at: str | None = None
    last_accepted_at: str | None = None
    # The sergeant's Web Push subscription, if they opted in on their page (domain/push.py). Never
    # shown by the API: its endpoint lets anyone holding it address that browser.
    push: PushSubscription | None = None

    @property
    def is_serving(self) -> bool:
        return self.status is OfficerStatus.SERVING

    @property
    def is_available_sergeant(self) -> bool:
        return self.role is Role.SERGEANT and self.is_serving and self.duty is Duty.AVAILABLE

    def as_dict(self) -> dict[str, str | None]:
        """Plain JSON-ready fields (enums as their values): one shape for storage and the API."""
        return {
            "force": self.force,
            "officer_id": self.officer_id,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "rank": self.rank,
            "status": self.status.value,
            "role": self.role.value,
            "phone": self.phone,
            "photo": self.photo,
            "duty": self.duty.value if self.duty else None,
        }

    def photo_identity(self) -> dict[str, str | None] | None:
        """The exact photo the record points at (SPEC §7.5 shape), or None without a photo."""
        if not self.photo:
            return None
        return {"key": self.photo, "version_id": self.photo_version_id, "sha256": self.photo_sha256}

    @property
    def photo_pinned(self) -> bool:
        """Does the record name one version of its photo (so links and the audit can name it too)?"""
        return bool(self.photo and self.photo_version_id and self.photo_sha256)

    def pin_photo(self, stored: PhotoObject) -> RegistryRecord:
        return dataclasses.replace(self, photo_version_id=stored.version_id, photo_sha256=stored.sha256)

    def summary(self) -> OfficerSummary:
        return OfficerSummary(
            officer_id=self.officer_id,
            rank=self.rank,
            given_name=self.given_name,
            family_name=self.family_name,
        )


def ensure_serving(record: RegistryRecord | None) -> RegistryRecord:
    """Refuse anyone the registry does not list as serving (unknown counts as not serving)."""
    if record is None or not record.is_serving:
        raise OfficerNotServing("The force registry does not list you as a serving officer.")
    return record


def ensure_available_sergeant(record: RegistryRecord | None) -> RegistryRecord:
    """A sergeant may accept only while serving, registered as a sergeant, and available."""
    serving = ensure_serving(record)
    if serving.role is not Role.SERGEANT:
        raise NotOnDuty("Only sergeants on duty can accept verifications.")
    if serving.duty is not Duty.AVAILABLE:
        raise NotOnDuty("Set yourself as available before accepting verifications.")
    return serving


def sergeants_to_notify(
    candidates: list[RegistryRecord], requesting_officer_id: str
) -> list[RegistryRecord]:
    """Available serving sergeants with a phone, never the officer asking to be verified."""
    return [
        record
        for record in candidates
        if record.is_available_sergeant
        and record.phone
        and record.officer_id != requesting_officer_id
    ]


def changed_fields(before: RegistryRecord | None, after: RegistryRecord) -> list[str]:
    """Names of the fields `after` changes (for a new record: those it sets). A photo counts as
    changed when its key, version or hash differs (a new version under the same key included)."""
    old = before.as_dict() if before else {}
    fields = {k for k, v in after.as_dict().items() if old.get(k) != v and k not in ("force", "officer_id")}
    if before is not None and before.photo_identity() != after.photo_identity():
        fields.add("photo")
    return sorted(fields)
