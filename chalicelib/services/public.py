"""What the person who was stopped sees."""


from datetime import timedelta
from typing import TYPE_CHECKING, Any


from ..domain import references
from ..domain.clock import iso_z
from ..domain.errors import (
    NotFound,
    RateLimited,
)
from ..domain.public import advice_for
from ..domain.verification import Status

if TYPE_CHECKING:
    from ..bootstrap import Dependencies



def public_view(deps: "Dependencies", typed_reference: str, client_address: str | None = None) -> dict[str, Any]:
    """What the person who was stopped sees: no location, no notes, no phone numbers.

    Rate-limited per client address, so references cannot be guessed by brute force.
    """
    if client_address is not None:
        allowed = deps.rate_limiter.allow(
            f"public#{deps.client_address_keys.address(client_address)}",
            deps.settings.public_views_per_minute, 60, deps.clock().timestamp(),
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
