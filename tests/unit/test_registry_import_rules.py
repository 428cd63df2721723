"""SPEC §7.1: the registry file's rules, each with its line number and the exact `line N: field: message`.

Pure: photo files are answered by a dict, so no disk and no AWS are involved."""

from __future__ import annotations

import hashlib

import pytest

from chalicelib.domain.registry import MAX_PHOTO_BYTES, Duty, OfficerStatus, RegistryRecord, Role, changed_fields
from chalicelib.domain.registry_import import (
    HEADER,
    PhotoFile,
    Problem,
    check_photo_bytes,
    photo_kind,
    valid_force,
    validate,
)
from chalicelib.domain.sign_in import AccountChange, SignInAccount, account_changes, username_for

HEAD = ",".join(HEADER)
OFFICER = "MP4721,Sam,Jones,PC,officer,serving,+447700900001,sam.jones@met.police.uk,,"
SERGEANT = "MP2001,Aisha,Patel,PS,sergeant,serving,+447700900004,aisha.patel@met.police.uk,available,patel.jpg"
CONTROL = "MP7001,Rita,Ng,PC,control_room,serving,,rita.ng@met.police.uk,,"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32


def photo(name: str, data: bytes = JPEG) -> PhotoFile:
    result = check_photo_bytes(name, len(data), data[:16], hashlib.sha256(data).hexdigest())
    assert isinstance(result, PhotoFile)
    return result


PHOTOS = {"patel.jpg": photo("patel.jpg"), "jones.png": photo("jones.png", PNG)}


def lookup(name: str) -> PhotoFile | str:
    return PHOTOS.get(name, "no such file in the photo folder")


def check(*lines: str, photos=lookup, header: str = HEAD) -> tuple[list, list[str]]:
    text = "\n".join([header, *lines]) + "\n"
    rows, problems = validate(text.encode("utf-8"), photos)
    return rows, [str(problem) for problem in problems]


def test_a_valid_file_gives_one_row_per_person_with_parsed_values():
    rows, problems = check(OFFICER, SERGEANT, CONTROL)
    assert problems == []
    officer, sergeant, control = rows
    assert (officer.line, officer.officer_id, officer.role, officer.status, officer.duty, officer.photo) == (
        2, "MP4721", Role.OFFICER, OfficerStatus.SERVING, None, None)
    assert (sergeant.line, sergeant.role, sergeant.duty, sergeant.phone) == (3, Role.SERGEANT, Duty.AVAILABLE,
                                                                             "+447700900004")
    assert sergeant.photo == PHOTOS["patel.jpg"] and sergeant.photo.content_type == "image/jpeg"
    assert (control.role, control.phone, control.email) == (Role.CONTROL_ROOM, None, "rita.ng@met.police.uk")


def test_the_problem_line_format_is_exact():
    assert str(Problem(7, "phone", "must be E.164, e.g. +447700900123")) == \
        "line 7: phone: must be E.164, e.g. +447700900123"


def test_the_header_must_be_exact():
    assert check(OFFICER, header="officer_id,given_name,family_name,rank,role,status,phone,email,duty")[1] == [
        f"line 1: header: must be exactly {HEAD}"]
    assert check(OFFICER, header=HEAD.replace("email", "e-mail"))[1] == [f"line 1: header: must be exactly {HEAD}"]
    assert validate(b"", lookup)[1] == [Problem(1, "header", f"the file is empty; the first line must be {HEAD}")]


def test_a_utf8_byte_order_mark_and_blank_lines_are_accepted():
    rows, problems = validate(("\ufeff" + HEAD + "\n" + OFFICER + "\n\n" + CONTROL + "\n").encode(), lookup)
    assert problems == [] and [r.line for r in rows] == [2, 4]


def test_a_file_that_is_not_utf8_names_the_line():
    data = ((HEAD + "\n" + OFFICER + "\n").encode()
            + "MP1,Zoë,Brown,PC,officer,serving,,z@met.police.uk,,\n".encode("latin-1"))
    assert validate(data, lookup) == ([], [Problem(3, "file", "not UTF-8 (byte 0xeb); save the file as UTF-8")])


