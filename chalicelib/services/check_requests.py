"""The citizen's own channel when the officer gives her no reference (SPEC §7.4).

She types the number on the warrant card. If that officer has a check running (they started it,
nobody has decided yet) she is shown it; if not, she may ask for one: the control room gets a
`citizen_request` alert with her own words about where she is, and the officer a text asking them
to start a check. The answer never says whether the number belongs to anyone:
- a request is `sent` for any well-formed number; only a serving officer of a force this deployment
  serves gets the text, and the per-officer limit below is silent (a refusal there would say that
  the number is real);
- each client address may ask `check_requests_per_address` times per 10 minutes (the same for any
  number, so that refusal reveals nothing), counted before the registry is read;
- each officer gets at most one text and the control room one alert per officer per 10 minutes
  (a window claimed by a conditional write, as refusals are folded: services/refusals.py); every
  request is audited on the officer's chain of the day, `requests-{force}-{officer}-{day}`, folded
  ones too, with her words sealed under that chain's data key;
- a look-up by number counts against the address's budget of reference misses
  (`public_views_per_minute`), found or not: numbers are short and guessable, references are not.

What stays observable: a request for a serving officer also stores and sends (an alert, a text,
audit events) before the same 202, so it takes longer than one for an unknown number. Doing those
off the request path (a queue) would close that; within 10 minutes of a first request the fold
keeps later ones as quick as an unknown number's but for the one audit write.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from ..adapters.dynamodb.keys import check_request_budget, check_request_chain_id, public_miss_budget, refusal_fold
from ..domain.alerts import AlertKind
from ..domain.audit import SYSTEM, Actor, EventType, PendingEvent
from ..domain.clock import iso_z, utc_day
from ..domain.errors import RateLimited, ValidationFailed
from ..domain.registry import OfficerStatus, RegistryRecord, Role
from ..domain.sms import check_request_sms
from ..domain.verification import Status
from ..observability import error_code, logger
from .public import MISS_WINDOW_SECONDS
from .refusals import append_to_chain
from .side_effects import new_alert, raise_alert

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

REQUEST_WINDOW_SECONDS = 600
# Who asked: someone not signed in, never named (the audit log holds no citizen's identity).
CITIZEN = Actor(role="citizen", officer_id=None)
RUNNING = frozenset({Status.AWAITING_SERGEANT, Status.CONNECTED})
_WARRANT_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


def warrant_number(typed: str) -> str | None:
    """The number as the registry keys it: typed with spaces or in lower case, read as printed on
    the card (registry numbers are upper case; the import refuses two that differ only in case)."""
    number = "".join(typed.split()).upper()
    return number if _WARRANT_NUMBER.match(number) else None


def request_check(deps: Dependencies, officer_id: str, where: str | None, client_address: str) -> None:
    """Ask the officer with this number to start a check. Returns the same (nothing) for any number.

    Raises ValidationFailed for a malformed number, RateLimited when the address is over its budget.
    """
    number = _number_or_fail(officer_id)
    _spend(deps, check_request_budget(deps.client_address_keys.address(client_address)),
           deps.settings.check_requests_per_address, REQUEST_WINDOW_SECONDS,
           "Too many requests for a check from this connection. Wait a few minutes, or call 999.")
    for record in _serving_officers(deps, number):
        _ask(deps, record, where)


def _spend(deps: Dependencies, budget: str, limit: int, window_seconds: int, refusal: str) -> None:
    """One request against an address's budget; RateLimited (with when to retry) once it is spent."""
    if not deps.rate_limiter.allow(budget, limit, window_seconds, deps.clock().timestamp()):
        raise RateLimited(refusal, retry_after=window_seconds)


def running_check_reference(deps: Dependencies, typed_number: str, client_address: str) -> str | None:
    """The reference of the check this officer started and nobody has decided yet, or None.

    Every look-up counts against the address's miss budget (RateLimited beyond it)."""
    number = _number_or_fail(typed_number)
    _spend(deps, public_miss_budget(deps.client_address_keys.address(client_address)),
           deps.settings.public_views_per_minute, MISS_WINDOW_SECONDS,
           "Too many look-ups from this connection. Wait a minute and try again.")
    for force in deps.settings.forces:
        verification_id = deps.verifications.active_verification_id(force, number)
        verification = deps.verifications.get(verification_id) if verification_id else None
        if verification is not None and verification.status in RUNNING and verification.officer.officer_id == number:
            return verification.reference
    return None


