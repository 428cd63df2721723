"""Ports: what the use cases need from the outside world, as small Protocols.

Each matches the real adapter wired in `bootstrap.py` (method for method, only the methods the
services call) and the in-memory fake in `tests/fakes/`; `tests/contract/` runs the same assertions
against both, so the fakes cannot drift. Pure typing: importing this module imports no adapter.

Where each port is implemented (`Dependencies` in bootstrap.py builds it; go-to-definition on a
call such as `deps.verifications.save_transition` lands here, the adapter named below does the work):

  VerificationStore   adapters/dynamodb/verifications.py   DynamoVerificationRepository
  Registry            adapters/dynamodb/registry.py        DynamoRegistry
  SergeantNotifier    adapters/sns.py                      SnsSergeantNotifier
  WebPush             adapters/web_push.py                 VapidWebPush
  AlertPublisher      adapters/sns.py                      SnsAlertPublisher
  AlertStore          adapters/dynamodb/alerts.py          DynamoAlertStore
  Meetings            adapters/chime.py                    ChimeMeetings (local: local/chime_standin.py)
  TimerScheduler      adapters/sqs_timers.py               SqsTimers
  AuditLog            adapters/s3_audit.py                 S3AuditLog
  PhotoLinks          adapters/s3_audit.py                 S3PhotoLinks
  PhotoStore          adapters/s3_audit.py                 S3PhotoStore
  Envelope            adapters/envelope.py                 KmsEnvelope
  RateLimiter         adapters/rate_limits.py              DynamoRateLimiter
  UserDirectory       adapters/cognito_users.py            CognitoUserDirectory
  AuditIndex          adapters/dynamodb/audit_index.py     DynamoAuditIndex
  AuditOutbox         adapters/audit_outbox.py             DynamoAuditOutbox
  AlertFolds          adapters/alert_folds.py              DynamoAlertFolds
  LookupPasses        adapters/rate_limits.py              DynamoLookupPasses
  AddressPseudonyms   adapters/rate_limits.py              ClientAddressKeys
  DigestSigner        adapters/kms_signer.py               KmsDigestSigner
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from .domain.clock import Clock

if TYPE_CHECKING:
    from .adapters.alert_folds import Fold
    from .adapters.audit_outbox import Waiting
    from .adapters.dynamodb import ConsultationMark
    from .domain.alerts import Alert
    from .domain.escalation import Timer
    from .domain.outbox import OutboxItem
    from .domain.push import PushSubscription
    from .domain.registry import Duty, PhotoObject, RegistryRecord
    from .domain.sign_in import SignInAccount
    from .domain.verification import Status, Verification

__all__ = [
    "AddressPseudonyms",
    "AlertFolds",
    "AlertPublisher",
    "AlertStore",
    "AuditEvent",
    "AuditIndex",
    "AuditLog",
    "AuditOutbox",
    "Clock",
    "DigestSigner",
    "Envelope",
    "IdFactory",
    "LookupPasses",
    "Meetings",
    "PhotoLinks",
    "PhotoStore",
    "RateLimiter",
    "Registry",
    "SergeantNotifier",
    "TimerScheduler",
    "UserDirectory",
    "VerificationStore",
    "WebPush",
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

    def mark_seen(self, force: str, officer_id: str, at: str, unless_since: str) -> bool:
        """Record that a sergeant's page is open now, unless recorded at or after `unless_since`."""
        ...

    def mark_accepted(self, force: str, officer_id: str, at: str) -> bool:
        """Record when a sergeant last accepted a check (never earlier than what is stored)."""
        ...

    def set_duty(self, force: str, officer_id: str, duty: Duty) -> bool:
        """False if the person is not a serving sergeant."""
        ...

    def set_push(self, force: str, officer_id: str, subscription: PushSubscription | None,
                 only_if_endpoint: str | None = None) -> bool:
        """Store or remove a serving sergeant's push subscription (removal: only if still
        `only_if_endpoint`, when given). False if nothing was written."""
        ...


class WebPush(Protocol):
    """Web Push to sergeants' pages: the VAPID public key browsers subscribe with, receipts the
    service worker posts back, and sending one encrypted message."""

    def application_server_key(self) -> str: ...

    def receipt(self, verification_id: str, sergeant_id: str) -> str: ...

    def receipt_matches(self, verification_id: str, sergeant_id: str, receipt: str) -> bool: ...

    def send(self, subscription: PushSubscription, message: dict[str, str], ttl_seconds: int) -> None:
        """Raises PushSubscriptionGone if the push service says the subscription no longer exists,
        another exception if it did not take the message."""
        ...


class SergeantNotifier(Protocol):
    """Texts a sergeant; returns the provider's message id."""

    def send_sms(self, phone: str, message: str) -> str: ...


class AlertPublisher(Protocol):
    """Publishes a control-room alert (`alert` carries at least `type` and `force`)."""

    def publish(self, subject: str, alert: dict[str, Any]) -> str: ...


