"""`registry import` (SPEC §7.1): the rules a force's registry file must meet, checked all at once.

Pure: the file's bytes in, rows or problems out. Photo files are looked at through a callable the
caller passes (`PhotoLookup`), so these rules run in unit tests without a disk layout or AWS.
Every problem is reported as `line N: field: message`, N counting the file's physical lines
(the header is line 1), so an operator can fix the whole file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from .registry import MAX_PHOTO_BYTES, RANKS, Duty, OfficerStatus, Role

HEADER = ("officer_id", "given_name", "family_name", "rank", "role", "status", "phone", "email", "duty", "photo")
MAX_NAME_LENGTH = 60  # as PUT /officers/{officer_id} allows
MAX_EMAIL_LENGTH = 254
OFFICER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
# Plausible, not RFC 5322: one @, no spaces, a dot in the domain. Cognito sends the invitation here.
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
FORCE = re.compile(r"[a-z][a-z0-9-]{1,31}")  # Cognito's custom:force holds 2-32 characters

E = TypeVar("E", Role, OfficerStatus, Duty)

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where it is."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class PhotoFile:
    """A photo file that passed the checks: its kind by content (not by name) and its SHA-256."""

    name: str
    content_type: str
    extension: str
    sha256: str
    size: int


# The caller looks a photo up by its file name: a PhotoFile, or a message saying what is wrong.
PhotoLookup = Callable[[str], "PhotoFile | str"]


@dataclass(frozen=True)
class ImportRow:
    """One valid person of the file (values stripped of surrounding spaces, enums parsed)."""

    line: int
    officer_id: str
    given_name: str
    family_name: str
    rank: str
    role: Role
    status: OfficerStatus
    phone: str | None
    email: str
    duty: Duty | None
    photo: PhotoFile | None


def photo_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, or None if it is neither JPEG nor PNG."""
    if head.startswith(PNG_MAGIC):
        return "image/png", "png"
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg", "jpg"
    return None


def check_photo_bytes(name: str, size: int, head: bytes, sha256: str) -> PhotoFile | str:
    """The content rules for a photo: not empty, under 5 MB, a real JPEG or PNG by its magic bytes."""
    if size == 0:
        return "the file is empty"
    if size >= MAX_PHOTO_BYTES:
        return f"{size / 1024 / 1024:.1f} MB; photos must be under 5 MB"
    kind = photo_kind(head)
    if kind is None:
        return "not a JPEG or PNG image (by its content)"
    return PhotoFile(name=name, content_type=kind[0], extension=kind[1], sha256=sha256, size=size)


def valid_force(force: str) -> bool:
    return FORCE.fullmatch(force) is not None


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(character) in ("Cc", "Cs") for character in value)


