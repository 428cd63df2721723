"""Sergeant duty and the force registry (admins change it, admins and auditors read it).

Every change of a registry record - `PUT /officers/{id}` or `registry import` - goes through
`apply_registry_change`: the record, the person's sign-in account and the audit event together.
"""

import dataclasses
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.access import Principal, require_role
from ..domain.audit import Actor, EventType, PendingEvent, reason_for
from ..domain.errors import (
    NotFound,
    OfficerNotServing,
    ValidationFailed,
)
from ..domain.registry import MAX_PHOTO_BYTES, Duty, PhotoObject, RegistryRecord, Role, changed_fields
from ..domain.sign_in import AccountChange, SignInAccount, account_changes, username_for
from ..observability import error_code, logger
from ..schemas.patterns import valid_officer_id
from ..schemas.registry import DutyRequest, OfficerRecordRequest

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

from .handing_back import hand_back_checks_accepted_by
from .registry_gate import own_sergeant_record
from .unit_of_work import actor_of, record_standalone_event, standalone_event


@dataclass(frozen=True)
class DutySet:
    """A sergeant's duty as now stored."""

    officer_id: str
    duty: Duty


def set_duty(deps: "Dependencies", principal: Principal, request: DutyRequest) -> DutySet:
    """A serving sergeant goes available or off duty (only available sergeants are texted)."""
    own_sergeant_record(deps, principal)
    duty = Duty(request.status)
    if not deps.registry.set_duty(principal.force, principal.officer_id, duty):
        # The record changed between the read and the write (e.g. suspended meanwhile).
        raise OfficerNotServing("The force registry does not list you as a serving sergeant.")
    return DutySet(principal.officer_id, duty)


def put_officer(
    deps: "Dependencies", principal: Principal, officer_id: str, request: OfficerRecordRequest
) -> RegistryRecord:
    """An admin replaces one registry record of their own force."""
    require_role(principal, Role.ADMIN)
    if not valid_officer_id(officer_id):
        raise ValidationFailed("officer_id: 1-32 letters, digits, '-' or '_'")
    record = request.to_record(principal.force, officer_id)
    before = deps.registry.get(principal.force, officer_id)
    if before is not None and before.photo == record.photo:
        # Same photo key: still the same object version (the request cannot name a version).
        record = dataclasses.replace(record, photo_version_id=before.photo_version_id, photo_sha256=before.photo_sha256)
    elif record.photo is not None:
        record = record.pin_photo(_photo_to_pin(deps, record.photo))
    apply_registry_change(deps, actor_of(principal), before, record)
    return record


def _photo_to_pin(deps: "Dependencies", key: str) -> PhotoObject:
    """The version now at `key`, which the record will name (SPEC §7.5): links show that version
    and `registry.changed`/`registry.disclosed` name it, so a later upload under the key is not
    what a sergeant is shown. No object, nothing to pin: refused, nothing stored."""
    stored = deps.photo_store.current(key, MAX_PHOTO_BYTES)
    if stored is None:
        raise ValidationFailed("photo: no such photo in the force's photos bucket (upload it with registry import)")
    if stored.sha256 is None:
        raise ValidationFailed("photo: the object is 5 MB or more; photos must be under 5 MB")
    return stored


def get_officer(deps: "Dependencies", principal: Principal, officer_id: str) -> RegistryRecord:
    """An admin or auditor reads one record of their force's registry (an audited consultation)."""
    require_role(principal, Role.ADMIN, Role.AUDITOR)
    record = deps.registry.get(principal.force, officer_id) if valid_officer_id(officer_id) else None
    if record is None:
        raise NotFound("No such officer in your force's registry.")
    _audit_registry_event(deps, principal, EventType.REGISTRY_VIEWED, officer_id, {})
    return record


def _audit_registry_event(
    deps: "Dependencies", principal: Principal, event_type: str, officer_id: str, details: dict[str, Any]
) -> None:
    """Registry consultations and changes: one-event chains (ids and field names only, no values)."""
    data = {"officer_id": officer_id, **details, "reason": reason_for(principal.role.value if principal.role else "")}
    record_standalone_event(deps, principal.force, deps.new_id(), PendingEvent(event_type, actor_of(principal), data))


