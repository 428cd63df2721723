"""`POST /verifications`' body, validated by pydantic-core alone: the same rules and the same error
messages as `start.py`'s models, without importing pydantic itself.

Why: importing pydantic (its models, fields and type machinery) is about 110 ms of an officer's
first start in a fresh container, the request whose cold start matters most (issue 17); its core
(the Rust validator every pydantic model runs on) is about 30 ms. The models in start.py stay the
contract (the OpenAPI document is generated from them) and `tests/unit/test_start_body_core.py`
runs both on the same generated bodies and requires the same result or the same message.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticKnownError, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from ..domain.errors import ValidationFailed
from .rules import first_error_message, no_contact_lookalike, printable, to_seven_places

AREA_MAX_LENGTH = 80


class LocationIn:
    """A validated position (named as the model it mirrors: the name is in pydantic's messages)."""

    lat: float
    lon: float
    accuracy_m: float | None


class StartVerificationRequest:
    """The validated start body: `location`, `area`, and `model_dump` as the pydantic model's."""

    location: LocationIn | None
    area: str | None

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        location = self.location
        return {
            "location": None if location is None else
            {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m},
            "area": self.area,
        }


def _at_most_80(value: str) -> str:
    if len(value) > AREA_MAX_LENGTH:
        # What pydantic's own max_length check raises after a validator (its message, to the letter).
        raise PydanticKnownError("too_long", {"field_type": "Value", "max_length": AREA_MAX_LENGTH,
                                              "actual_length": len(value)})
    return value


def _somewhere(value: StartVerificationRequest) -> StartVerificationRequest:
    if value.location is None and value.area is None:
        raise ValueError("location or area is required")
    return value


def _coordinate(ge: float, le: float) -> cs.CoreSchema:
    return cs.no_info_after_validator_function(to_seven_places, cs.float_schema(allow_inf_nan=False, ge=ge, le=le))


def _config(title: str) -> cs.CoreConfig:
    return cs.CoreConfig(extra_fields_behavior="forbid", strict=True, title=title)


_LOCATION = cs.model_schema(LocationIn, cs.model_fields_schema({
    "lat": cs.model_field(_coordinate(-90, 90)),
    "lon": cs.model_field(_coordinate(-180, 180)),
    "accuracy_m": cs.model_field(cs.with_default_schema(cs.nullable_schema(_coordinate(0, 100_000)), default=None)),
}, model_name="LocationIn"), config=_config("LocationIn"))

# As pydantic builds `Text` + max_length 80 + the look-alike check: strip and min length in the
# string schema, then printable, then the length, then the look-alike (the same order of errors).
_AREA = cs.no_info_after_validator_function(no_contact_lookalike, cs.no_info_after_validator_function(
    _at_most_80, cs.no_info_after_validator_function(printable, cs.str_schema(strip_whitespace=True, min_length=1))))

_START = cs.no_info_after_validator_function(_somewhere, cs.model_schema(
    StartVerificationRequest, cs.model_fields_schema({
        "location": cs.model_field(cs.with_default_schema(cs.nullable_schema(_LOCATION), default=None)),
        "area": cs.model_field(cs.with_default_schema(cs.nullable_schema(_AREA), default=None)),
    }, model_name="StartVerificationRequest"), config=_config("StartVerificationRequest")))

_validator: SchemaValidator | None = None


def parse_start_body(data: Any) -> StartVerificationRequest:
    """Validate a start body or raise ValidationFailed with the pydantic model's message."""
    global _validator
    if _validator is None:
        _validator = SchemaValidator(_START)  # built on first use, as the pydantic models are
    try:
        validated: StartVerificationRequest = _validator.validate_python(data)
        return validated
    except ValidationError as error:
        raise ValidationFailed(first_error_message(error.errors())) from None
