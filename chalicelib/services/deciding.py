"""Sergeants accept and decide; the control room confirms by radio; officers cancel."""


from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import single_metric

from ..domain.access import Principal, ensure_control_room_of, require_role
from ..domain.audit import EventType, PendingEvent
from ..domain.clock import iso_z
from ..domain.errors import NotFound
from ..domain.registry import MAX_PHOTO_BYTES, RegistryRecord, Role, ensure_available_sergeant, ensure_serving
from ..domain.verification import Method, Outcome, Status, Verification
from ..observability import MetricUnit, error_code, logger, metrics
from ..schemas.decisions import OutcomeRequest, RadioConfirmationRequest

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

from .side_effects import alert_outcome, close_meeting, schedule_timers
from .unit_of_work import actor_of, apply_change, load_visible


@dataclass(frozen=True)
class Accepted:
    """What the accepting sergeant gets: the check, their Chime attendee (None: fall back to the
    radio), the officer's registry record (None: not in the registry) and a link to exactly the
    photo version the disclosure event names (None: no photo)."""

    verification: Verification
    attendee: dict[str, Any] | None
    officer_record: RegistryRecord | None
    photo_url: str | None


def accept_verification(deps: "Dependencies", principal: Principal, verification_id: str) -> Accepted:
    """First available sergeant wins; they get the meeting and the officer's registry record."""
    require_role(principal, Role.SERGEANT)
    current = load_visible(deps, principal, verification_id)
    sergeant = ensure_available_sergeant(deps.registry.get(principal.force, principal.officer_id))
    now = deps.clock()
    # Read before the accept is written, so the disclosure event names the very record (and photo
    # version) the response shows.
    officer_record = deps.registry.get(current.force, current.officer.officer_id)
    photo = _photo_shown(deps, officer_record)
    disclosed = PendingEvent(
        EventType.REGISTRY_DISCLOSED,
        actor_of(principal),
        {
            "officer_id": current.officer.officer_id,
            "disclosed_to": sergeant.officer_id,
            "fields": ["officer_id", "rank", "given_name", "family_name", "status", "photo"],
            # SPEC §7.5: key, version id and SHA-256 of the exact object the sergeant's link shows.
            "photo": photo,
            "reason": "identity_verification",
        },
    )
    accepted = PendingEvent(EventType.ACCEPTED, actor_of(principal), {"sergeant_id": sergeant.officer_id})
    rejoined = False

    def accept_or_rejoin(v: Verification) -> tuple[Verification, list[PendingEvent]]:
        # The winner reopening the link (a page reload, a double tap at 3 a.m.) rejoins the call;
        # decided inside the retry loop so a lost race against their own first tap still rejoins.
        nonlocal rejoined
        rejoined = v.is_accepted_by(sergeant.officer_id)
        if rejoined:
            return v, [disclosed]
        return v.accept(sergeant.summary(), now), [accepted, disclosed]

    _, after = apply_change(deps, verification_id, accept_or_rejoin, current)
    if not rejoined:
        schedule_timers(deps, after, [deps.escalation.timer_on_accept(after)])
        # Who answers lately is texted first next time (domain/escalation.py: answer_tier).
        deps.registry.mark_accepted(sergeant.force, sergeant.officer_id, iso_z(now) or "")
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
            logger.error(
                "attendee_create_failed", extra={"verification_id": verification_id, "error": error_code(error)}
            )
    photo_url = deps.photos.url_for(photo["key"], photo["version_id"]) if photo else None
    return Accepted(after, attendee, officer_record, photo_url)


