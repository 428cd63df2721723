"""The checks request models run on free text and positions, as plain functions (no pydantic):
the pydantic models (base.py, start.py) and the start body's plain validator (start_body.py) use
the same ones, and `first_error_message` turns either's error into the SPEC's message."""

from __future__ import annotations

import unicodedata
from typing import Any


def printable(value: str, allowed: str = "") -> str:
    """Free text goes into SMS, alerts, pages and the audit log: control characters have no place
    there, and a lone surrogate (valid JSON, `"\\udafc"`) cannot even be encoded to send."""
    for character in value:
        if character not in allowed and unicodedata.category(character) in ("Cc", "Cs"):
            raise ValueError("must be printable text (no control characters)")
    return value


def no_contact_lookalike(value: str) -> str:
    """The area goes into the sergeants' SMS before the real link (see domain/sms.py)."""
    from ..domain.sms import contact_lookalike

    what = contact_lookalike(value)
    if what is not None:
        raise ValueError(f"must not look like {what}: it is sent to sergeants in front of the real link")
    return value


def to_seven_places(value: float) -> float:
    """Seven decimal places (about 1 cm) is more than any phone measures; rounding also keeps
    numbers like 1e-191 (valid JSON) inside what DynamoDB can store (down to 1e-130)."""
    return round(value, 7) + 0.0  # + 0.0: no -0.0


def first_error_message(errors: list[Any], missing_field_message: str | None = None) -> str:
    """`field.path: message` for the first of pydantic-core's errors (SPEC error body)."""
    first = errors[0]
    path = ".".join(str(part) for part in first["loc"])
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = missing_field_message or message
    elif first["type"] == "value_error":
        message = str(first.get("ctx", {}).get("error", message))
    return f"{path}: {message}" if path else message
