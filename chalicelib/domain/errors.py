"""Typed domain errors. Each carries the stable SPEC error `code`; api/errors.py maps codes to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: `code` is the machine-readable contract code, `message` is for humans."""

    code = "internal_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidJson(DomainError):
    code = "invalid_json"


class ValidationFailed(DomainError):
    code = "validation_error"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class OfficerNotServing(DomainError):
    code = "officer_not_serving"


class NotOnDuty(DomainError):
    code = "not_on_duty"


class CannotVerifySelf(DomainError):
    code = "cannot_verify_self"


class NotFound(DomainError):
    code = "not_found"


class AlreadyAccepted(DomainError):
    code = "already_accepted"


class InvalidTransition(DomainError):
    code = "invalid_state"


class ActiveVerificationExists(DomainError):
    code = "active_verification_exists"

    def __init__(self, verification_id: str) -> None:
        super().__init__(
            "You already have a verification in progress; finish or cancel it first.",
            verification_id=verification_id,
        )
        self.verification_id = verification_id


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class ConcurrentUpdate(Exception):
    """Raised by repositories when an optimistic (conditional) write lost a race.

    Not a client-facing error: services re-read and decide what the race means.
    """