def _photo_shown(deps: "Dependencies", record: RegistryRecord | None) -> dict[str, str | None] | None:
    """Which object the sergeant is shown: the version the record pins or, for a record from before
    pinning, the version now at its key (hashed now, and pinned on the record once, so later accepts
    name the same version without reading the photo again). No object there: the key alone, no version."""
    if record is None or not record.photo:
        return None
    if record.photo_pinned:
        return record.photo_identity()
    try:
        stored = deps.photo_store.current(record.photo, MAX_PHOTO_BYTES)
    except Exception as error:  # noqa: BLE001 - the sergeant still gets the record; the audit says no version
        logger.error("photo_read_failed", extra={"officer_id": record.officer_id, "error": error_code(error)})
        stored = None
    if stored is None or stored.sha256 is None:
        return {"key": record.photo, "version_id": None, "sha256": None}
    pinned = record.pin_photo(stored)
    try:
        # Conditional: a record changed meanwhile (another photo, or pinned by a concurrent accept) wins.
        deps.registry.pin_photo(pinned)
    except Exception as error:  # noqa: BLE001 - the next accept pins it; this one still names what it shows
        logger.error("photo_pin_failed", extra={"officer_id": record.officer_id, "error": error_code(error)})
    return pinned.photo_identity()


def record_outcome(
    deps: "Dependencies", principal: Principal, verification_id: str, request: OutcomeRequest
) -> Verification:
    """The accepting sergeant confirms or not, saying how they saw the officer (`video`, or `audio`
    once the call fell back to audio only); `not_confirmed` alerts the control room at once."""
    require_role(principal, Role.SERGEANT)
    current = load_visible(deps, principal, verification_id)
    now = deps.clock()
    outcome, method = Outcome(request.outcome), Method(request.method)
    decided = _decided_event(deps, principal, verification_id, outcome, method, request.note)
    _, after = apply_change(
        deps,
        verification_id,
        lambda v: (v.decide(principal.officer_id, outcome, request.note, now, method), [decided]),
        current,
    )
    return _after_decision(deps, after)


def confirm_by_radio(
    deps: "Dependencies", principal: Principal, verification_id: str, request: RadioConfirmationRequest
) -> Verification:
    """The force's control room decides by radio (SPEC §7.3), from waiting or connected: the call
    ends, no more sergeants are texted (their timers find a decided check), `not_confirmed` alerts."""
    require_role(principal, Role.CONTROL_ROOM)  # before any read: other roles learn nothing
    current = deps.verifications.get(verification_id)
    if current is None:
        raise NotFound("No such verification.")
    ensure_control_room_of(principal, current)
    # Who decided comes from the registry (the gate has just admitted them), never from the token.
    operator = ensure_serving(deps.registry.get(principal.force, principal.officer_id)).summary()
    now = deps.clock()
    outcome = Outcome(request.outcome)
    decided = _decided_event(deps, principal, verification_id, outcome, Method.RADIO, request.note)
    _, after = apply_change(
        deps,
        verification_id,
        lambda v: (v.confirm_by_radio(operator, outcome, request.note, now), [decided]),
        current,
    )
    return _after_decision(deps, after)


def _decided_event(
    deps: "Dependencies", principal: Principal, verification_id: str, outcome: Outcome, method: Method,
    note: str | None,
) -> PendingEvent:
    event_type = EventType.CONFIRMED if outcome is Outcome.CONFIRMED else EventType.NOT_CONFIRMED
    return PendingEvent(
        event_type, actor_of(principal), {"note": deps.envelope.seal(verification_id, note), "method": method.value}
    )


def _after_decision(deps: "Dependencies", after: Verification) -> Verification:
    """What every decision owes once stored: the metric, the end of the call, a failed check's alert."""
    logger.append_keys(verification_id=after.verification_id)
    with single_metric(
        name="VerificationOutcome", unit=MetricUnit.Count, value=1, namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="outcome", value=after.status.value)
    close_meeting(deps, after)
    if after.status is Status.NOT_CONFIRMED:
        after = alert_outcome(deps, after, "verification_not_confirmed")
    return after


def cancel_verification(deps: "Dependencies", principal: Principal, verification_id: str) -> Verification:
    """The officer withdraws their own check; the call ends."""
    require_role(principal, Role.OFFICER)
    current = load_visible(deps, principal, verification_id)
    now = deps.clock()
    cancelled = PendingEvent(EventType.CANCELLED, actor_of(principal), {})
    _, after = apply_change(
        deps, verification_id, lambda v: (v.cancel(principal.officer_id, now), [cancelled]), current
    )
    logger.append_keys(verification_id=verification_id)
    close_meeting(deps, after)
    return after