def _decode(data: bytes) -> str | Problem:
    """The file's text, or the problem that it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")  # a byte order mark (Excel's "CSV UTF-8") is allowed
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Problem(line, "file", f"not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8")


def _records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(the physical line a CSV record starts on, its fields, or why it is not CSV): a quoted
    field may span lines. Reading stops at the first malformed record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, None, str(error)
            return
        yield start, fields, None
        start = reader.line_num + 1


def validate(data: bytes, photos: PhotoLookup | None) -> tuple[list[ImportRow], list[Problem]]:
    """Check every row of the file; rows are returned only when there is no problem at all.

    `photos` is None when no photo folder was given: then any row naming a photo is a problem.
    """
    text = _decode(data)
    if isinstance(text, Problem):
        return [], [text]
    records = _records(text)
    first = next(records, None)
    expected = ",".join(HEADER)
    if first is None:
        return [], [Problem(1, "header", f"the file is empty; the first line must be {expected}")]
    header_line, header, _ = first
    if header is None or tuple(name.strip() for name in header) != HEADER:
        return [], [Problem(header_line, "header", f"must be exactly {expected}")]

    rows: list[ImportRow] = []
    problems: list[Problem] = []
    first_line_of: dict[str, int] = {}
    first_line_of_username: dict[str, int] = {}
    for line, fields, malformed in records:
        if fields is None:
            problems.append(Problem(line, "row", f"not valid CSV ({malformed})"))
            break
        if not fields or all(not field.strip() for field in fields):
            continue  # blank lines (a trailing one, or spacing) are not people
        if len(fields) != len(HEADER):
            problems.append(Problem(line, "row", f"expected {len(HEADER)} fields, found {len(fields)}"))
            continue
        values = dict(zip(HEADER, (f.strip() for f in fields), strict=True))  # the length was checked above
        officer_id, row, row_problems = _check_row(line, values, photos)
        if officer_id is not None:
            if officer_id in first_line_of:
                row_problems.append(Problem(line, "officer_id", f"{officer_id} is already on line "
                                            f"{first_line_of[officer_id]}"))
            elif officer_id.lower() in first_line_of_username:
                # Sign-in names are the officer id in lower case: ids may not differ by case alone.
                row_problems.append(Problem(line, "officer_id", f"{officer_id} differs only in case from the id "
                                            f"on line {first_line_of_username[officer_id.lower()]}"))
            first_line_of.setdefault(officer_id, line)
            first_line_of_username.setdefault(officer_id.lower(), line)
        problems += row_problems
        if row is not None and not row_problems:
            rows.append(row)
    return (rows, []) if not problems else ([], problems)


def _check_row(
    line: int, values: dict[str, str], photos: PhotoLookup | None
) -> tuple[str | None, ImportRow | None, list[Problem]]:
    """(the officer id if it is well formed, the row if the whole row is valid, its problems)."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(line, field, message))

    for field in HEADER:
        if _has_control_characters(values[field]):
            bad(field, "must be printable text (no control characters)")
    if problems:
        return None, None, problems

    officer_id = values["officer_id"]
    if not officer_id:
        bad("officer_id", "required")
    elif OFFICER_ID.fullmatch(officer_id) is None:
        bad("officer_id", "1-32 letters, digits, '-' or '_', starting with a letter or digit")
    for field in ("given_name", "family_name"):
        if not values[field]:
            bad(field, "required")
        elif len(values[field]) > MAX_NAME_LENGTH:
            bad(field, f"at most {MAX_NAME_LENGTH} characters")
    rank = values["rank"]
    if rank not in RANKS:
        bad("rank", f"unknown rank {rank!r}; one of {', '.join(RANKS)}" if rank else "required")
    role = _enum(Role, values["role"], "role", bad)
    status = _enum(OfficerStatus, values["status"], "status", bad)
    phone = values["phone"] or None
    if phone is not None and E164.fullmatch(phone) is None:
        bad("phone", "must be E.164, e.g. +447700900123")
    elif phone is None and role is Role.SERGEANT:
        bad("phone", "required for sergeants (E.164, e.g. +447700900123)")
    email = values["email"]
    if not email:
        bad("email", "required (the sign-in invitation is sent there)")
    elif len(email) > MAX_EMAIL_LENGTH or EMAIL.fullmatch(email) is None:
        bad("email", "not a plausible email address")
    duty: Duty | None = None
    if values["duty"]:
        duty = _enum(Duty, values["duty"], "duty", bad)
        if duty is not None and role is not None and role is not Role.SERGEANT:
            bad("duty", "only sergeants have a duty status")
    photo = _check_photo(values["photo"], photos, bad)
    well_formed_id = officer_id if OFFICER_ID.fullmatch(officer_id) else None
    if problems:
        return well_formed_id, None, problems
    if role is None or status is None:
        # _enum reports a problem whenever it gives None, so a row without problems has both.
        raise RuntimeError(f"line {line}: no problem reported, yet the role or status is missing")
    return well_formed_id, ImportRow(
        line=line, officer_id=officer_id, given_name=values["given_name"], family_name=values["family_name"],
        rank=rank, role=role, status=status, phone=phone, email=email, duty=duty, photo=photo,
    ), []


def _enum(kind: type[E], value: str, field: str, bad: Callable[[str, str], None]) -> E | None:
    try:
        return kind(value)
    except ValueError:
        allowed = "|".join(member.value for member in kind)
        bad(field, f"must be one of {allowed}" if value else f"required: {allowed}")
        return None


def _check_photo(name: str, photos: PhotoLookup | None, bad: Callable[[str, str], None]) -> PhotoFile | None:
    if not name:
        return None
    if photos is None:
        bad("photo", "names a photo file, but no --photos DIR was given")
        return None
    if name in (".", "..") or "/" in name or "\\" in name:
        bad("photo", "a file name inside --photos, not a path")
        return None
    found = photos(name)
    if isinstance(found, str):
        bad("photo", f"{name}: {found}")
        return None
    return found
