"""The identifier patterns of the API contract (no pydantic: the registry's use cases check ids with them)."""

from __future__ import annotations

import re

E164 = r"^\+[1-9][0-9]{7,14}$"
OFFICER_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
PHOTO_KEY = r"^[A-Za-z0-9][A-Za-z0-9/_.=-]{0,254}$"


def valid_officer_id(officer_id: str) -> bool:
    return re.fullmatch(OFFICER_ID.strip("^$"), officer_id) is not None