# ---- one registry record changes ---------------------------------------------------------------


class RegistryWrites(Protocol):
    """Where a change's record and audit event are written: at once, or batched by an import."""

    def put_record(self, record: RegistryRecord, *, now: bool = False) -> None: ...

    def record_event(self, chain_id: str, keyed_event: tuple[str, dict[str, Any]]) -> None: ...


class WriteNow:
    """One change, written as it happens (PutItem, then its one-event audit chain)."""

    def __init__(self, deps: "Dependencies") -> None:
        self._deps = deps

    def put_record(self, record: RegistryRecord, *, now: bool = False) -> None:
        self._deps.registry.put(record)

    def record_event(self, chain_id: str, keyed_event: tuple[str, dict[str, Any]]) -> None:
        self._deps.verifications.record_attempt(chain_id, [keyed_event])


class BatchedWrites:
    """Many changes: records, then their audit events, 25 per BatchWriteItem; `flush()` at the end.

    Records go before the events of the same batch, so an audit event never describes a record
    that was not stored. A run stopped part-way leaves at most one batch unwritten: rerunning the
    import finds those records still different and applies (and audits) them again."""

    def __init__(self, deps: "Dependencies", size: int = 25) -> None:
        self._deps = deps
        self._size = size
        self._lock = threading.Lock()  # an import changes several people at once
        self._records: list[RegistryRecord] = []
        self._events: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = []

    def put_record(self, record: RegistryRecord, *, now: bool = False) -> None:
        """Batched, unless `now`: someone leaving service is stored before their account is touched."""
        if now:
            self._deps.registry.put(record)
            return
        with self._lock:
            self._records.append(record)

    def record_event(self, chain_id: str, keyed_event: tuple[str, dict[str, Any]]) -> None:
        with self._lock:
            self._events.append((chain_id, [keyed_event]))
            full = len(self._events) >= self._size or len(self._records) >= self._size
        if full:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            records, events = self._records, self._events
            self._records, self._events = [], []
        if records:
            self._deps.registry.put_many(records)
        if events:
            self._deps.verifications.record_attempts(events)


@dataclass(frozen=True)
class RegistryChange:
    """What `apply_registry_change` did: a new record?, which fields, what the account went through."""

    created: bool
    changed_fields: tuple[str, ...]
    account: tuple[AccountChange, ...]

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changed_fields) or bool(self.account)

    @property
    def disabled(self) -> bool:
        return AccountChange.DISABLED in self.account


_LOOK_UP: Any = object()  # `account` not given: apply_registry_change reads it


