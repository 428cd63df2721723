"""What the person who was stopped sees, and how look-ups are limited (SPEC §7.4).

Only look-ups that miss (a reference that is malformed, unknown or no longer shown) are counted, at
most `public_views_per_minute` per client address: guessing references is bounded, and a citizen
watching her own check is never counted. An address over its budget can find nothing new, though:
were a hit still answered, a guesser could tell hits from refusals forever. So an address that has
found a check holds a pass for it (a pseudonym of address and reference, kept while the check is
shown) and keeps watching it whatever else happens on that address: three phones behind one
carrier address, or someone on it guessing on purpose.
"""


from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ..adapters.dynamodb.keys import public_miss_budget
from ..domain import references
from ..domain.errors import (
    NotFound,
    RateLimited,
)
from ..domain.verification import Verification

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

MISS_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class PublicCheck:
    """A check as the public may see it: the verification (of which only the reference, status,
    officer's rank and family name, confirming sergeant and times are shown) and the officer's photo link."""

    verification: Verification
    photo_url: str | None


def public_view(deps: "Dependencies", typed_reference: str, client_address: str | None = None) -> PublicCheck:
    """What the person who was stopped sees: no location, no notes, no phone numbers.

    With `client_address` (every HTTP request), misses are limited per address (see the module).
    """
    verification = shown_check(deps, typed_reference, client_address)
    record = deps.registry.get(verification.force, verification.officer.officer_id)
    return PublicCheck(verification, deps.photos.url_for(record.photo if record else None))


def shown_check(deps: "Dependencies", typed_reference: str, client_address: str | None = None) -> Verification:
    """The check a typed reference shows the public now, counted as any look-up (see the module):
    NotFound (malformed, unknown, too old), RateLimited (an address over its miss budget)."""
    reference = references.normalise(typed_reference)
    verification = _shown(deps, reference)
    if client_address is not None:
        _limit(deps, client_address, reference, verification)
    if verification is None:
        raise NotFound("No check with this reference. Check the reference and try again.")
    return verification


def _shown(deps: "Dependencies", reference: str | None) -> Verification | None:
    """The check this reference shows the public now, or None (malformed, unknown, too old)."""
    verification_id = deps.verifications.find_id_by_reference(reference) if reference else None
    verification = deps.verifications.get(verification_id) if verification_id else None
    if verification is None or deps.clock() - verification.created_at > _shown_for(deps):
        return None
    return verification


def _shown_for(deps: "Dependencies") -> timedelta:
    return timedelta(hours=deps.settings.public_view_hours)


def _limit(deps: "Dependencies", client_address: str, reference: str | None, verification: Verification | None) -> None:
    """Count a miss against the address; let a hit through unless the address is over its budget
    and does not already watch this check. Raises RateLimited."""
    keys, now = deps.client_address_keys, deps.clock()
    budget = public_miss_budget(keys.address(client_address))
    limit = deps.settings.public_views_per_minute
    if verification is None:
        if not deps.rate_limiter.allow(budget, limit, MISS_WINDOW_SECONDS, now.timestamp()):
            raise _too_many()
        return
    watching = keys.address_and_reference(client_address, verification.reference)
    if deps.lookup_passes.holds(watching):
        return
    if deps.rate_limiter.exhausted(budget, limit, MISS_WINDOW_SECONDS, now.timestamp()):
        raise _too_many()
    deps.lookup_passes.grant(watching, int((verification.created_at + _shown_for(deps)).timestamp()))


def _too_many() -> RateLimited:
    return RateLimited("Too many look-ups of unknown references from this connection. Wait a minute and try again.",
                       retry_after=MISS_WINDOW_SECONDS)
