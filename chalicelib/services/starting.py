"""An officer starts a check: meeting (or voice fallback), reference, hourly limit, waves of SMS."""


import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..domain.access import Principal, require_role
from ..domain.audit import EventType, PendingEvent
from ..domain.clock import iso_z, parse_iso, utc_day
from ..domain.errors import (
    ActiveVerificationExists,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    RateLimited,
)
from ..domain.registry import Role, ensure_serving
from ..domain.verification import Location, Status, Verification
from ..observability import MetricUnit, error_code, logger, metrics

if TYPE_CHECKING:
    # The start body as validated (schemas/start_body.py: plain Python, no pydantic).
    from ..bootstrap import Dependencies
    from ..schemas.start_body import StartVerificationRequest

from .notifying import by_push, notify_wave, wave_claim
from .side_effects import close_meeting, close_meeting_id, schedule_timers
from .unit_of_work import MAX_WRITE_ATTEMPTS, actor_of, stamp


@dataclass(frozen=True)
class Started:
    """A started check as the officer's device needs it: the verification and the officer's own
    Chime attendee (None in voice-fallback mode, or when joining failed)."""

    verification: Verification
    attendee: dict[str, Any] | None


def start_verification(deps: "Dependencies", principal: Principal, request: "StartVerificationRequest") -> Started:
    """A serving officer asks to be verified: meeting, reference, first wave of texts, timers.

    Never a 500 because Chime is down: the check then starts in voice-fallback mode (no meeting;
    the SMS tells the sergeant to call the officer on the radio).
    """
    require_role(principal, Role.OFFICER)
    now = deps.clock()
    given = request.location
    location = None if given is None else Location(lat=given.lat, lon=given.lon, accuracy_m=given.accuracy_m)
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

    from ..schemas import location_view

    verification_id = deps.new_id()
    deps.envelope.create_key(verification_id, utc_day(now))
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
        actor_of(principal),
        {
            "officer_id": officer.officer_id,
            "reference": draft.reference,
            # Personal data is sealed under this verification's own data key (erasable later).
            "location": deps.envelope.seal(verification_id, location_view(location)),
            "area": deps.envelope.seal(verification_id, request.area),
            "meeting_id": meeting["MeetingId"] if meeting else None,
            "voice_fallback": draft.voice_fallback,
        },
    )
    starts = ([*recent[0], iso_z(now) or ""], recent[1])
    # Wave 1 is claimed in the same transaction that creates the check (nobody else can see it yet),
    # so the texts go out after one write instead of a create, a read and a claim.
    recipients = deps.escalation.next_wave(deps.registry.available_sergeants(principal.force), draft, now)
    pushed = by_push(deps, recipients)
    claim = [wave_claim(1, recipients, pushed)] if recipients else []
    if recipients:
        draft = draft.record_wave(1, [r.officer_id for r in recipients], pushed)
    verification = _create(deps, draft, [requested, *claim], starts)
    logger.append_keys(verification_id=verification.verification_id)
    metrics.add_metric(name="VerificationStarted", unit=MetricUnit.Count, value=1)

    if recipients:
        verification = notify_wave(deps, verification, 1, recipients)
    schedule_timers(deps, verification, deps.escalation.timers_on_start(verification))
    return Started(verification, attendee)