def apply_registry_change(
    deps: "Dependencies",
    actor: Actor,
    before: RegistryRecord | None,
    after: RegistryRecord,
    *,
    email: str | None = None,
    account: SignInAccount | None = _LOOK_UP,
    writes: RegistryWrites | None = None,
) -> RegistryChange:
    """One registry record changes from `before` (None: a new person) to `after`; the one path for
    `PUT /officers/{id}` and `registry import`. In this order:

    1. the record is stored, so the registry decides at once (a suspended officer's next request
       is refused whatever their token says);
    2. the person's Cognito account follows it: group = role and no other, enabled only while
       serving; suspended or left: signed out everywhere (AdminUserGlobalSignOut) and disabled.
       With an `email` (imports) a missing account is created and, if serving, invited; without
       one (the API) only an existing account of this force and officer id is changed;
    3. the change is audited as `registry.changed`: field names and what the account went
       through, never values (and the photo's key/version/hash when it changes, SPEC §7.5);
    4. a sergeant who stopped serving hands back the checks they had accepted.

    If nothing differs, nothing is written, called or audited. `account` is the person's account
    when the caller has read it already (an import reads them all at once); else it is looked up.
    If the account cannot be changed, the audit event says so and the error is raised.
    """
    if before is not None:
        # Who was texted and who answers lately are the service's own notes, not the admin's.
        # Their push subscription stays while they serve (it is theirs, given on their page).
        after = dataclasses.replace(after, last_notified_at=before.last_notified_at,
                                    last_seen_at=before.last_seen_at, last_accepted_at=before.last_accepted_at,
                                    push=before.push if after.is_serving and after.role is before.role else None)
    if account is _LOOK_UP:
        account = _own_account(deps, after)
    fields = changed_fields(before, after)
    planned = account_changes(account, after, email)
    if before is not None and not fields and not planned:
        return RegistryChange(False, (), ())
    writes = writes or WriteNow(deps)
    if before is None or fields:
        # A suspension takes effect in the app before anything else happens, even in an import.
        writes.put_record(after, now=before is not None and before.is_serving and not after.is_serving)
    done: list[AccountChange] = []
    failure: str | None = None
    try:
        _change_account(deps, account, after, email, planned, done)
    except Exception as error:
        failure = error_code(error)
        raise
    finally:
        data: dict[str, Any] = {"officer_id": after.officer_id, "created": before is None, "changed_fields": fields}
        if done:
            data["sign_in"] = [change.value for change in done]
        if failure:
            data["sign_in_failed"] = failure
        if "photo" in fields:
            data["photo"] = {"from": before.photo_identity() if before else None, "to": after.photo_identity()}
        data["reason"] = "registry_administration"
        pending = PendingEvent(EventType.REGISTRY_CHANGED, actor, data)
        chain_id = deps.new_id()
        writes.record_event(chain_id, standalone_event(deps, after.force, chain_id, pending))
    deps.registry_cache.forget(after.force, after.officer_id)
    if before is not None and before.role is Role.SERGEANT and before.is_serving and not after.is_serving:
        # 4. What they had accepted goes to another sergeant (SPEC §7.2): they can no longer decide it.
        hand_back_checks_accepted_by(deps, after.force, after.officer_id)
    return RegistryChange(before is None, tuple(fields), tuple(done))


def _own_account(deps: "Dependencies", record: RegistryRecord) -> SignInAccount | None:
    """The person's account, if the pool has one made for this force and officer id."""
    account = deps.users.get(username_for(record.officer_id))
    if account is not None and not account.belongs_to(record.force, record.officer_id):
        # Another force's person (pools are per force in AWS; the local stack shares one): hands off.
        logger.warning("sign_in_account_not_this_officer", extra={"officer_id": record.officer_id})
        return None
    return account


def _change_account(deps: "Dependencies", account: SignInAccount | None, record: RegistryRecord, email: str | None,
                    planned: list[AccountChange], done: list[AccountChange]) -> None:
    username = account.username if account is not None else username_for(record.officer_id)
    groups = account.groups if account is not None else frozenset()
    for change in planned:
        if change is AccountChange.CREATED:
            if email is None:
                raise AssertionError("planning an account creation needs an email")
            deps.users.create(username, record.force, record.officer_id, email, record.role.value,
                              invite=record.is_serving, who=_invitee(record, email))
        elif change is AccountChange.EMAIL:
            if email is None:
                raise AssertionError("planning an email change needs an email")
            deps.users.set_email(username, email)
        elif change is AccountChange.GROUP:
            deps.users.set_group(username, groups, record.role.value)
        elif change is AccountChange.ENABLED:
            deps.users.enable(username)
        elif change is AccountChange.SIGNED_OUT:
            deps.users.sign_out_everywhere(username)
        elif change is AccountChange.DISABLED:
            deps.users.disable(username)
        done.append(change)


def _invitee(record: RegistryRecord, email: str) -> dict[str, Any]:
    """Who an invitation is for (the local invitation file shows it; Cognito's email does not)."""
    return {"force": record.force, "officer_id": record.officer_id, "rank": record.rank,
            "given_name": record.given_name, "family_name": record.family_name,
            "role": record.role.value, "email": email}
