"""What a citizen sends (SPEC §7.4): a check request, and an "I feel unsafe" report."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from .base import PRINTABLE_PATTERN, Text, _printable, _Strict
from .patterns import OFFICER_ID


def _no_format_characters(value: str) -> str:
    """Anyone may send these words to the control room's board: no invisible characters in them
    (a right-to-left override would make "Rd Camden" read otherwise than it was typed)."""
    if any(unicodedata.category(character) == "Cf" for character in value):
        raise ValueError("must be plain text (no invisible formatting characters)")
    return value


class CheckRequestIn(_Strict):
    """`POST /public/check-requests` (SPEC §7.4): the number on the warrant card, and where she is
    in her own words if she says (80 characters, for the control room only)."""

    officer_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=OFFICER_ID)]
    where: Annotated[Text, StringConstraints(max_length=80), AfterValidator(_no_format_characters)] | None = None


def _blank_is_none(value: str) -> str | None:
    return value or None


class UnsafeReportRequest(_Strict):
    """`POST /public/verifications/{reference}/unsafe` (SPEC §7.4): where she is, in her own words,
    if she says. A field left empty (what a form sends) is the same as no field: never a refusal."""

    where: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80), AfterValidator(_printable),
                     AfterValidator(_blank_is_none),
                     Field(json_schema_extra={"pattern": PRINTABLE_PATTERN})] | None = None
