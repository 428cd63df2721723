"""Use cases, one function each: start, view, list, accept, decide, cancel, duty, registry, public.

Each takes the Dependencies (bootstrap.py) and a verified Principal. State changes are optimistic:
read, let the domain decide, write conditionally with the audit events, re-read on a lost race.
Side effects on other services (SMS, Chime, alerts) happen after the state is safely stored.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from aws_lambda_powertools.metrics import single_metric

from .domain import references
from .domain.access import Principal, ensure_can_view, require_role
from .domain.audit import SYSTEM, Actor, EventType, PendingEvent, audit_key, chain, reason_for
from .domain.clock import iso_z, parse_iso
from .domain.errors import (
    ActiveVerificationExists,
    ConcurrentUpdate,
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    OfficerNotServing,
    RateLimited,
    ValidationFailed,
)
from .domain.public import advice_for
from .domain.registry import Duty, RegistryRecord, Role, ensure_available_sergeant, ensure_serving
from .domain.sms import sergeant_request_sms
from .domain.verification import Location, Outcome, Status, Verification
from .observability import MetricUnit, logger, metrics
from .schemas import (
    DutyRequest,
    OfficerRecordRequest,
    OutcomeRequest,
    StartVerificationRequest,
    registry_record_view,
    valid_officer_id,
    verification_view,
)

if TYPE_CHECKING:
    from .bootstrap import Dependencies

Change = Callable[[Verification], tuple[Verification, list[PendingEvent]]]
MAX_WRITE_ATTEMPTS = 5


# ---- audit plumbing ------------------------------------------------------------------------


def _actor(principal: Principal) -> Actor:
    return Actor(role=principal.role.value if principal.role else "unknown", officer_id=principal.officer_id)


def _keyed(verification: Verification, events: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (audit_key(verification.force, verification.created_at, verification.verification_id, e["seq"]), e)
        for e in events
    ]


def _stamp(deps: "Dependencies", before: Verification, after: Verification, pending: list[PendingEvent]):
    """Chain the pending events after `before`'s last event and record the new chain head."""
    events = chain(
        pending,
        verification_id=after.verification_id,
        force=after.force,
        after_seq=before.audit_seq,
        after_hash=before.audit_head,
        at=deps.clock(),
        new_event_id=deps.new_event_id,
    )
    if events:
        after = dataclasses.replace(after, audit_seq=events[-1]["seq"], audit_head=events[-1]["hash"])
    return after, _keyed(after, events)


def _apply(deps: "Dependencies", verification_id: str, change: Change) -> tuple[Verification, Verification]:
    """Read, change, conditionally write; on a lost race read again so the domain sees the winner."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        before = deps.verifications.get(verification_id)
        if before is None:
            raise NotFound("No such verification.")
        after, pending = change(before)
        after, events = _stamp(deps, before, after, pending)
        try:
            deps.verifications.save_transition(before, after, events)
            return before, after
        except ConcurrentUpdate:
            continue
    raise InvalidTransition("This verification is changing too quickly; try again.")


def _append(deps: "Dependencies", verification_id: str, pending: list[PendingEvent]) -> Verification:
    """Add events to a verification's chain without changing its state."""
    return _apply(deps, verification_id, lambda current: (current, pending))[1]


def _load_visible(deps: "Dependencies", principal: Principal, verification_id: str) -> Verification:
    verification = deps.verifications.get(verification_id)
    if verification is None:
        raise NotFound("No such verification.")
    ensure_can_view(principal, verification)
    return verification


def _close_meeting(deps: "Dependencies", verification: Verification) -> None:
    """Terminal states end the call. A Chime failure must not undo the stored decision."""
    if verification.meeting_id:
        _close_meeting_id(deps, verification.verification_id, verification.meeting_id)


def _close_meeting_id(deps: "Dependencies", verification_id: str, meeting_id: str) -> None:
    try:
        deps.meetings.delete_meeting(meeting_id)
    except Exception as error:  # noqa: BLE001 - logged; Chime also ends idle meetings by itself
        logger.error("meeting_delete_failed", extra={"verification_id": verification_id, "error": _error_code(error)})


def _alert(deps: "Dependencies", verification_id: str | None, subject: str, alert: dict[str, Any]) -> bool:
    """Tell the control room. Returns whether SNS took the message (the caller audits either way)."""
    try:
        deps.alerts.publish(subject, alert)
        return True
    except Exception as error:  # noqa: BLE001 - the state is already stored; the failure is audited
        logger.error("alert_publish_failed", extra={"verification_id": verification_id, "error": _error_code(error)})
        return False