class AlertStore(Protocol):
    """Control-room alerts as records, stored before they are published (SPEC §7.3).

    A port because an alert must outlive a failed SNS call, be acknowledged exactly once (a
    conditional write), and be erased with the chain it is about.
    """

    def add(self, alert: Alert) -> None: ...

    def get(self, alert_id: str) -> Alert | None: ...

    def acknowledge(self, acknowledged: Alert) -> bool:
        """False if the stored alert is missing or already acknowledged (nothing is changed)."""
        ...

    def withdraw_acknowledgement(self, acknowledged: Alert) -> bool:
        """Undo exactly this acknowledgement (same time, same operator) when its audit event could not
        be written: an acknowledgement nobody can find in the audit log must not stand. False if the
        stored alert no longer carries it (nothing is changed)."""
        ...

    def board(self, force: str, unacknowledged_limit: int, acknowledged_limit: int) -> list[Alert]:
        """The force's unacknowledged alerts, newest first, then its latest acknowledged ones."""
        ...

    def redact_chain(self, chain_id: str) -> int:
        """Erase the personal data of every alert about `chain_id`; returns how many changed."""
        ...


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


class UserDirectory(Protocol):
    """The sign-in accounts (Cognito) of the registry's people.

    A port because the registry decides and the accounts are made to agree with it (one group, the
    role; enabled only while serving): the services say what to change, never how Cognito does it.
    """

    def get(self, username: str) -> SignInAccount | None: ...

    def accounts(self, usernames: Iterable[str]) -> dict[str, SignInAccount]:
        """The accounts of these usernames that exist (missing ones are left out)."""
        ...

    def create(self, username: str, force: str, officer_id: str, email: str, group: str, *,
               invite: bool, who: dict[str, Any]) -> SignInAccount: ...

    def set_email(self, username: str, email: str) -> None: ...

    def set_group(self, username: str, current: Iterable[str], group: str) -> None:
        """Exactly one group afterwards: `group`."""
        ...

    def enable(self, username: str) -> None: ...

    def sign_out_everywhere(self, username: str) -> None: ...

    def disable(self, username: str) -> None: ...


class AuditIndex(Protocol):
    """What the audit copier wrote to S3 on each day, per force: the daily digest's input.

    A port so the copier records its writes without knowing where the index lives, and the digest
    lists them without reading the bucket.
    """

    def record_many(self, day: str, written: list[tuple[str, str, str]]) -> None:
        """(force, object key, event hash) written on `day`; repeating an entry changes nothing."""
        ...

    def written(self, force: str, day: str) -> list[tuple[str, str]]: ...

    def forces_written(self, day: str) -> list[str]: ...


class AuditOutbox(Protocol):
    """The audit events stored with the state changes, not yet (or already) copied to S3.

    A port because the copier, the reconciler and erasure must tell which events reached S3, and
    mark an item copied or quarantined only if it is still exactly the item they judged.
    """

    def waiting(self, recorded_before: str | None = None) -> Iterator[Waiting]:
        """Events not yet in S3, oldest first."""
        ...

    def chain_items(self, pk: str) -> list[OutboxItem]:
        """Every item of one chain (`V#{id}` or `A#{id}`), in seq order."""
        ...

    def get(self, pk: str, seq: int) -> OutboxItem | None: ...

    def mark_copied(self, item: OutboxItem) -> bool:
        """False if the stored item is no longer exactly `item` (changed or deleted since)."""
        ...

    def mark_quarantined(self, item: OutboxItem, quarantine_key: str) -> bool: ...


class AlertFolds(Protocol):
    """At most one control-room alert per key (a caller and an alert kind) per window.

    A port because refusals must not flood the control room: of concurrent refusals exactly one
    claims the window and alerts, the others are counted into the next alert.
    """

    def fold(self, key: str, now_epoch: int, now_iso: str, window_seconds: int) -> Fold: ...

    def reopen(self, key: str, fold: Fold, alerted_at: str) -> None:
        """The alert could not be published: the next attempt alerts, reporting these attempts too."""
        ...


class LookupPasses(Protocol):
    """Pseudonymous (address, reference) pairs that found a check and may keep watching it.

    A port because a citizen watching her own check must never be rate limited by others behind
    the same address, and the pass must last no longer than the check's public view.
    """

    def holds(self, key: str) -> bool: ...

    def grant(self, key: str, until_epoch: int) -> None: ...


class AddressPseudonyms(Protocol):
    """Keyed pseudonyms of client addresses (personal data): only these are ever stored.

    A port because the key is a secret read once per container; the services need only stable,
    unlinkable names for an address and for an address watching one reference.
    """

    def address(self, address: str) -> str: ...

    def address_and_reference(self, address: str, reference: str) -> str: ...


class DigestSigner(Protocol):
    """Signs the daily audit digests with a key that never leaves KMS, and checks signatures.

    A port because whoever can write the audit bucket must still be unable to forge a digest:
    signing happens behind it, `key_id` names the key in the digest.
    """

    key_id: str

    def sign(self, message_digest: bytes) -> bytes: ...

    def verify(self, message_digest: bytes, signature: bytes, key_id: str | None = None) -> bool: ...