def _number_or_fail(typed: str) -> str:
    number = warrant_number(typed)
    if number is None:
        raise ValidationFailed("officer_id: must be the officer's number as on the warrant card (letters and digits)")
    return number


def _serving_officers(deps: Dependencies, number: str) -> list[RegistryRecord]:
    """Officers (the role that starts checks) serving in a force this deployment serves."""
    found = []
    for force in deps.settings.forces:
        record = deps.registry.get(force, number)
        if record is not None and record.status is OfficerStatus.SERVING and record.role is Role.OFFICER:
            found.append(record)
    return found


def _ask(deps: Dependencies, record: RegistryRecord, where: str | None) -> None:
    """Audit the request; unless one was made in the last 10 minutes, alert and text the officer."""
    now = deps.clock()
    at, day = iso_z(now) or "", utc_day(now)
    chain_id = check_request_chain_id(record.force, record.officer_id, day)
    fold_key = refusal_fold(record.force, record.officer_id, AlertKind.CITIZEN_REQUEST.value)
    fold = deps.alert_folds.fold(fold_key, int(now.timestamp()), at, REQUEST_WINDOW_SECONDS)
    # Her words are personal data: sealed under the chain's key, unreadable once it is erased.
    deps.envelope.ensure_key(chain_id, day)
    seq = append_to_chain(deps, record.force, chain_id, PendingEvent(EventType.CITIZEN_CHECK_REQUESTED, CITIZEN, {
        "officer_id": record.officer_id,
        "where": deps.envelope.seal(chain_id, where),
        "alert": "raised" if fold.alert else "folded",
    }))
    if not fold.alert:
        return
    officer = {"officer_id": record.officer_id, "rank": record.rank, "given_name": record.given_name,
               "family_name": record.family_name}
    alert = dataclasses.replace(
        new_alert(deps, AlertKind.CITIZEN_REQUEST, record.force, chain_id, officer=officer), where=where
    )
    subject = f"Safe Connection: a citizen asks {record.rank} {record.officer_id} for a check"
    published = raise_alert(deps, alert, subject, _alert_message(record, chain_id, seq, officer, where, at,
                                                                 fold.attempts, fold.previous_alert_at))
    texted, error = _text_officer(deps, record)
    outcome = [PendingEvent(EventType.ALERT_SENT if published else EventType.ALERT_FAILED, SYSTEM,
                            {"alert_type": AlertKind.CITIZEN_REQUEST.value})]
    if texted:
        outcome.append(PendingEvent(EventType.SMS_SENT, SYSTEM,
                                    {"recipients": [record.officer_id], "reason": "citizen_check_request"}))
    else:
        outcome.append(PendingEvent(EventType.SMS_FAILED, SYSTEM,
                                    {"failed": [record.officer_id], "errors": {record.officer_id: error}}))
    for pending in outcome:
        append_to_chain(deps, record.force, chain_id, pending)
    if not (published and texted):
        # The next request alerts and texts again, reporting this one too.
        deps.alert_folds.reopen(fold_key, fold, at)


def _alert_message(record: RegistryRecord, chain_id: str, seq: int, officer: dict[str, Any], where: str | None,
                   at: str, attempts: int, previous_alert_at: str | None) -> dict[str, Any]:
    return {
        "type": AlertKind.CITIZEN_REQUEST.value,
        "force": record.force,
        "attempt_id": chain_id,
        "audit_seq": seq,
        "officer_id": record.officer_id,
        "officer": officer,
        "where": where,
        "at": at,
        # Requests this alert stands for: this one and those folded since the previous alert.
        "attempts": attempts,
        "previous_alert_at": previous_alert_at,
    }


def _text_officer(deps: Dependencies, record: RegistryRecord) -> tuple[bool, str]:
    """Text the officer's registry phone, in the force's language; (sent, error code if not)."""
    if not record.phone:
        return False, "no_phone"
    link = f"{deps.settings.public_base_url.rstrip('/')}/o"
    try:
        deps.sms.send_sms(record.phone, check_request_sms(record.rank, record.officer_id, link,
                                                          deps.settings.default_language))
    except Exception as error:  # noqa: BLE001 - audited; the control room has the alert
        code = error_code(error)
        logger.warning("check_request_sms_failed", extra={"recipient_officer_id": record.officer_id, "error": code})
        return False, code
    return True, ""
