"""Reaching the sergeants: the next wave claimed on the check (`send_wave`, for the timers and a
hand-back; the start claims wave 1 with the check itself), then a push to those who opted in, a
text to the others, and a text after all to anyone whose phone did not say within a few seconds
that the push arrived.

Every text is claimed on the verification before it is sent (`texted`): a duplicate timer, a late
receipt or a retry can never text one sergeant twice for one check. A push that fails is followed
by the text at once; one the push service says is gone also drops the subscription.
"""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..domain.audit import SYSTEM, EventType, PendingEvent
from ..domain.clock import iso_z
from ..domain.errors import InvalidTransition, NotFound
from ..domain.escalation import Timer, TimerKind
from ..domain.push import PUSH_TTL_SECONDS, PushSubscriptionGone, push_message
from ..domain.registry import RegistryRecord
from ..domain.sms import sergeant_request_sms
from ..domain.verification import Status, Verification
from ..observability import error_code, logger
from .side_effects import schedule_timers
from .unit_of_work import append_events, apply_change

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

PUSH_TITLE = "Identity check request"


def by_push(deps: "Dependencies", recipients: list[RegistryRecord]) -> list[str]:
    """Which recipients of a wave get a push first (opted in, and push is on here)."""
    if not deps.settings.push_enabled:
        return []
    return [r.officer_id for r in recipients if r.push is not None]


def send_wave(
    deps: "Dependencies", verification_id: str, wave: int, current: Verification | None = None
) -> Verification | None:
    """Reach the next wave of sergeants (`notify_wave`, below), at most once per wave and sergeant.

    The wave is claimed (recorded with its recipients) before any SMS or push goes out, so a duplicate timer
    delivery finds it taken and sends nothing: SMS per check can never exceed the force's sergeants.
    Returns the updated verification, or None when there was nothing to send. `current` saves the
    read when the caller has just read the verification.
    """
    current = current or deps.verifications.get(verification_id)
    if current is None or current.status is not Status.AWAITING_SERGEANT or current.waves_sent >= wave:
        return None
    recipients = deps.escalation.next_wave(deps.registry.available_sergeants(current.force), current, deps.clock())
    if not recipients:
        return None
    ids = [r.officer_id for r in recipients]
    pushed = by_push(deps, recipients)
    try:
        _, claimed = apply_change(
            deps, verification_id,
            lambda v: (v.record_wave(wave, ids, pushed), [wave_claim(wave, recipients, pushed)]), current,
        )
    except InvalidTransition:
        return None  # accepted, cancelled or this wave already claimed meanwhile
    return notify_wave(deps, claimed, wave, recipients)


def notify_wave(
    deps: "Dependencies", claimed: Verification, wave: int, recipients: list[RegistryRecord]
) -> Verification:
    """Reach a wave already claimed on `claimed` (as just written), then audit what went out."""
    pushed = [r for r in recipients if r.officer_id in claimed.pushed and r.officer_id not in claimed.push_received]
    texted = [r for r in recipients if r.officer_id not in claimed.pushed]
    outcome: list[PendingEvent] = []
    if texted:
        outcome += _text(deps, claimed, wave, texted, "identity_verification_request")
    push_failed: list[RegistryRecord] = []
    if pushed:
        events, push_failed = _push(deps, claimed, wave, pushed)
        outcome += events
    after = append_events(deps, claimed.verification_id, outcome, claimed) if outcome else claimed
    if push_failed:
        after = _text_instead(deps, after, wave, push_failed, "push_failed") or after
    if len(push_failed) < len(pushed):
        due = deps.clock() + timedelta(seconds=deps.settings.push_grace_seconds)
        schedule_timers(deps, after, [Timer(TimerKind.PUSH_FALLBACK, after.verification_id, due, wave=wave)])
    return after


def text_missed_pushes(deps: "Dependencies", verification_id: str, wave: int) -> str:
    """The push-fallback timer: text each sergeant of the check whose push has not arrived.

    Returns texted (some texts went out) or noop (all arrived, or the check no longer waits)."""
    current = deps.verifications.get(verification_id)
    if current is None or current.status is not Status.AWAITING_SERGEANT or not current.pushes_not_received():
        return "noop"
    missed = set(current.pushes_not_received())
    records = [r for r in deps.registry.available_sergeants(current.force) if r.officer_id in missed]
    after = _text_instead(deps, current, wave, records, "push_not_received")
    return "texted" if after is not None else "noop"


def _text_instead(deps: "Dependencies", current: Verification, wave: int, records: list[RegistryRecord],
                  reason: str) -> Verification | None:
    """Claim, then send, the texts of sergeants whose push failed or did not arrive."""
    if not records:
        return None
    ids = [r.officer_id for r in records]
    try:
        _, claimed = apply_change(deps, current.verification_id,
                                  lambda v: (v.record_texts_instead_of_push(ids), []), current)
    except (InvalidTransition, NotFound):
        return None  # accepted, received or claimed meanwhile
    newly = [r for r in records if r.officer_id in claimed.texted and r.officer_id not in current.texted]
    if not newly:
        return None
    return append_events(deps, claimed.verification_id, _text(deps, claimed, wave, newly, reason), claimed)


