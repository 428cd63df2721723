"""`POST /verifications`' body, validated in plain Python: the same rules and, to the letter, the same
error messages as `start.py`'s pydantic models, without importing pydantic or pydantic-core.

Why: an officer's first start in a fresh container is the request whose cold start matters most
(issue 17). Importing pydantic (models, fields, type machinery) costs about 110 ms of it, and even
pydantic-core alone about 30 ms (its Python schema module builds hundreds of TypedDicts at import).
This body has two fields; checking them by hand costs nothing to import.

The models in start.py stay the contract (the OpenAPI document is generated from them), and
`tests/unit/test_start_body.py` runs both on hypothesis-generated bodies and requires the same
values or the same message. Errors are built in pydantic-core's shape and formatted by the same
`first_error_message`, so the first error wins in pydantic's order: `location` (its fields, then
its unknown fields), `area`, then unknown top-level fields, then "location or area".
"""

from __future__ import annotations

import math
from typing import Any

from ..domain.errors import ValidationFailed
from .rules import first_error_message, no_contact_lookalike, printable, to_seven_places

AREA_MAX_LENGTH = 80
# What pydantic-core's `strip_whitespace` strips: Rust's `char::is_whitespace` (Unicode White_Space).
# Python's own str.strip() also strips U+001C..U+001F, which pydantic keeps (and then refuses).
_WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class LocationIn:
    """A validated position (named as the model it mirrors: the name is in pydantic's messages)."""

    __slots__ = ("accuracy_m", "lat", "lon")

    def __init__(self, lat: float, lon: float, accuracy_m: float | None) -> None:
        self.lat, self.lon, self.accuracy_m = lat, lon, accuracy_m


class StartVerificationRequest:
    """The validated start body: `location`, `area`, and `model_dump` as the pydantic model's."""

    __slots__ = ("area", "location")

    def __init__(self, location: LocationIn | None, area: str | None) -> None:
        self.location, self.area = location, area

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        location = self.location
        return {
            "location": None if location is None else
            {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m},
            "area": self.area,
        }


class _Refused(Exception):
    """Internal: the first problem found, as one error in pydantic-core's shape."""

    def __init__(self, kind: str, loc: tuple[str, ...], msg: str, error: ValueError | None = None) -> None:
        super().__init__(msg)
        self.error = {"type": kind, "loc": loc, "msg": msg, "ctx": {} if error is None else {"error": error}}


def parse_start_body(data: Any) -> StartVerificationRequest:
    """Validate a start body or raise ValidationFailed with the pydantic model's message."""
    try:
        return _start(data)
    except _Refused as refused:
        raise ValidationFailed(first_error_message([refused.error])) from None


def _start(data: Any) -> StartVerificationRequest:
    if not isinstance(data, dict):
        raise _Refused("model_type", (), "Input should be a valid dictionary or instance of StartVerificationRequest")
    location = _location(data["location"]) if data.get("location") is not None else None
    area = _area(data["area"]) if data.get("area") is not None else None
    _no_unknown_fields(data, ("location", "area"), ())
    if location is None and area is None:
        problem = ValueError("location or area is required")
        raise _Refused("value_error", (), f"Value error, {problem}", problem)
    return StartVerificationRequest(location, area)


def _location(value: Any) -> LocationIn:
    if not isinstance(value, dict):
        raise _Refused("model_type", ("location",), "Input should be a valid dictionary or instance of LocationIn")
    lat = _coordinate(value, -90, 90, "lat")
    lon = _coordinate(value, -180, 180, "lon")
    accuracy_m = None if value.get("accuracy_m") is None else _coordinate(value, 0, 100_000, "accuracy_m")
    _no_unknown_fields(value, ("lat", "lon", "accuracy_m"), ("location",))
    return LocationIn(lat, lon, accuracy_m)


def _coordinate(location: dict[Any, Any], low: int, high: int, name: str) -> float:
    """`location[name]`: a strict float (a JSON number, not a boolean), finite, within [low, high],
    to seven places."""
    loc = ("location", name)
    if name not in location:
        raise _Refused("missing", loc, "Field required")
    value = location[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused("float_type", loc, "Input should be a valid number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float (pydantic: not a number)
        raise _Refused("float_type", loc, "Input should be a valid number") from None
    if not math.isfinite(number):
        raise _Refused("finite_number", loc, "Input should be a finite number")
    if number < low:
        raise _Refused("greater_than_equal", loc, f"Input should be greater than or equal to {low}")
    if number > high:
        raise _Refused("less_than_equal", loc, f"Input should be less than or equal to {high}")
    return to_seven_places(number)


def _area(value: Any) -> str:
    """`Text` (stripped, at least one character, printable), at most 80 characters, no look-alike:
    checked in the order pydantic runs them, so the same problem is named first."""
    loc = ("area",)
    if not isinstance(value, str):
        raise _Refused("string_type", loc, "Input should be a valid string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: pydantic-core cannot take it as a string at all
        raise _Refused("string_unicode", loc,
                       "Input should be a valid string, unable to parse raw data as a unicode string") from None
    text: str = value.strip(_WHITE_SPACE)
    if not text:
        raise _Refused("string_too_short", loc, "String should have at least 1 character")
    for check in (printable, _at_most_80, no_contact_lookalike):
        try:
            text = check(text)
        except ValueError as problem:
            raise _Refused("value_error", loc, f"Value error, {problem}", problem) from None
    return text


def _at_most_80(value: str) -> str:
    if len(value) > AREA_MAX_LENGTH:
        raise _Refused("too_long", ("area",),
                       f"Value should have at most {AREA_MAX_LENGTH} items after validation, not {len(value)}")
    return value


def _no_unknown_fields(data: dict[Any, Any], known: tuple[str, ...], at: tuple[str, ...]) -> None:
    for key in data:
        if key not in known:
            raise _Refused("extra_forbidden", (*at, str(key)), "Extra inputs are not permitted")
