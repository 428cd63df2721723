"""SPEC §4: the sergeant's SMS is one GSM-7 segment (<= 160 septets), with no secrets or citizen data."""

from __future__ import annotations

import dataclasses
import itertools
import re

import pytest

from chalicelib.domain.sms import MAX_SEPTETS, septets, sergeant_request_sms, to_gsm7

from .factories import OFFICER, verification

# GSM 03.38 default alphabet, row by row (0x1B, the escape, is left out), written out independently.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"

LINK = "https://verify.police.example/s/3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f"
LONG_AREA = "Junction of Camden High Street and Parkway, outside the Underground station, northbound " * 3
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh-Cholmondeley"


def gsm_septets(text: str) -> int:
    """Independent GSM-7 length: 1 per basic character, 2 per extension character."""
    total = 0
    for char in text:
        if char in GSM7_BASIC:
            total += 1
        elif char in GSM7_EXTENSION:
            total += 2
        else:
            raise AssertionError(f"not GSM-7: {char!r} in {text!r}")
    return total


def sms(area="Camden High St", family_name="Jones", officer_id="MP4721", rank="PC", link=LINK, **kw):
    officer = dataclasses.replace(OFFICER, family_name=family_name, officer_id=officer_id, rank=rank)
    return sergeant_request_sms(verification(area=area, officer=officer, **kw), link)


def test_alphabet_tables_are_complete():
    assert len(GSM7_BASIC) == len(set(GSM7_BASIC)) == 127
    assert MAX_SEPTETS == 160


def test_exact_message_in_the_spec_format():
    assert sms() == (
        "Safe Connection: PC Jones (MP4721) asks for ID verification near Camden High St. "
        "Open https://verify.police.example/s/3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f"
    )


def test_spec_template_shape():
    pattern = re.compile(
        r"^Safe Connection: (?P<rank>\S+) (?P<name>.+) \((?P<number>[^)]+)\) asks for ID verification "
        r"near (?P<where>.+)\. Open (?P<link>https://\S+/s/[0-9a-f-]+)$"
    )
    match = pattern.match(sms())
    assert match
    assert match.groupdict() == {
        "rank": "PC",
        "name": "Jones",
        "number": "MP4721",
        "where": "Camden High St",
        "link": LINK,
    }


def test_every_basic_character_is_one_septet_and_extensions_are_two():
    assert septets(GSM7_BASIC) == 127
    for char in GSM7_EXTENSION:
        assert septets(char) == 2, repr(char)
    assert septets("Price [£5] ~ €6 {ok} ^ | \\") == gsm_septets("Price [£5] ~ €6 {ok} ^ | \\") == 35
    assert septets("") == 0


@pytest.mark.parametrize("char", ["Ł", "ŵ", "ó", "🚓", "\u2014", "ç", "\t", "\u2019"])
def test_septets_refuses_characters_gsm7_cannot_carry(char):
    with pytest.raises(ValueError):
        septets(f"abc{char}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Łódź", "?odz"),
        ("Ffordd Penrhyn, Llanfair ŵ", "Ffordd Penrhyn, Llanfair w"),
        ("Café Nero", "Café Nero"),  # é is in GSM-7 itself
        ("Bond St 🚓", "Bond St ?"),
        ("Camden\nHigh   St", "Camden High St"),
        ("Ysbyty Gwynedd — Bangor", "Ysbyty Gwynedd ? Bangor"),
        ("Price €5 [x]", "Price ?5 ?x?"),  # extension characters are not kept
    ],
)
def test_to_gsm7(text, expected):
    result = to_gsm7(text)
    assert result == expected
    gsm_septets(result)


AREAS = [
    "Camden High St",
    "",
    LONG_AREA,
    "Łódź Fabryczna, ul. Składowa 🚉🚉🚉 " * 4,
    "Ffordd Pen-y-ffridd, Bangor, Gwynedd — ŵ ŷ â ê " * 3,
    "[Camden] {High} ~St~ €€€ |^\\| " * 6,
]
NAMES = ["Jones", LONG_NAME, "Łukasiewicz-Ŵynne 😀" * 3, "Ng"]
LINKS = [
    LINK,
    "https://v.example/s/3f2b8c1e",
    "https://verify.police.example/~ops/s/3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f",
]