def _open_meeting(
    deps: "Dependencies", verification_id: str, officer_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The Chime meeting and the officer's attendee, or (None, None) when Chime fails."""
    try:
        meeting = deps.meetings.create_meeting(verification_id)
    except Exception as error:  # noqa: BLE001 - a check without video beats no check at all
        logger.error("meeting_create_failed", extra={"verification_id": verification_id, "error": error_code(error)})
        return None, None
    try:
        return meeting, deps.meetings.create_attendee(meeting["MeetingId"], f"officer-{officer_id}")
    except Exception as error:  # noqa: BLE001 - same fallback; don't leave an empty meeting behind
        logger.error("attendee_create_failed", extra={"verification_id": verification_id, "error": error_code(error)})
        close_meeting_id(deps, verification_id, meeting["MeetingId"])
        return None, None


def _recent_starts_within_hour(
    deps: "Dependencies", principal: Principal, now: datetime
) -> tuple[list[str], int]:
    starts, version = deps.verifications.recent_starts(principal.force, principal.officer_id)
    hour_ago = now - timedelta(hours=1)
    return [s for s in starts if (parse_iso(s) or now) > hour_ago], version


def _seconds_until_a_start_frees(starts: list[str], now: datetime) -> int:
    oldest = min(parse_iso(s) or now for s in starts)
    return max(1, int((oldest + timedelta(hours=1) - now).total_seconds()) + 1)


def start_verification_once(
    deps: "Dependencies",
    principal: Principal,
    request: "StartVerificationRequest",
    idempotency_key: str,
    lambda_context: Any = None,
) -> Started:
    """`Idempotency-Key` retries: same officer + key + body answers 201 with the same check and sends nothing.

    The key is scoped to the officer, so two officers can never collide on (or read) each other's key.
    The same key with another body is an IdempotencyConflict. The idempotency table is plain text
    and outlives the request, so it keeps only the verification id (red team, issue 13): a retry
    rebuilds the 201 from the verification itself (`_replayed_start`).
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

    started: list[Started] = []

    def start_verification_idempotent(payload: dict[str, Any]) -> dict[str, Any]:
        started.append(start_verification(deps, principal, request))
        # What Powertools stores: never the body (location, area, the officer's Chime join token).
        return {"verification_id": started[0].verification.verification_id}

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
        kept = guarded(payload=payload)
    except IdempotencyValidationError:
        raise IdempotencyConflict("This Idempotency-Key was already used with a different body.") from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyConflict("A request with this Idempotency-Key is still being processed.") from None
    if started:
        return started[0]  # this call started the check
    return _replayed_start(deps, str(kept["verification_id"]))


def _replayed_start(deps: "Dependencies", verification_id: str) -> Started:
    """A retried start's 201, rebuilt: the check as it stands now, and the officer's attendee again.

    Chime returns the existing attendee for the same ExternalUserId, so this is the officer's own
    join token, not a second seat; an ended meeting (the check is over) is `meeting: null`, as in
    voice-fallback mode. Nothing is sent or audited: the officer is reading back their own start."""
    verification = deps.verifications.get(verification_id)
    if verification is None:
        # Erased already (the key outlived the record): nothing left to replay.
        raise NotFound("This verification no longer exists.")
    logger.append_keys(verification_id=verification_id)
    attendee = None
    if verification.meeting is not None and not verification.status.is_terminal:
        try:
            attendee = deps.meetings.create_attendee(
                verification.meeting["MeetingId"], f"officer-{verification.officer.officer_id}"
            )
        except Exception as error:  # noqa: BLE001 - the retry still learns which check it started
            logger.error(
                "attendee_create_failed", extra={"verification_id": verification_id, "error": error_code(error)}
            )
    return Started(verification, attendee)


def _create(
    deps: "Dependencies", draft: Verification, pending: list[PendingEvent], starts: tuple[list[str], int]
) -> Verification:
    """Store the new check with its first events; `pending[0]` is the request, naming the reference."""
    from ..adapters.dynamodb.verifications import ReferenceTaken

    requested, *others = pending
    for _ in range(MAX_WRITE_ATTEMPTS):
        verification, events = stamp(deps, draft, draft, [requested, *others])
        try:
            deps.verifications.create(verification, events, starts)
            return verification
        except ReferenceTaken:
            draft = dataclasses.replace(draft, reference=deps.new_reference())
            requested = dataclasses.replace(requested, data={**requested.data, "reference": draft.reference})
        except Exception:
            close_meeting(deps, draft)
            raise
    close_meeting(deps, draft)
    raise InvalidTransition("Could not allocate a reference; try again.")


def _audit_refused_attempt(
    deps: "Dependencies",
    principal: Principal,
    event_type: str,
    alert_type: str,
    details: dict[str, Any],
    location: Location | None,
    area: str | None,
) -> None:
    """A refused start (not serving, over the hourly limit): audited on the caller's refusal chain
    of the day, and alerted at most once per caller and kind per 10 minutes (services/refusals.py)."""
    from ..schemas import location_view
    from .refusals import refuse_start

    refuse_start(deps, principal, event_type, alert_type, details, location_view(location), area)
