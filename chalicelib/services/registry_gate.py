"""The registry decides on every request (SPEC §7.2), not the token the caller still holds.

A token lives for an hour after sign-in; the registry is where a suspension takes effect. Every
authenticated request is admitted here: a caller whose record is missing, suspended or left gets
403 officer_not_serving (audited, and nothing else stored), a token whose role differs from the
record gets 403 forbidden. Answers are kept per container for `registry_cache_seconds` (at most
60 s), so a change takes effect within a minute everywhere without a registry read per request.
"""

import dataclasses
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..domain.access import Principal, require_role
from ..domain.audit import EventType
from ..domain.clock import Clock
from ..domain.errors import Forbidden, OfficerNotServing
from ..domain.registry import RegistryRecord, Role, ensure_serving
from .handing_back import hand_back_checks_accepted_by
from .refusals import record_refusal

if TYPE_CHECKING:
    from ..bootstrap import Dependencies


class RegistryCache:
    """Registry records by (force, officer id), each trusted for `ttl_seconds` after it was read."""

    def __init__(self, registry: Any, clock: Clock, ttl_seconds: int) -> None:
        self._registry = registry
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)
        self._entries: dict[tuple[str, str], tuple[RegistryRecord | None, datetime]] = {}
        self._lock = threading.Lock()

    def lookup(self, force: str, officer_id: str) -> tuple[RegistryRecord | None, bool]:
        """The record (None if unknown) and whether it was read just now (not from the cache)."""
        now = self._clock()
        key = (force, officer_id)
        with self._lock:
            cached = self._entries.get(key)
        if cached is not None and now < cached[1]:
            return cached[0], False
        record = self._registry.get(force, officer_id)
        with self._lock:
            self._entries[key] = (record, now + self._ttl)
        return record, True

    def remember(self, record: RegistryRecord) -> None:
        """This container has just changed `record` itself: keep the new one until the entry expires."""
        with self._lock:
            cached = self._entries.get((record.force, record.officer_id))
            if cached is not None:
                self._entries[(record.force, record.officer_id)] = (record, cached[1])

    def forget(self, force: str, officer_id: str) -> None:
        """This container changed the record: its next request reads it again."""
        with self._lock:
            self._entries.pop((force, officer_id), None)


def admit(deps: "Dependencies", principal: Principal, route: str) -> RegistryRecord:
    """Let a verified caller in only if the registry lists them, serving, in the token's role."""
    if principal.role is None:
        raise Forbidden("Your sign-in carries no role this service knows.")  # SPEC §2: nothing at all
    record, read_now = deps.registry_cache.lookup(principal.force, principal.officer_id)
    if record is None or not record.is_serving:
        _audit_refusal(deps, principal, EventType.NOT_SERVING_ATTEMPT, {
            "route": route, "registry_status": record.status.value if record else "unknown",
        })
        if read_now and principal.role is Role.SERGEANT:
            hand_back_checks_accepted_by(deps, principal.force, principal.officer_id)
        raise OfficerNotServing("The force registry does not list you as serving: ask your control room.")
    if principal.role is not record.role:
        _audit_refusal(deps, principal, EventType.ACCESS_REFUSED, {
            "route": route, "reason": "role_differs_from_registry", "registry_role": record.role.value,
        })
        raise Forbidden("Your sign-in does not match your role in the force registry: sign in again.")
    if record.role is Role.SERGEANT:
        record = _note_page_open(deps, record)
    return record


def _note_page_open(deps: "Dependencies", record: RegistryRecord) -> RegistryRecord:
    """A sergeant's signed-in request means their page is open: those are texted first
    (domain/escalation.py: answer_tier). Written at most once per SEEN_REFRESH, conditionally."""
    from ..domain.clock import iso_z
    from ..domain.escalation import SEEN_REFRESH, seen_is_stale

    now = deps.clock()
    if not seen_is_stale(record.last_seen_at, now):
        return record
    at = iso_z(now) or ""
    deps.registry.mark_seen(record.force, record.officer_id, at, iso_z(now - SEEN_REFRESH) or "")
    # Written or not (another container was first), the page is open: no write again for a while.
    seen = dataclasses.replace(record, last_seen_at=at)
    deps.registry_cache.remember(seen)
    return seen


def _audit_refusal(deps: "Dependencies", principal: Principal, event_type: str, data: dict[str, Any]) -> None:
    """Every refused request is audited, with ids, the route and the registry's answer only: the
    next event of the caller's refusal chain of the day (a page that keeps polling extends one
    chain instead of starting one per request; services/refusals.py)."""
    record_refusal(deps, principal, event_type, {"officer_id": principal.officer_id, **data})


def own_sergeant_record(deps: "Dependencies", principal: Principal) -> RegistryRecord:
    """The caller's own record, fresh (not the gate's cache): they must be a serving sergeant, by
    token and by registry, to change what is theirs as a sergeant (duty, push subscription)."""
    require_role(principal, Role.SERGEANT)
    record = ensure_serving(deps.registry.get(principal.force, principal.officer_id))
    if record.role is not Role.SERGEANT:
        raise Forbidden("The force registry does not list you as a sergeant.")
    return record
