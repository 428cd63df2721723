"""Citizen reference numbers: random, at least 40 bits, easy to read aloud.

The alphabet drops 0/O and 1/I/L so a reference read out on a dark pavement cannot be misheard.
31 symbols x 9 characters = 44.6 bits (8 characters would give only 39.6 bits).
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 3
GROUP_LENGTH = 3
PREFIX = "SC"
ENTROPY_BITS = GROUPS * GROUP_LENGTH * math.log2(len(ALPHABET))

_PATTERN = re.compile(
    rf"^{PREFIX}(-[{ALPHABET}]{{{GROUP_LENGTH}}}){{{GROUPS}}}$"
)


def new_reference(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh reference such as `SC-7KQ-29X-HMP`."""
    groups = ["".join(choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)]
    return "-".join([PREFIX, *groups])


def normalise(typed: str) -> str | None:
    """Turn what a person typed (any case, spaces, missing dashes) into a reference, or None."""
    compact = re.sub(r"[\s\-]", "", typed)
    if not compact.isascii():
        return None  # e.g. "ß".upper() == "SS" would otherwise sneak in
    compact = compact.upper()
    body_length = GROUPS * GROUP_LENGTH
    if len(compact) == body_length + len(PREFIX) and compact.startswith(PREFIX):
        compact = compact[len(PREFIX):]
    if len(compact) != body_length:
        return None
    groups = [compact[i : i + GROUP_LENGTH] for i in range(0, len(compact), GROUP_LENGTH)]
    candidate = "-".join([PREFIX, *groups])
    return candidate if _PATTERN.match(candidate) else None