@pytest.mark.parametrize(
    ("area", "name", "link"),
    list(itertools.product(AREAS, NAMES, LINKS)),
    ids=[f"a{a}-n{n}-l{lk}" for a, n, lk in itertools.product(range(6), range(4), range(3))],
)
def test_always_one_segment_with_link_and_number_intact(area, name, link):
    message = sms(area=area or None, family_name=name, officer_id="MP4721", link=link)
    assert gsm_septets(message) <= 160
    assert septets(message) == gsm_septets(message)
    assert message.startswith("Safe Connection: PC ")
    assert " (MP4721) asks for ID verification near " in message
    assert message.endswith(f". Open {link}")


def test_long_officer_number_is_never_truncated():
    number = "MP4721-COLLAR-0123456789-ABCDEFG"  # 32 characters, the longest officer id allowed
    link = "https://v.example/s/3f2b8c1e"
    message = sms(area=LONG_AREA, family_name=LONG_NAME, officer_id=number, link=link)
    assert f"({number})" in message
    assert message.endswith(f". Open {link}")
    assert gsm_septets(message) <= 160


def test_long_area_is_shortened_before_the_name():
    message = sms(area=LONG_AREA, family_name="Jones")
    assert " Jones (MP4721)" in message
    assert gsm_septets(message) <= 160
    where = message.split(" near ", 1)[1].rsplit(". Open ", 1)[0]
    assert where.endswith("...")
    assert LONG_AREA.startswith(where[:-3])
    # Only the area is long: it gets everything the name does not need.
    assert gsm_septets(message) == 160
    assert len(where) >= 16


def test_long_name_and_long_area_both_keep_a_recognisable_start():
    message = sms(area=LONG_AREA, family_name=LONG_NAME)
    assert gsm_septets(message) <= 160
    name = message[len("Safe Connection: PC "):].split(" (MP4721)", 1)[0]
    where = message.split(" near ", 1)[1].rsplit(". Open ", 1)[0]
    assert LONG_AREA.startswith(where.removesuffix("..."))
    assert len(where.removesuffix("...")) >= 10
    assert LONG_NAME.startswith(name.removesuffix("..."))


def test_extension_characters_in_the_link_count_twice():
    link = "https://v.example/~a~b~c~/s/3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f"
    message = sms(area=LONG_AREA, link=link)
    assert message.endswith(f". Open {link}")
    assert gsm_septets(message) <= 160
    # The area fills the segment exactly; four '~' cost eight septets, so 156 characters.
    assert gsm_septets(message) == 160
    assert len(message) == 156


def test_non_gsm_area_and_name_are_transliterated_not_dropped():
    link = "https://v.example/s/3f2b8c1e"
    message = sms(area="Ffordd Penrhos, Bangor ŵ — Łódź 🚓", family_name="Łukasiewicz", link=link)
    assert message == (
        "Safe Connection: PC ?ukasiewicz (MP4721) asks for ID verification near "
        f"Ffordd Penrhos, Bangor w ? ?odz ?. Open {link}"
    )
    gsm_septets(message)


def test_no_phone_number_and_no_coordinates_when_area_given():
    message = sms(area="Camden High St")
    assert "+44" not in message and "07700" not in message
    assert not re.search(r"\+?\d[\d ]{9,}", message.replace(LINK, ""))
    assert "51.5" not in message and "-0.14" not in message and "0.1426" not in message
    assert "SC-7KQ-29X-HMP" not in message  # the citizen's reference is not sent to sergeants


@pytest.mark.parametrize("area", [None, ""])
def test_without_area_uses_rounded_coordinates(area):
    message = sms(area=area)
    assert " near 51.5391,-0.1426. Open " in message
    assert gsm_septets(message) <= 160


REALISTIC_LONG_LINK = (
    "https://safe-connection.metropolitan.police.uk/s/3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f"
)


@pytest.mark.parametrize("area", ["Camden High St", LONG_AREA])
def test_short_budget_still_gives_one_segment_with_link_and_number(area):
    message = sms(area=area, link=REALISTIC_LONG_LINK)
    assert gsm_septets(message) <= 160
    assert message.endswith(f". Open {REALISTIC_LONG_LINK}")
    assert "(MP4721)" in message


def test_link_too_long_for_one_segment_is_refused():
    with pytest.raises(ValueError):
        sms(link="https://verify.police.example/s/" + "a" * 120)