def _link(deps: "Dependencies", verification: Verification) -> str:
    return f"{deps.settings.public_base_url.rstrip('/')}/s/{verification.verification_id}"


def _text(deps: "Dependencies", claimed: Verification, wave: int, recipients: list[RegistryRecord],
          reason: str) -> list[PendingEvent]:
    """Send claimed texts; the events saying which went out and which failed."""
    message = sergeant_request_sms(claimed, _link(deps, claimed))
    failed: dict[str, str] = {}
    for sergeant in recipients:
        try:
            deps.sms.send_sms(sergeant.phone or "", message)
        except Exception as error:  # noqa: BLE001 - one bad number must not stop the others
            # Only the error's class/code: provider messages can echo the phone number.
            failed[sergeant.officer_id] = error_code(error)
            logger.warning(
                "sms_failed", extra={"recipient_officer_id": sergeant.officer_id, "error": failed[sergeant.officer_id]}
            )
    delivered = [r.officer_id for r in recipients if r.officer_id not in failed]
    if delivered:
        deps.registry.mark_notified(claimed.force, delivered, iso_z(deps.clock()) or "")
    events = []
    if delivered:
        events.append(PendingEvent(EventType.SMS_SENT, SYSTEM, {"wave": wave, "recipients": delivered,
                                                                "reason": reason}))
    if failed:
        events.append(PendingEvent(EventType.SMS_FAILED, SYSTEM,
                                   {"wave": wave, "failed": sorted(failed), "errors": failed}))
    return events


def _push(deps: "Dependencies", claimed: Verification, wave: int,
          recipients: list[RegistryRecord]) -> tuple[list[PendingEvent], list[RegistryRecord]]:
    """Send claimed pushes; their events, and the sergeants whose push did not go (texted next)."""
    text = sergeant_request_sms(claimed, _link(deps, claimed))
    failed: dict[str, str] = {}
    for sergeant in recipients:
        assert sergeant.push is not None  # noqa: S101 - by_push chose only subscribed sergeants
        try:
            # Inside the try: the key is read on first use, and if Secrets Manager fails the
            # sergeant is texted instead, like any other push that did not go.
            receipt = deps.web_push.receipt(claimed.verification_id, sergeant.officer_id)
            message = push_message(PUSH_TITLE, text, _link(deps, claimed), claimed.verification_id,
                                   sergeant.officer_id, receipt)
            deps.web_push.send(sergeant.push, message, PUSH_TTL_SECONDS)
        except PushSubscriptionGone as gone:
            failed[sergeant.officer_id] = str(gone)
            _forget_subscription(deps, claimed.force, sergeant.officer_id, sergeant.push.endpoint)
        except Exception as error:  # noqa: BLE001 - the sergeant is texted instead
            failed[sergeant.officer_id] = error_code(error)
            logger.warning("push_failed", extra={"recipient_officer_id": sergeant.officer_id,
                                                 "error": failed[sergeant.officer_id]})
    delivered = [r.officer_id for r in recipients if r.officer_id not in failed]
    if delivered:
        deps.registry.mark_notified(claimed.force, delivered, iso_z(deps.clock()) or "")
    events: list[PendingEvent] = []
    if delivered:
        events.append(PendingEvent(EventType.PUSH_SENT, SYSTEM, {"wave": wave, "recipients": delivered}))
    if failed:
        events.append(PendingEvent(EventType.PUSH_FAILED, SYSTEM,
                                   {"wave": wave, "failed": sorted(failed), "errors": failed}))
    return events, [r for r in recipients if r.officer_id in failed]


def _forget_subscription(deps: "Dependencies", force: str, sergeant_id: str, endpoint: str) -> None:
    """Drop a subscription the push service says is gone (if still that one). A failure here only
    means the next wave tries it again and texts again: logged, never in the way of the texts."""
    try:
        deps.registry.set_push(force, sergeant_id, None, only_if_endpoint=endpoint)
    except Exception as error:  # noqa: BLE001 - the sergeant is texted either way
        logger.warning("push_subscription_drop_failed", extra={"recipient_officer_id": sergeant_id,
                                                               "error": error_code(error)})


def wave_claim(wave: int, recipients: list[Any], pushed: list[str]) -> PendingEvent:
    """The audit event that claims a wave: who is reached, and who of them by push first."""
    data: dict[str, Any] = {"wave": wave, "recipients": [r.officer_id for r in recipients]}
    if pushed:
        data["pushed"] = pushed
    return PendingEvent(EventType.SERGEANTS_NOTIFIED, SYSTEM, data)
