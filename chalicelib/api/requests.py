"""Reading a request safely: size limit, strict JSON, bearer token."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice.app import Request

from ..bootstrap import get_dependencies
from ..domain.access import Principal
from ..domain.errors import InvalidJson, PayloadTooLarge, Unauthenticated, ValidationFailed
from .lazy import resolved

if TYPE_CHECKING:
    from pydantic import BaseModel

MAX_BODY_BYTES = 16 * 1024


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def json_body(request: Request, model: type[BaseModel]) -> Any:
    """Parse and validate the body. An empty body counts as `{}` only for models with no fields."""
    data = json_object(request)
    from ..schemas.base import parse  # pydantic, and only the validator of this route's model (defer_build)

    return parse(resolved(model), data)


def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object (not yet validated): InvalidJson, PayloadTooLarge or
    ValidationFailed when it is not one. An empty body is `{}`."""
    raw = request.raw_body or b""
    if isinstance(raw, str):  # Chalice hands over bytes; a str only in hand-built test requests
        raw = raw.encode("utf-8")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES // 1024} KiB.")
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError):
            raise InvalidJson("The body is not valid JSON.") from None
        except RecursionError:  # thousands of nested brackets: Python's parser gives up
            raise InvalidJson("The body is nested too deeply to be a request.") from None
    if not isinstance(data, dict):
        raise ValidationFailed("body: must be a JSON object")
    return data


def idempotency_key(request: Request) -> str | None:
    key: str | None = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 1 <= len(key) <= 64 or not key.isprintable():
        raise ValidationFailed("Idempotency-Key: must be 1-64 printable characters")
    return key


def query_param(request: Request, name: str) -> str | None:
    """One query-string parameter (the last, when repeated), or None."""
    params = request.query_params
    value: str | None = params.get(name) if params is not None else None
    return value


def authenticate(request: Request, *, registry_checked_by_use_case: bool = False) -> Principal:
    """Verify the bearer ID token, then let the registry decide (SPEC §7.2), on every route.

    A start reads the registry itself, fresh, so it can audit and alert the refusal with where the
    officer was (SPEC §3): only that route passes `registry_checked_by_use_case`.
    """
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Sign in first: send `Authorization: Bearer <id token>`.")
    deps = get_dependencies()
    principal = deps.identity.verify(token.strip())
    if not registry_checked_by_use_case:
        from ..services.registry_gate import admit

        admit(deps, principal, f"{request.method} {(request.context or {}).get('resourcePath', '')}")
    return principal