def _utc_day(moment: Any) -> str:
    return moment.astimezone(timezone.utc).date().isoformat()


def _error_code(error: Exception) -> str:
    """A log-safe description of a failure: the AWS error code or the exception class, no message."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Code"):
        return str(response["Error"]["Code"])
    return type(error).__name__


def _location_dict(location: Location) -> dict[str, Any]:
    return {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m}


def _meeting_view(meeting: dict[str, Any] | None, attendee: dict[str, Any] | None) -> dict[str, Any] | None:
    if meeting is None or attendee is None:
        return None
    return {"Meeting": meeting, "Attendee": attendee}


# ---- officer: start ------------------------------------------------------------------------


def start_verification(deps: "Dependencies", principal: Principal, request: StartVerificationRequest) -> dict[str, Any]:
    """A serving officer asks to be verified: meeting, reference, first wave of texts, timers.

    Never a 500 because Chime is down: the check then starts in voice-fallback mode (no meeting;
    the SMS tells the sergeant to call the officer on the radio).
    """
    require_role(principal, Role.OFFICER)
    now = deps.clock()
    location = Location(
        lat=request.location.lat, lon=request.location.lon, accuracy_m=request.location.accuracy_m
    )
    record = deps.registry.get(principal.force, principal.officer_id)
    if record is None or not record.is_serving:
        _audit_refused_attempt(
            deps, principal, EventType.NOT_SERVING_ATTEMPT, "officer_not_serving",
            {"registry_status": record.status.value if record else "unknown"}, location, request.area,
        )
        ensure_serving(record)  # raises OfficerNotServing
    officer = ensure_serving(record)

    existing = deps.verifications.active_verification_id(principal.force, principal.officer_id)
    if existing:
        raise ActiveVerificationExists(existing)
    recent = _recent_starts_within_hour(deps, principal, now)
    if len(recent[0]) >= deps.settings.max_starts_per_hour:
        _audit_refused_attempt(
            deps, principal, EventType.RATE_LIMITED, "rate_limited",
            {"starts_in_last_hour": len(recent[0]), "limit": deps.settings.max_starts_per_hour},
            location, request.area,
        )
        raise RateLimited(
            f"You can start at most {deps.settings.max_starts_per_hour} verifications an hour. "
            "Ask the control room to confirm your identity by radio.",
            retry_after=_seconds_until_a_start_frees(recent[0], now),
        )

    verification_id = deps.new_id()
    deps.envelope.create_key(verification_id, _utc_day(now))
    meeting, attendee = _open_meeting(deps, verification_id, officer.officer_id)
    draft = Verification(
        verification_id=verification_id,
        reference=deps.new_reference(),
        status=Status.AWAITING_SERGEANT,
        force=principal.force,
        officer=officer.summary(),
        location=location,
        area=request.area,
        created_at=now,
        meeting=meeting,
        voice_fallback=meeting is None,
    )
    requested = PendingEvent(
        EventType.REQUESTED,
        _actor(principal),
        {
            "officer_id": officer.officer_id,
            "reference": draft.reference,
            # Personal data is sealed under this verification's own data key (erasable later).
            "location": deps.envelope.seal(verification_id, _location_dict(location)),
            "area": deps.envelope.seal(verification_id, request.area),
            "meeting_id": meeting["MeetingId"] if meeting else None,
            "voice_fallback": draft.voice_fallback,
        },
    )
    starts = ([*recent[0], iso_z(now)], recent[1])
    verification = _create(deps, draft, requested, starts)
    logger.append_keys(verification_id=verification.verification_id)
    metrics.add_metric(name="VerificationStarted", unit=MetricUnit.Count, value=1)

    verification = send_wave(deps, verification.verification_id, 1) or verification
    _schedule(deps, verification, deps.escalation.timers_on_start(verification))
    body = verification_view(verification)
    body["meeting"] = _meeting_view(meeting, attendee)
    body["citizen_url"] = f"{deps.settings.public_base_url.rstrip('/')}/v/{verification.reference}"
    return body


def _open_meeting(
    deps: "Dependencies", verification_id: str, officer_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The Chime meeting and the officer's attendee, or (None, None) when Chime fails."""
    try:
        meeting = deps.meetings.create_meeting(verification_id)
    except Exception as error:  # noqa: BLE001 - a check without video beats no check at all
        logger.error("meeting_create_failed", extra={"verification_id": verification_id, "error": _error_code(error)})
        return None, None
    try:
        return meeting, deps.meetings.create_attendee(meeting["MeetingId"], f"officer-{officer_id}")
    except Exception as error:  # noqa: BLE001 - same fallback; don't leave an empty meeting behind
        logger.error("attendee_create_failed", extra={"verification_id": verification_id, "error": _error_code(error)})
        _close_meeting_id(deps, verification_id, meeting["MeetingId"])
        return None, None