@pytest.mark.parametrize("field, value, message", [
    ("officer_id", "", "required"),
    ("officer_id", "MP 4721", "1-32 letters, digits, '-' or '_', starting with a letter or digit"),
    ("officer_id", "-MP4721", "1-32 letters, digits, '-' or '_', starting with a letter or digit"),
    ("officer_id", "M" * 33, "1-32 letters, digits, '-' or '_', starting with a letter or digit"),
    ("given_name", "", "required"),
    ("family_name", "J" * 61, "at most 60 characters"),
    ("rank", "Sgt", "unknown rank 'Sgt'; one of PC, DC, PS, DS, Insp, DI, ChInsp, DCI, Supt, DSupt, ChSupt, DCS, "
     "ACC, DCC, CC, Cmdr, DAC, AC, DepCommr, Commr, PCSO, SC"),
    ("role", "constable", "must be one of officer|sergeant|admin|auditor|control_room"),
    ("role", "", "required: officer|sergeant|admin|auditor|control_room"),
    ("status", "retired", "must be one of serving|suspended|left"),
    ("phone", "07700900001", "must be E.164, e.g. +447700900123"),
    ("phone", "+44 7700 900001", "must be E.164, e.g. +447700900123"),
    ("email", "", "required (the sign-in invitation is sent there)"),
    ("email", "sam.jones", "not a plausible email address"),
    ("email", "sam@jones", "not a plausible email address"),
    ("email", "sam jones@met.police.uk", "not a plausible email address"),
    ("duty", "available", "only sergeants have a duty status"),
    ("duty", "on_call", "must be one of available|off_duty"),
    ("given_name", "Sam\x07", "must be printable text (no control characters)"),
    ("family_name", "Jo\x85nes", "must be printable text (no control characters)"),
    ("photo", "jones.gif", "jones.gif: no such file in the photo folder"),
    ("photo", "../jones.png", "a file name inside --photos, not a path"),
    ("photo", "sub/jones.png", "a file name inside --photos, not a path"),
])
def test_each_rule_names_the_line_and_the_field(field, value, message):
    values = dict(zip(HEADER, OFFICER.split(","), strict=True))
    values[field] = value
    line = ",".join(f'"{v}"' if "," in v else v for v in values.values())
    assert check(CONTROL, line) == ([], [f"line 3: {field}: {message}"])


def test_sergeants_need_a_phone_and_take_a_duty():
    no_phone = SERGEANT.replace("+447700900004", "")
    assert check(no_phone)[1] == ["line 2: phone: required for sergeants (E.164, e.g. +447700900123)"]
    rows, problems = check(SERGEANT.replace(",available,", ",,"))
    assert problems == [] and rows[0].duty is None  # empty: the import keeps (or starts off) duty


def test_officer_ids_are_unique_even_ignoring_case():
    assert check(OFFICER, CONTROL, OFFICER.replace("Sam", "Samuel"))[1] == [
        "line 4: officer_id: MP4721 is already on line 2"]
    assert check(OFFICER, OFFICER.replace("MP4721", "mp4721"))[1] == [
        "line 3: officer_id: mp4721 differs only in case from the id on line 2"]


def test_photos_need_a_folder():
    assert check(SERGEANT, photos=None)[1] == ["line 2: photo: names a photo file, but no --photos DIR was given"]


def test_photo_content_rules():
    assert photo_kind(PNG) == ("image/png", "png") and photo_kind(JPEG) == ("image/jpeg", "jpg")
    assert photo_kind(b"GIF89a") is None and photo_kind(b"") is None
    assert check_photo_bytes("a.jpg", 0, b"", "") == "the file is empty"
    assert check_photo_bytes("a.jpg", MAX_PHOTO_BYTES, JPEG, "") == "5.0 MB; photos must be under 5 MB"
    assert isinstance(check_photo_bytes("a.jpg", MAX_PHOTO_BYTES - 1, JPEG, "x"), PhotoFile)
    # Named .jpg, but a PNG by content: the content decides (and the key's extension follows it).
    assert check_photo_bytes("a.jpg", len(PNG), PNG, "x").extension == "png"
    assert check_photo_bytes("a.png", 40, b"<svg xmlns=", "") == "not a JPEG or PNG image (by its content)"

    def bad_photos(name: str) -> str:
        return "not a JPEG or PNG image (by its content)"

    assert check(SERGEANT, photos=bad_photos)[1] == [
        "line 2: photo: patel.jpg: not a JPEG or PNG image (by its content)"
    ]


