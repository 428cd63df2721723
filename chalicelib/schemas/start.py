"""`POST /verifications` (SPEC §4): where the stop is. The only models an officer's first start builds."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .base import Text, _Strict


def _no_contact_lookalike(value: str) -> str:
    """The area goes into the sergeants' SMS before the real link (see domain/sms.py)."""
    from ..domain.sms import contact_lookalike

    what = contact_lookalike(value)
    if what is not None:
        raise ValueError(f"must not look like {what}: it is sent to sergeants in front of the real link")
    return value


def _to_seven_places(value: float) -> float:
    """Seven decimal places (about 1 cm) is more than any phone measures; rounding also keeps
    numbers like 1e-191 (valid JSON) inside what DynamoDB can store (down to 1e-130)."""
    return round(value, 7) + 0.0  # + 0.0: no -0.0


class LocationIn(_Strict):
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), AfterValidator(_to_seven_places)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False), AfterValidator(_to_seven_places)]
    accuracy_m: (
        Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False), AfterValidator(_to_seven_places)] | None
    ) = None


class StartVerificationRequest(_Strict):
    """Where the stop is: the phone's position, or - when the officer refuses or the phone cannot
    fix one - the area typed by hand. One of the two is required: the control room must know where."""

    location: LocationIn | None = None
    area: Annotated[Text, StringConstraints(max_length=80), AfterValidator(_no_contact_lookalike)] | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> StartVerificationRequest:
        if self.location is None and self.area is None:
            raise ValueError("location or area is required")
        return self