def _recent_starts_within_hour(deps: "Dependencies", principal: Principal, now: Any) -> tuple[list[str], int]:
    starts, version = deps.verifications.recent_starts(principal.force, principal.officer_id)
    hour_ago = now - timedelta(hours=1)
    return [s for s in starts if (parse_iso(s) or now) > hour_ago], version


def _seconds_until_a_start_frees(starts: list[str], now: Any) -> int:
    oldest = min(parse_iso(s) for s in starts)
    return max(1, int((oldest + timedelta(hours=1) - now).total_seconds()) + 1)


def start_verification_once(
    deps: "Dependencies",
    principal: Principal,
    request: StartVerificationRequest,
    idempotency_key: str,
    lambda_context: Any = None,
) -> dict[str, Any]:
    """`Idempotency-Key` retries: same officer + key + body replays the stored 201 and sends nothing.

    The key is scoped to the officer, so two officers can never collide on (or read) each other's key.
    The same key with another body is an IdempotencyConflict.
    """
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[force, officer_id, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=deps.settings.idempotency_seconds,
        raise_on_no_idempotency_key=True,
    )
    if lambda_context is not None:
        # Lets an in-progress record expire with the invocation, so a timed-out try can be retried.
        config.register_lambda_context(lambda_context)

    def start_verification_idempotent(payload: dict[str, Any]) -> dict[str, Any]:
        return start_verification(deps, principal, request)

    guarded = idempotent_function(
        start_verification_idempotent,
        data_keyword_argument="payload",
        persistence_store=deps.idempotency_store,
        config=config,
    )
    payload = {
        "force": principal.force,
        "officer_id": principal.officer_id,
        "key": idempotency_key,
        "body": request.model_dump(mode="json"),
    }
    try:
        return guarded(payload=payload)
    except IdempotencyValidationError:
        raise IdempotencyConflict("This Idempotency-Key was already used with a different body.") from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyConflict("A request with this Idempotency-Key is still being processed.") from None


def _create(
    deps: "Dependencies", draft: Verification, requested: PendingEvent, starts: tuple[list[str], int]
) -> Verification:
    from .adapters.dynamodb import ReferenceTaken

    for _ in range(MAX_WRITE_ATTEMPTS):
        verification, events = _stamp(deps, draft, draft, [requested])
        try:
            deps.verifications.create(verification, events, starts)
            return verification
        except ReferenceTaken:
            draft = dataclasses.replace(draft, reference=deps.new_reference())
            requested = dataclasses.replace(requested, data={**requested.data, "reference": draft.reference})
        except Exception:
            _close_meeting(deps, draft)
            raise
    _close_meeting(deps, draft)
    raise InvalidTransition("Could not allocate a reference; try again.")