def test_every_problem_of_the_file_is_reported_in_line_order():
    rows, problems = check(
        OFFICER,
        "MP0001,Helen,Brooks,Inspector,admin,serving,,helen@met.police.uk,,",
        "MP2009,Ade,Bello,PS,sergeant,serving,,ade@met.police.uk,,",
        "MP3333,Too,Few,PC,officer,serving,,",
        "MP4721,Sam,Jones,PC,officer,serving,07700900001,nope,,",
    )
    assert rows == []
    assert problems == [
        "line 3: rank: unknown rank 'Inspector'; one of PC, DC, PS, DS, Insp, DI, ChInsp, DCI, Supt, DSupt, ChSupt, "
        "DCS, ACC, DCC, CC, Cmdr, DAC, AC, DepCommr, Commr, PCSO, SC",
        "line 4: phone: required for sergeants (E.164, e.g. +447700900123)",
        "line 5: row: expected 10 fields, found 8",
        "line 6: phone: must be E.164, e.g. +447700900123",
        "line 6: email: not a plausible email address",
        "line 6: officer_id: MP4721 is already on line 2",
    ]


def test_a_quoted_field_spanning_lines_is_a_control_character_on_its_starting_line():
    assert check(OFFICER, 'MP5102,"Priya\nAnne",Shah,DC,officer,serving,,p@met.police.uk,,', CONTROL)[1] == [
        "line 3: given_name: must be printable text (no control characters)"]


def test_surrounding_spaces_are_not_part_of_a_value():
    rows, problems = check(" MP4721 , Sam ,Jones,PC,officer,serving,+447700900001, sam.jones@met.police.uk ,,")
    assert problems == [] and (rows[0].officer_id, rows[0].given_name, rows[0].email) == (
        "MP4721", "Sam", "sam.jones@met.police.uk")


def test_force_names():
    assert valid_force("met") and valid_force("wiltshire") and valid_force("police-scotland")
    assert not valid_force("m") and not valid_force("Met") and not valid_force("met/x") and not valid_force("")


# ---- what changes: record fields, the photo, the sign-in account --------------------------------

def _record(**changes) -> RegistryRecord:
    base = dict(force="met", officer_id="MP2001", given_name="Aisha", family_name="Patel", rank="PS",
                status=OfficerStatus.SERVING, role=Role.SERGEANT, phone="+447700900004", duty=Duty.OFF_DUTY,
                photo="photos/met/MP2001.jpg", photo_version_id="v1", photo_sha256="aa")
    return RegistryRecord(**{**base, **changes})


def test_changed_fields_name_fields_and_a_new_photo_version():
    assert changed_fields(_record(), _record()) == []
    assert changed_fields(
        _record(), _record(status=OfficerStatus.SUSPENDED, phone="+447700900999")
    ) == ["phone", "status"]
    assert changed_fields(_record(), _record(photo_version_id="v2", photo_sha256="bb")) == ["photo"]
    assert changed_fields(None, _record(phone=None, photo=None, duty=None)) == [
        "family_name", "given_name", "rank", "role", "status"]


def _account(**changes) -> SignInAccount:
    base = dict(username="mp2001", force="met", officer_id="MP2001", email="aisha.patel@met.police.uk",
                enabled=True, groups=frozenset({"sergeant"}))
    return SignInAccount(**{**base, **changes})


def test_the_account_follows_the_record():
    email = "aisha.patel@met.police.uk"
    assert account_changes(_account(), _record(), email) == []
    assert account_changes(None, _record(), email) == [AccountChange.CREATED]
    assert account_changes(None, _record(status=OfficerStatus.LEFT), email) == [AccountChange.CREATED,
                                                                                AccountChange.DISABLED]
    assert account_changes(None, _record(), None) == []  # no address (the API): no account is made
    assert account_changes(_account(), _record(status=OfficerStatus.SUSPENDED), None) == [
        AccountChange.SIGNED_OUT, AccountChange.DISABLED]
    assert account_changes(_account(enabled=False), _record(status=OfficerStatus.SUSPENDED), email) == []
    assert account_changes(_account(enabled=False), _record(), email) == [AccountChange.ENABLED]
    assert account_changes(_account(groups=frozenset({"sergeant", "admin"})), _record(), email) == [AccountChange.GROUP]
    assert account_changes(_account(groups=frozenset()), _record(), email) == [AccountChange.GROUP]
    assert account_changes(_account(email="old@met.police.uk"), _record(), email) == [AccountChange.EMAIL]
    assert account_changes(_account(email="old@met.police.uk"), _record(), None) == []


def test_usernames_and_ownership():
    assert username_for("MP2001") == "mp2001"
    assert _account().belongs_to("met", "MP2001")
    assert not _account(force="wiltshire").belongs_to("met", "MP2001")
    assert not _account(officer_id="MP2002").belongs_to("met", "MP2001")


def test_malformed_csv_names_the_line_it_starts_on():
    assert check(OFFICER, 'MP5102,"Priya,Shah,DC,officer,serving,,p@met.police.uk,,')[1] == [
        "line 3: row: not valid CSV (unexpected end of data)"]
