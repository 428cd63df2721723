"""Accept, cancel, outcome and radio confirmation (SPEC §4, §7.3): what a sergeant or the control room sends."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from .base import TextLines, _Strict


class EmptyRequest(_Strict):
    """Accept and cancel take `{}`: anything else is a client mistake."""


class OutcomeRequest(_Strict):
    outcome: Literal["confirmed", "not_confirmed"]
    note: Annotated[TextLines, StringConstraints(max_length=500)] | None = None
    # How the sergeant saw the officer: the page sends "audio" once the call fell back to audio
    # only. "radio" is refused here: only the control room confirms by radio (its own route).
    method: Literal["video", "audio"] = "video"


class RadioConfirmationRequest(_Strict):
    """`POST /verifications/{id}/radio-confirmation` (SPEC §7.3): the control room's decision."""

    outcome: Literal["confirmed", "not_confirmed"]
    note: Annotated[TextLines, StringConstraints(max_length=500)] | None = None
