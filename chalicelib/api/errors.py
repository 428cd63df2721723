"""The one mapping from domain errors to the SPEC error body and HTTP status."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice.app import Response

from ..domain import errors
from ..observability import logger

STATUS_BY_CODE: dict[str, int] = {
    errors.InvalidJson.code: 400,
    errors.ValidationFailed.code: 400,
    errors.Unauthenticated.code: 401,
    errors.Forbidden.code: 403,
    errors.OfficerNotServing.code: 403,
    errors.NotOnDuty.code: 403,
    errors.CannotVerifySelf.code: 403,
    errors.NotFound.code: 404,
    errors.AlreadyAccepted.code: 409,
    errors.InvalidTransition.code: 409,
    errors.ActiveVerificationExists.code: 409,
    errors.IdempotencyConflict.code: 409,
    errors.PayloadTooLarge.code: 413,
    errors.RateLimited.code: 429,
}

Headers = dict[str, str | list[str]]
"""Response headers as Chalice takes them (a list repeats the header)."""

JSON_HEADERS: Headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}


def error_response(code: str, message: str, status: int, **extra: Any) -> Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message, **extra}}
    headers = dict(JSON_HEADERS)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="safe-connection"'
    return Response(body=body, status_code=status, headers=headers)


def from_domain_error(error: errors.DomainError) -> Response:
    extra = {k: v for k, v in error.details.items() if k == "verification_id"}
    response = error_response(error.code, error.message, STATUS_BY_CODE.get(error.code, 500), **extra)
    if isinstance(error, errors.RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def internal_error() -> Response:
    return error_response("internal_error", "Something went wrong on our side. Please try again.", 500)


def json_endpoint(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a view; turn domain errors into SPEC bodies and anything unexpected into a bare 500."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            result = view(*args, **kwargs)
        except errors.DomainError as error:
            return from_domain_error(error)
        except Exception:  # noqa: BLE001 - the trace goes to the log, never to the client
            logger.exception("unhandled_error")
            return internal_error()
        if isinstance(result, Response):
            return result
        return Response(body=result, status_code=200, headers=dict(JSON_HEADERS))

    return wrapper


# Chalice answers some requests itself (405, 415, unhandled 500) with {"Code", "Message"} bodies.
_CHALICE_CODES = {
    405: ("method_not_allowed", "This method is not allowed here."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    500: ("internal_error", "Something went wrong on our side. Please try again."),
}


def normalise_framework_error(response: Response) -> Response:
    """Rewrite Chalice's own error bodies into the SPEC shape (no stack trace ever leaves)."""
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body and "error" not in body:
        code, message = _CHALICE_CODES.get(response.status_code, ("bad_request", "Bad request."))
        if response.status_code not in _CHALICE_CODES and response.status_code < 500:
            code = "validation_error" if response.status_code == 400 else code
        return error_response(code, message, response.status_code)
    if response.status_code >= 500 and not isinstance(body, dict):
        return internal_error()
    return response