def send_wave(deps: "Dependencies", verification_id: str, wave: int) -> Verification | None:
    """Text the next wave of sergeants, at most once per wave and once per sergeant.

    The wave is claimed (recorded with its recipients) before any SMS goes out, so a duplicate timer
    delivery finds it taken and sends nothing: SMS per check can never exceed the force's sergeants.
    Returns the updated verification, or None when there was nothing to send.
    """
    current = deps.verifications.get(verification_id)
    if current is None or current.status is not Status.AWAITING_SERGEANT or current.waves_sent >= wave:
        return None
    recipients = deps.escalation.next_wave(deps.registry.available_sergeants(current.force), current)
    if not recipients:
        return None
    ids = [r.officer_id for r in recipients]
    notified = PendingEvent(EventType.SERGEANTS_NOTIFIED, SYSTEM, {"wave": wave, "recipients": ids})
    try:
        _, claimed = _apply(deps, verification_id, lambda v: (v.record_wave(wave, ids), [notified]))
    except InvalidTransition:
        return None  # accepted, cancelled or this wave already claimed meanwhile
    link = f"{deps.settings.public_base_url.rstrip('/')}/s/{claimed.verification_id}"
    message = sergeant_request_sms(claimed, link)
    failed: dict[str, str] = {}
    for sergeant in recipients:
        try:
            deps.sms.send_sms(sergeant.phone or "", message)
        except Exception as error:  # noqa: BLE001 - one bad number must not stop the others
            # Only the error's class/code: provider messages can echo the phone number.
            failed[sergeant.officer_id] = _error_code(error)
            logger.warning("sms_failed", extra={"recipient_officer_id": sergeant.officer_id, "error": failed[sergeant.officer_id]})
    delivered = [i for i in ids if i not in failed]
    if delivered:
        deps.registry.mark_notified(claimed.force, delivered, iso_z(deps.clock()) or "")
    outcome_events = []
    if delivered:
        outcome_events.append(PendingEvent(
            EventType.SMS_SENT, SYSTEM, {"wave": wave, "recipients": delivered, "reason": "identity_verification_request"}
        ))
    if failed:
        outcome_events.append(PendingEvent(
            EventType.SMS_FAILED, SYSTEM, {"wave": wave, "failed": sorted(failed), "errors": failed}
        ))
    return _append(deps, verification_id, outcome_events) if outcome_events else claimed


def _schedule(deps: "Dependencies", verification: Verification, timers: list[Any]) -> None:
    """Arm timers. If SQS refuses, the check could hang: audit it and tell the control room."""
    for timer in timers:
        try:
            deps.timers.schedule(timer)
        except Exception as error:  # noqa: BLE001 - the officer still gets their answer
            code = _error_code(error)
            logger.error("timer_schedule_failed", extra={"verification_id": verification.verification_id, "error": code})
            _append(deps, verification.verification_id, [PendingEvent(
                EventType.TIMER_FAILED, SYSTEM, {"timer": timer.kind.value, "error": code}
            )])
            _alert(deps, verification.verification_id, "Safe Connection: check has no timeout - watch it",
                   {**_alert_body(verification, "timer_failure"), "timer": timer.kind.value})


def _audit_refused_attempt(
    deps: "Dependencies",
    principal: Principal,
    event_type: str,
    alert_type: str,
    details: dict[str, Any],
    location: Location,
    area: str | None,
) -> None:
    """A refused start (not serving, over the hourly limit): its own audit chain, and an alert."""
    now = deps.clock()
    attempt_id = deps.new_id()
    deps.envelope.create_key(attempt_id, _utc_day(now))
    data = {
        "officer_id": principal.officer_id,
        **details,
        "location": deps.envelope.seal(attempt_id, _location_dict(location)),
        "area": deps.envelope.seal(attempt_id, area),
    }
    events = chain(
        [PendingEvent(event_type, _actor(principal), data)],
        verification_id=attempt_id,
        force=principal.force,
        after_seq=0,
        after_hash="0" * 64,
        at=now,
        new_event_id=deps.new_event_id,
    )
    deps.verifications.record_attempt(
        attempt_id, [(audit_key(principal.force, now, attempt_id, 1), events[0])]
    )
    _alert(
        deps,
        attempt_id,
        f"Safe Connection: {alert_type.replace('_', ' ')} - {principal.officer_id} tried to start a check",
        {
            "type": alert_type,
            "force": principal.force,
            "attempt_id": attempt_id,
            "officer_id": principal.officer_id,
            **details,
            "location": _location_dict(location),
            "area": area,
            "at": iso_z(now),
        },
    )


# ---- reading -------------------------------------------------------------------------------


def get_verification(deps: "Dependencies", principal: Principal, verification_id: str) -> dict[str, Any]:
    """Every read is a consultation (DPA 2018 s.62): it is audited on the verification's chain."""
    require_role(principal, Role.OFFICER, Role.SERGEANT, Role.ADMIN, Role.AUDITOR)
    _load_visible(deps, principal, verification_id)
    viewed = PendingEvent(EventType.VIEWED, _actor(principal), {"reason": reason_for(principal.role.value)})
    return verification_view(_append(deps, verification_id, [viewed]))


