"""Ports: what the use cases need from the outside world, as small Protocols.

Each matches the real adapter wired in `bootstrap.py` (method for method, only the methods the
services call) and the in-memory fake in `tests/fakes/`; `tests/contract/` runs the same assertions
against both, so the fakes cannot drift. Pure typing: importing this module imports no adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .domain.clock import Clock

if TYPE_CHECKING:
    from .adapters.dynamodb import ConsultationMark
    from .domain.escalation import Timer
    from .domain.registry import Duty, PhotoObject, RegistryRecord
    from .domain.verification import Status, Verification

__all__ = [
    "AlertPublisher",
    "AuditEvent",
    "AuditLog",
    "Clock",
    "Envelope",
    "IdFactory",
    "Meetings",
    "PhotoLinks",
    "PhotoStore",
    "RateLimiter",
    "Registry",
    "SergeantNotifier",
    "TimerScheduler",
    "VerificationStore",
]

# A new verification id, audit event id or public reference, each call a fresh one.
IdFactory = Callable[[], str]

# An audit event as stored: its S3 key and its chained body.
AuditEvent = tuple[str, dict[str, Any]]


class VerificationStore(Protocol):
    """Verifications and their audit chains, written with optimistic, conditional transactions."""

    def get(self, verification_id: str) -> Verification | None: ...

    def find_id_by_reference(self, reference: str) -> str | None: ...

    def active_verification_id(self, force: str, officer_id: str) -> str | None: ...

    def list_by_status(self, force: str, status: Status, limit: int = 50) -> list[Verification]: ...

    def recent_starts(self, force: str, officer_id: str) -> tuple[list[str], int]: ...

    def create(
        self,
        verification: Verification,
        events: list[AuditEvent],
        recent_starts: tuple[list[str], int] | None = None,
    ) -> None:
        """ActiveVerificationExists / ReferenceTaken / ConcurrentUpdate when a claim is taken."""
        ...

    def save_transition(
        self,
        before: Verification,
        after: Verification,
        events: list[AuditEvent],
        consultation: ConsultationMark | None = None,
    ) -> None:
        """ConcurrentUpdate unless the stored record is still `before` (status and audit seq)."""
        ...

    def consultation_logged(self, verification_id: str, reader: str, now_epoch: int) -> bool: ...

    def delete_personal_copy(self, verification: Verification) -> None: ...

    def last_attempt_event(self, attempt_id: str) -> dict[str, Any] | None: ...

    def append_attempt_event(self, attempt_id: str, key: str, event: dict[str, Any]) -> None: ...

    def record_attempt(self, attempt_id: str, events: list[AuditEvent]) -> None: ...

    def record_attempts(self, chains: list[tuple[str, list[AuditEvent]]]) -> None: ...


class Registry(Protocol):
    """The force registry: who serves, in which role, and which sergeants can be texted."""

    def get(self, force: str, officer_id: str) -> RegistryRecord | None: ...

    def in_force(self, force: str) -> list[RegistryRecord]: ...

    def put(self, record: RegistryRecord) -> None: ...

    def put_many(self, records: list[RegistryRecord]) -> None: ...

    def available_sergeants(self, force: str) -> list[RegistryRecord]: ...

    def pin_photo(self, record: RegistryRecord) -> bool:
        """Store the photo version `record` names onto a record that still has its photo unpinned."""
        ...

    def mark_notified(self, force: str, officer_ids: list[str], at: str) -> None: ...

    def set_duty(self, force: str, officer_id: str, duty: Duty) -> bool:
        """False if the person is not a serving sergeant."""
        ...


class SergeantNotifier(Protocol):
    """Texts a sergeant; returns the provider's message id."""

    def send_sms(self, phone: str, message: str) -> str: ...


class AlertPublisher(Protocol):
    """Publishes a control-room alert (`alert` carries at least `type` and `force`)."""

    def publish(self, subject: str, alert: dict[str, Any]) -> str: ...


class Meetings(Protocol):
    """One video meeting per verification, one attendee per participant."""

    def create_meeting(self, verification_id: str) -> dict[str, Any]: ...

    def create_attendee(self, meeting_id: str, external_user_id: str) -> dict[str, Any]: ...

    def remove_attendee(self, meeting_id: str, external_user_id: str) -> bool: ...

    def delete_meeting(self, meeting_id: str) -> bool: ...


class TimerScheduler(Protocol):
    """Arms a timer (delivered at least once, at or before its due time)."""

    def schedule(self, timer: Timer) -> None: ...


class AuditLog(Protocol):
    """Write-once audit objects: `write` is False when the key is already taken."""

    def write(self, key: str, body: bytes) -> bool: ...

    def read(self, key: str) -> bytes | None: ...


class PhotoLinks(Protocol):
    """Short-lived links to registry photos."""

    def url_for(self, key: str | None, version_id: str | None = None) -> str | None: ...

    def origin(self) -> str:
        """Scheme and host every link points at (the pages' `img-src`)."""
        ...


class PhotoStore(Protocol):
    """Registry photos, versioned."""

    def put(self, key: str, body: bytes, content_type: str, sha256_hex: str) -> str | None: ...

    def current(self, key: str, max_bytes: int) -> PhotoObject | None: ...


class Envelope(Protocol):
    """Per-chain data keys sealing personal data inside audit events, erasable after retention."""

    def create_key(self, chain_id: str, created_day: str) -> None: ...

    def ensure_key(self, chain_id: str, created_day: str) -> None: ...

    def seal(self, chain_id: str, value: Any) -> dict[str, str] | None: ...

    def open(self, chain_id: str, sealed: dict[str, str] | None) -> Any: ...

    def erase(self, chain_id: str) -> bool: ...

    def chains_created_on(self, day: str) -> list[str]: ...

    def forget_retention_entry(self, day: str, chain_id: str) -> None: ...

    def postpone_retention_entry(self, day: str, chain_id: str, to_day: str) -> bool: ...


class RateLimiter(Protocol):
    """Fixed-window counters per key."""

    def allow(self, key: str, limit: int, window_seconds: int, now_epoch: float) -> bool: ...

    def exhausted(self, key: str, limit: int, window_seconds: int, now_epoch: float) -> bool: ...
