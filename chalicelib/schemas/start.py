"""`POST /verifications` (SPEC §4): where the stop is. The only models an officer's first start builds."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .base import Text, _Strict
from .rules import no_contact_lookalike, to_seven_places

_no_contact_lookalike = no_contact_lookalike
_to_seven_places = to_seven_places


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
