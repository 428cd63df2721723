"""Refused requests: every one audited, none of them a flood (red team, issue 13 finding 1).

Each refused start used to publish a control-room alert, create a KMS data key and start an audit
chain of its own, without limit: 15 attempts in 0.7 s gave 15 alerts and 15 keys. Now:
- a caller's refusals of one UTC day are one audit chain, `refusals-{force}-{officer id}-{day}`
  (under that day's date in the bucket); each refusal is the next normal event of it, written only
  if its seq is still free, so concurrent refusals extend the chain and never fork it;
- what a refused start says about where the officer was is sealed under that chain's data key,
  made with its first sealed event: at most one data key per caller per day;
- the control room hears at most once per caller and kind per `REFUSAL_ALERT_WINDOW_SECONDS`; the
  alert says how many attempts it covers (this one and those folded since the previous alert). The
  window is claimed by a conditional write, so concurrent refusals raise one alert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..adapters.dynamodb.keys import refusal_chain_id, refusal_fold
from ..domain.access import Principal
from ..domain.alerts import AlertKind
from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.clock import iso_z, utc_day
from ..domain.errors import ConcurrentUpdate
from .side_effects import new_alert, raise_alert
from .unit_of_work import actor_of, standalone_event

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

REFUSAL_ALERT_WINDOW_SECONDS = 600
# Concurrent refusals of one caller each retry after the one that took their seq.
MAX_APPEND_ATTEMPTS = 10


def record_refusal(
    deps: Dependencies,
    principal: Principal,
    event_type: str,
    data: dict[str, Any],
    *,
    personal: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """Append one refusal to the caller's chain of the day; returns (chain id, seq).

    `personal` values (where the officer was) are sealed under the chain's own data key.
    """
    day = utc_day(deps.clock())
    chain_id = refusal_chain_id(principal.force, principal.officer_id, day)
    if personal is not None:
        deps.envelope.ensure_key(chain_id, day)
        data = {**data, **{name: deps.envelope.seal(chain_id, value) for name, value in personal.items()}}
    pending = PendingEvent(event_type, actor_of(principal), data)
    return chain_id, append_to_chain(deps, principal.force, chain_id, pending)


def append_to_chain(deps: Dependencies, force: str, chain_id: str, pending: PendingEvent) -> int:
    """The next event of a refusal chain, after whatever concurrent refusals appended; its seq."""
    for _ in range(MAX_APPEND_ATTEMPTS):
        last = deps.verifications.last_attempt_event(chain_id)
        key, event = standalone_event(deps, force, chain_id, pending, after=[last] if last else None)
        try:
            deps.verifications.append_attempt_event(chain_id, key, event)
            return int(event["seq"])
        except ConcurrentUpdate:
            continue  # another refusal took this seq: chain after it
    raise ConcurrentUpdate(chain_id)


def refuse_start(
    deps: Dependencies,
    principal: Principal,
    event_type: str,
    kind: str,
    details: dict[str, Any],
    location: dict[str, Any] | None,
    area: str | None,
) -> None:
    """A refused start (not serving, over the hourly limit): audited every time, alerted folded."""
    now = deps.clock()
    at = iso_z(now) or ""
    fold_key = refusal_fold(principal.force, principal.officer_id, kind)
    fold = deps.alert_folds.fold(fold_key, int(now.timestamp()), at, REFUSAL_ALERT_WINDOW_SECONDS)
    chain_id, seq = record_refusal(
        deps, principal, event_type,
        {"officer_id": principal.officer_id, **details, "alert": "raised" if fold.alert else "folded"},
        personal={"location": location, "area": area},
    )
    if not fold.alert:
        return
    attempts = f" ({fold.attempts} attempts)" if fold.attempts > 1 else ""
    # One record per published alert: the folded attempts are counted in it, never stored apart.
    alert = new_alert(deps, AlertKind(kind), principal.force, chain_id,
                      officer=_as_registry_says(deps, principal), location=location, area=area)
    sent = raise_alert(
        deps,
        alert,
        f"Safe Connection: {kind.replace('_', ' ')} - {principal.officer_id} tried to start a check{attempts}",
        {
            "type": kind,
            "force": principal.force,
            "attempt_id": chain_id,
            "audit_seq": seq,
            "officer_id": principal.officer_id,
            **details,
            "location": location,
            "area": area,
            "at": at,
            # Attempts this alert stands for: this one and those folded since the previous alert.
            "attempts": fold.attempts,
            "previous_alert_at": fold.previous_alert_at,
        },
    )
    if not sent:
        deps.alert_folds.reopen(fold_key, fold, at)
        failed = PendingEvent(EventType.ALERT_FAILED, SYSTEM, {"alert_type": kind})
        append_to_chain(deps, principal.force, chain_id, failed)


def _as_registry_says(deps: Dependencies, principal: Principal) -> dict[str, Any]:
    """Who tried, as the registry names them (an unknown caller has only the id they claimed)."""
    record = deps.registry.get(principal.force, principal.officer_id)
    if record is None:
        return {"officer_id": principal.officer_id, "rank": None, "given_name": None, "family_name": None}
    return {"officer_id": record.officer_id, "rank": record.rank, "given_name": record.given_name,
            "family_name": record.family_name}