def list_verifications(deps: "Dependencies", principal: Principal, status: str | None) -> dict[str, Any]:
    """A sergeant's queue: their own force only, oldest first."""
    require_role(principal, Role.SERGEANT)
    try:
        wanted = Status(status or Status.AWAITING_SERGEANT.value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise ValidationFailed(f"status: must be one of {allowed}") from None
    items = deps.verifications.list_by_status(principal.force, wanted)
    # Each listed record discloses location and area: each is a consultation on its own chain.
    viewed = PendingEvent(EventType.VIEWED, _actor(principal), {"reason": reason_for(principal.role.value), "via": "list"})
    return {"items": [verification_view(_append(deps, v.verification_id, [viewed])) for v in items]}


# ---- sergeant: accept and decide -----------------------------------------------------------


def accept_verification(deps: "Dependencies", principal: Principal, verification_id: str) -> dict[str, Any]:
    """First available sergeant wins; they get the meeting and the officer's registry record."""
    require_role(principal, Role.SERGEANT)
    current = _load_visible(deps, principal, verification_id)
    sergeant = ensure_available_sergeant(deps.registry.get(principal.force, principal.officer_id))
    now = deps.clock()
    disclosed = PendingEvent(
        EventType.REGISTRY_DISCLOSED,
        _actor(principal),
        {
            "officer_id": current.officer.officer_id,
            "disclosed_to": sergeant.officer_id,
            "fields": ["officer_id", "rank", "given_name", "family_name", "status", "photo"],
            "reason": "identity_verification",
        },
    )
    accepted = PendingEvent(EventType.ACCEPTED, _actor(principal), {"sergeant_id": sergeant.officer_id})
    rejoined = False

    def accept_or_rejoin(v: Verification) -> tuple[Verification, list[PendingEvent]]:
        # The winner reopening the link (a page reload, a double tap at 3 a.m.) rejoins the call;
        # decided inside the retry loop so a lost race against their own first tap still rejoins.
        nonlocal rejoined
        rejoined = v.is_accepted_by(sergeant.officer_id)
        if rejoined:
            return v, [disclosed]
        return v.accept(sergeant.summary(), now), [accepted, disclosed]

    _, after = _apply(deps, verification_id, accept_or_rejoin)
    if not rejoined:
        _schedule(deps, after, [deps.escalation.timer_on_accept(after)])
        metrics.add_metric(name="VerificationAccepted", unit=MetricUnit.Count, value=1)
        metrics.add_metric(
            name="TimeToAcceptSeconds",
            unit=MetricUnit.Seconds,
            value=max(0.0, (now - after.created_at).total_seconds()),
        )
    logger.append_keys(verification_id=verification_id)

    attendee = None
    if after.meeting_id:
        try:
            attendee = deps.meetings.create_attendee(after.meeting_id, f"sergeant-{sergeant.officer_id}")
        except Exception as error:  # noqa: BLE001 - they have won: give them the record, not a 500
            # `meeting: null` tells the page to fall back to the radio; accepting again retries the join.
            logger.error("attendee_create_failed", extra={"verification_id": verification_id, "error": _error_code(error)})
    officer_record = deps.registry.get(after.force, after.officer.officer_id)
    body = verification_view(after)
    body["meeting"] = _meeting_view(after.meeting, attendee)
    body["officer_record"] = _officer_record_view(deps, officer_record, after)
    return body


def _officer_record_view(deps: "Dependencies", record: RegistryRecord | None, v: Verification) -> dict[str, Any]:
    """What the sergeant compares with the face on video: the registry's record, not the officer's claim."""
    if record is None:
        return {**dataclasses.asdict(v.officer), "status": "unknown", "photo_url": None}
    return {
        "officer_id": record.officer_id,
        "rank": record.rank,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "status": record.status.value,
        "photo_url": deps.photos.url_for(record.photo),
    }


def record_outcome(
    deps: "Dependencies", principal: Principal, verification_id: str, request: OutcomeRequest
) -> dict[str, Any]:
    """The accepting sergeant confirms or not; `not_confirmed` alerts the control room at once."""
    require_role(principal, Role.SERGEANT)
    _load_visible(deps, principal, verification_id)
    now = deps.clock()
    outcome = Outcome(request.outcome)
    event_type = EventType.CONFIRMED if outcome is Outcome.CONFIRMED else EventType.NOT_CONFIRMED
    decided = PendingEvent(event_type, _actor(principal), {"note": deps.envelope.seal(verification_id, request.note)})
    _, after = _apply(
        deps,
        verification_id,
        lambda v: (v.decide(principal.officer_id, outcome, request.note, now), [decided]),
    )
    logger.append_keys(verification_id=verification_id)
    with single_metric(
        name="VerificationOutcome", unit=MetricUnit.Count, value=1, namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="outcome", value=outcome.value)
    _close_meeting(deps, after)
    if outcome is Outcome.NOT_CONFIRMED:
        after = _alert_outcome(deps, after, "verification_not_confirmed")
    return verification_view(after)


def _alert_body(verification: Verification, alert_type: str) -> dict[str, Any]:
    """What the control room needs to send someone: force, who, where, which check."""
    return {
        "type": alert_type,
        "force": verification.force,
        "verification_id": verification.verification_id,
        "reference": verification.reference,
        "officer": dataclasses.asdict(verification.officer),
        "sergeant_id": verification.sergeant.officer_id if verification.sergeant else None,
        "location": _location_dict(verification.location),
        "area": verification.area,
        "at": iso_z(verification.decided_at or verification.created_at),
    }


ALERT_SUBJECTS = {
    "verification_not_confirmed": "NOT CONFIRMED",
    "verification_unanswered": "UNANSWERED",
    "verification_expired": "NOT DECIDED IN TIME",
}


def _alert_outcome(deps: "Dependencies", verification: Verification, alert_type: str) -> Verification:
    """Alert the control room about a failed check and audit whether the alert went out."""
    officer = verification.officer
    subject = f"Safe Connection: {ALERT_SUBJECTS[alert_type]} {officer.rank} {officer.officer_id}"
    ok = _alert(deps, verification.verification_id, subject, _alert_body(verification, alert_type))
    event = EventType.ALERT_SENT if ok else EventType.ALERT_FAILED
    return _append(deps, verification.verification_id, [PendingEvent(event, SYSTEM, {"alert_type": alert_type})])


# ---- officer: cancel -----------------------------------------------------------------------


def cancel_verification(deps: "Dependencies", principal: Principal, verification_id: str) -> dict[str, Any]:
    require_role(principal, Role.OFFICER)
    _load_visible(deps, principal, verification_id)
    now = deps.clock()
    cancelled = PendingEvent(EventType.CANCELLED, _actor(principal), {})
    _, after = _apply(deps, verification_id, lambda v: (v.cancel(principal.officer_id, now), [cancelled]))
    logger.append_keys(verification_id=verification_id)
    _close_meeting(deps, after)
    return verification_view(after)


# ---- sergeant duty and the registry --------------------------------------------------------


def set_duty(deps: "Dependencies", principal: Principal, request: DutyRequest) -> dict[str, Any]:
    require_role(principal, Role.SERGEANT)
    record = ensure_serving(deps.registry.get(principal.force, principal.officer_id))
    if record.role is not Role.SERGEANT:
        raise Forbidden("The force registry does not list you as a sergeant.")
    duty = Duty(request.status)
    if not deps.registry.set_duty(principal.force, principal.officer_id, duty):
        # The record changed between the read and the write (e.g. suspended meanwhile).
        raise OfficerNotServing("The force registry does not list you as a serving sergeant.")
    return {"officer_id": principal.officer_id, "duty": duty.value}


def put_officer(
    deps: "Dependencies", principal: Principal, officer_id: str, request: OfficerRecordRequest
) -> dict[str, Any]:
    """An admin replaces one registry record of their own force."""
    require_role(principal, Role.ADMIN)
    if not valid_officer_id(officer_id):
        raise ValidationFailed("officer_id: 1-32 letters, digits, '-' or '_'")
    record = request.to_record(principal.force, officer_id)
    before = deps.registry.get(principal.force, officer_id)
    deps.registry.put(record)
    old = before.as_dict() if before else {}
    changed = sorted(k for k, v in record.as_dict().items() if old.get(k) != v and k not in ("force", "officer_id"))
    _audit_registry_event(deps, principal, EventType.REGISTRY_CHANGED, officer_id, {
        "created": before is None, "changed_fields": changed,
    })
    return registry_record_view(record)


def get_officer(deps: "Dependencies", principal: Principal, officer_id: str) -> dict[str, Any]:
    require_role(principal, Role.ADMIN, Role.AUDITOR)
    record = deps.registry.get(principal.force, officer_id) if valid_officer_id(officer_id) else None
    if record is None:
        raise NotFound("No such officer in your force's registry.")
    _audit_registry_event(deps, principal, EventType.REGISTRY_VIEWED, officer_id, {})
    return registry_record_view(record)


def _audit_registry_event(
    deps: "Dependencies", principal: Principal, event_type: str, officer_id: str, details: dict[str, Any]
) -> None:
    """Registry consultations and changes: one-event chains (ids and field names only, no values)."""
    now = deps.clock()
    chain_id = deps.new_id()
    data = {"officer_id": officer_id, **details, "reason": reason_for(principal.role.value if principal.role else "")}
    events = chain([PendingEvent(event_type, _actor(principal), data)], verification_id=chain_id,
                   force=principal.force, after_seq=0, after_hash="0" * 64, at=now, new_event_id=deps.new_event_id)
    deps.verifications.record_attempt(chain_id, [(audit_key(principal.force, now, chain_id, 1), events[0])])


# ---- the public ----------------------------------------------------------------------------


def public_view(deps: "Dependencies", typed_reference: str, client_address: str | None = None) -> dict[str, Any]:
    """What the person who was stopped sees: no location, no notes, no phone numbers.

    Rate-limited per client address, so references cannot be guessed by brute force.
    """
    if client_address is not None:
        from .adapters.rate_limits import anonymise

        allowed = deps.rate_limiter.allow(
            f"public#{anonymise(client_address)}", deps.settings.public_views_per_minute, 60, deps.clock().timestamp()
        )
        if not allowed:
            raise RateLimited("Too many look-ups from this connection. Wait a minute and try again.", retry_after=60)
    reference = references.normalise(typed_reference)
    verification_id = deps.verifications.find_id_by_reference(reference) if reference else None
    verification = deps.verifications.get(verification_id) if verification_id else None
    if verification is None:
        raise NotFound("No check with this reference. Check the reference and try again.")
    if deps.clock() - verification.created_at > timedelta(hours=deps.settings.public_view_hours):
        raise NotFound("No check with this reference. Check the reference and try again.")
    record = deps.registry.get(verification.force, verification.officer.officer_id)
    confirmed_by = None
    if verification.status is Status.CONFIRMED and verification.sergeant is not None:
        confirmed_by = {
            "officer_id": verification.sergeant.officer_id,
            "rank": verification.sergeant.rank,
            "family_name": verification.sergeant.family_name,
        }
    return {
        "reference": verification.reference,
        "status": verification.status.value,
        "officer": {
            "officer_id": verification.officer.officer_id,
            "rank": verification.officer.rank,
            "family_name": verification.officer.family_name,
            "photo_url": deps.photos.url_for(record.photo if record else None),
        },
        "confirmed_by": confirmed_by,
        "created_at": iso_z(verification.created_at),
        "decided_at": iso_z(verification.decided_at),
        "advice": advice_for(verification.status),
    }


# ---- timers ---------------------------------------------------------------------------------


def handle_timer(deps: "Dependencies", timer: Any) -> str:
    """Run one due timer. Every branch is conditional on state, so late or repeated timers are no-ops.

    Returns what happened (for logs and tests): rearmed, wave_sent, no_wave, unanswered, expired, noop.
    """
    now = deps.clock()
    if not timer.is_due(now):
        deps.timers.schedule(timer)  # longer than SQS's 15-minute maximum delay: wait again
        return "rearmed"
    logger.append_keys(verification_id=timer.verification_id)
    from .domain.escalation import TimerKind

    if timer.kind is TimerKind.WAVE:
        sent = send_wave(deps, timer.verification_id, timer.wave)
        current = sent or deps.verifications.get(timer.verification_id)
        # Keep the waves coming while nobody has accepted, even after an empty wave: a sergeant
        # may come on duty in the meantime. A repeated delivery of a sent wave arms nothing.
        already_sent = sent is None and current is not None and current.waves_sent >= timer.wave
        if current is not None and current.status is Status.AWAITING_SERGEANT and not already_sent:
            following = deps.escalation.next_wave_timer(current, now, wave=timer.wave + 1)
            if following is not None:
                _schedule(deps, current, [following])
        return "wave_sent" if sent is not None else "no_wave"
    if timer.kind is TimerKind.ANSWER_TIMEOUT:
        return _time_out(deps, timer.verification_id, Status.AWAITING_SERGEANT, EventType.UNANSWERED,
                         "verification_unanswered", lambda v: v.close_unanswered(now), "unanswered")
    return _time_out(deps, timer.verification_id, Status.CONNECTED, EventType.EXPIRED,
                     "verification_expired", lambda v: v.close_expired(now), "expired")


def _time_out(deps: "Dependencies", verification_id: str, expected: Status, event_type: str,
              alert_type: str, close: Callable[[Verification], Verification], result: str) -> str:
    def change(v: Verification) -> tuple[Verification, list[PendingEvent]]:
        if v.status is not expected:
            raise InvalidTransition(f"already {v.status.value}")
        return close(v), [PendingEvent(event_type, SYSTEM, {})]

    try:
        _, after = _apply(deps, verification_id, change)
    except (InvalidTransition, NotFound):
        return "noop"  # decided, cancelled or accepted in time: the timer changes nothing
    _close_meeting(deps, after)
    _alert_outcome(deps, after, alert_type)
    return result


# ---- retention ------------------------------------------------------------------------------


def erase_personal_data(deps: "Dependencies", created_day: str) -> list[str]:
    """After the retention period: delete each chain's data key and the DynamoDB copy.

    The audit log in S3 is untouched (and locked): its hashes still chain, but the sealed location,
    area and notes can no longer be decrypted. The erasure itself is appended to each chain first.
    Returns the chains erased.
    """
    erased = []
    for chain_id in deps.envelope.chains_created_on(created_day):
        verification = deps.verifications.get(chain_id)
        if verification is not None and not verification.status.is_terminal:
            logger.warning("erasure_skipped_active", extra={"verification_id": chain_id})
            continue
        record = PendingEvent(EventType.ERASED, SYSTEM, {
            "erased": ["location", "area", "outcome_note", "data_key"], "reason": "retention_period_expired",
        })
        # Each step is safe to repeat, so a run that failed half-way is finished by the next one.
        if verification is not None:
            if _last_event_type(deps.verifications.events(chain_id)) != EventType.ERASED:
                verification = _append(deps, chain_id, [record])
            deps.envelope.erase(chain_id)
            deps.verifications.delete_personal_copy(verification)
        else:
            attempt_events = deps.verifications.attempt_events(chain_id)
            # No events at all: a start that failed after its key was made; only the key remains.
            if attempt_events and _last_event_type(attempt_events) != EventType.ERASED:
                deps.verifications.append_to_attempt(chain_id, record, deps.clock(), deps.new_event_id)
            deps.envelope.erase(chain_id)
        deps.envelope.forget_retention_entry(created_day, chain_id)
        erased.append(chain_id)
    return erased


def _last_event_type(events: list[dict[str, Any]]) -> str | None:
    return max(events, key=lambda e: e["seq"])["type"] if events else None


# ---- audit stream consumer -----------------------------------------------------------------


def copy_audit_events(deps: "Dependencies", records: list[dict[str, Any]]) -> int:
    """Copy newly inserted audit events from the DynamoDB stream to S3; returns how many were new.

    Raises on any S3 failure so the stream redelivers the batch (Lambda retries; the local worker
    backs off and retries). Writes are conditional, so redelivery never creates a second version.
    Each copied event is also recorded in the day's index, which the signed daily digest lists.
    """
    import json

    from .adapters.dynamodb import deserialise_item
    from .domain.audit import canonical_bytes

    written = 0
    today = deps.clock().date().isoformat()
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        raw = record.get("dynamodb", {}).get("NewImage", {})
        # Filter on the raw image first: other items (e.g. encrypted data keys) carry binary
        # attributes, which Lambda delivers base64-encoded and the deserialiser would reject.
        if raw.get("kind", {}).get("S") != "audit_event":
            continue
        image = deserialise_item(raw)
        event = json.loads(image["event_json"])
        if deps.audit_log.write(image["audit_key"], canonical_bytes(event)):
            written += 1
        deps.audit_index.record(event["force"], today, image["audit_key"], event["hash"])
    return written


def write_daily_digests(deps: "Dependencies", day: Any) -> list[str]:
    """Sign and store the digest of `day` for every force that had audit writes that day."""
    from .auditing.digests import DigestExists, write_digest

    keys = []
    for force in deps.audit_index.forces_written(day.isoformat()):
        try:
            key, _ = write_digest(
                deps.s3, deps.settings.audit_bucket, deps.audit_index, deps.digest_signer, force, day, deps.clock()
            )
            keys.append(key)
        except DigestExists as exists:
            logger.info("digest_already_written", extra={"key": str(exists)})
    return keys
