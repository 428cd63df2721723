"""What every request model shares: strictness, the free-text types, and `parse` (pydantic).

Requests are strict (no type coercion, unknown fields rejected) so a malformed client fails loudly.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..domain.errors import ValidationFailed
from .rules import first_error_message, printable

_printable = printable


def _printable_lines(value: str) -> str:
    return _printable(value, allowed="\n\t")  # a note typed into a text box may have line breaks


# The patterns document the rule in the OpenAPI document (and steer the fuzzer); the validators enforce it.
PRINTABLE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable),
                 Field(json_schema_extra={"pattern": PRINTABLE_PATTERN})]
TextLines = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable_lines),
                      Field(json_schema_extra={"pattern": "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"})]


class _Strict(BaseModel):
    # Validators are built on first use, not at import: a cold start pays only for the models its
    # first request needs (building all of them at import cost ~100 ms of every cold start).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


def parse(model: type[BaseModel], data: Any) -> Any:
    """Validate or raise ValidationFailed with `field.path: message` (SPEC error body)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(
            first_error_message(error.errors(), getattr(model, "missing_field_message", None))
        ) from None
