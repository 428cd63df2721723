"""SPEC §4: citizen references are random, >= 40 bits, and easy to read aloud."""

from __future__ import annotations

import math
import random
import re
import string

import pytest

from chalicelib.domain import references
from chalicelib.domain.references import ALPHABET, ENTROPY_BITS, new_reference, normalise

EXCLUDED = set("0O1IL")
# The format is written out here rather than imported, so a change to the module cannot pass silently.
FORMAT = re.compile(r"^SC-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$")


def test_alphabet_is_digits_and_letters_without_confusables():
    expected = (set(string.digits) | set(string.ascii_uppercase)) - EXCLUDED
    assert set(ALPHABET) == expected
    assert len(ALPHABET) == len(set(ALPHABET)) == 31


def test_entropy_is_at_least_40_bits():
    independently = 9 * math.log2(31)
    assert pytest.approx(independently) == ENTROPY_BITS
    assert ENTROPY_BITS >= 40
    # 8 characters would not be enough, which is why there are 9.
    assert 8 * math.log2(31) < 40


def test_many_generated_references_match_format_and_alphabet():
    generated = [new_reference() for _ in range(3000)]
    for reference in generated:
        assert FORMAT.match(reference), reference
        body = reference[3:].replace("-", "")
        assert len(body) == 9
        assert set(body) <= set(ALPHABET)
        assert not (set(body) & EXCLUDED), reference
    # With 31^9 possible values, 3000 draws colliding would mean the generator is not random.
    assert len(set(generated)) == len(generated)
    # Every symbol of the alphabet is used (27,000 characters drawn; ~870 expected per symbol).
    used = set("".join(reference[3:].replace("-", "") for reference in generated))
    assert used == set(ALPHABET)


def test_seeded_chooser_is_deterministic():
    first = new_reference(random.Random(20261128).choice)
    second = new_reference(random.Random(20261128).choice)
    other = new_reference(random.Random(1).choice)
    assert first == second
    assert first != other
    assert FORMAT.match(first)


def test_chooser_is_asked_for_nine_symbols_from_the_full_alphabet_in_order():
    asked: list[str] = []
    symbols = iter("7KQ29XHMP")

    def choose(alphabet: str) -> str:
        asked.append(alphabet)
        return next(symbols)

    assert new_reference(choose) == "SC-7KQ-29X-HMP"
    assert asked == [ALPHABET] * 9


@pytest.mark.parametrize(
    "typed",
    [
        "SC-7KQ-29X-HMP",
        "sc-7kq-29x-hmp",
        "Sc-7Kq-29x-HmP",
        "SC 7KQ 29X HMP",
        "SC7KQ29XHMP",
        "sc7kq29xhmp",
        "7KQ-29X-HMP",
        "7kq 29x hmp",
        "7KQ29XHMP",
        "  SC-7KQ-29X-HMP\n",
        "SC - 7KQ - 29X - HMP",
        "SC\t7KQ\t29X\tHMP",
        "7K Q2 9X HM P",
    ],
)
def test_normalise_accepts_what_people_type(typed):
    assert normalise(typed) == "SC-7KQ-29X-HMP"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "SC",
        "SC-7KQ-29X-HM",  # 8 characters
        "SC-7KQ-29X-HMPP",  # 10 characters
        "7KQ29XHM",
        "SC-7KQ2-9XHM",  # the 8-character example shape of SPEC §4: too short for 40 bits
        "SC-0KQ-29X-HMP",  # zero
        "SC-OKQ-29X-HMP",  # letter O
        "SC-7KQ-21X-HMP",  # one
        "SC-7KQ-29X-HIP",  # letter I
        "SC-7KQ-29X-HLP",  # letter L
        "sc-7kq-29x-hml",  # lower-case l is still L
        "sc-7kq-29x-hmi",
        "sc-7kq-29x-hmo",
        "SC_7KQ_29X_HMP",  # underscores are not separators
        "SC.7KQ.29X.HMP",
        "XX-7KQ-29X-HMP",  # wrong prefix
        "SC-7KQ-29X-HM!",
        "SC-7KQ-29X-HMÉ",
    ],
)
def test_normalise_rejects_wrong_length_or_excluded_characters(typed):
    assert normalise(typed) is None


def test_normalise_round_trips_generated_references():
    rng = random.Random(7)
    checked = 0
    while checked < 300:
        reference = new_reference(rng.choice)
        body = reference[3:]
        assert normalise(reference) == reference
        assert normalise(reference.lower()) == reference
        assert normalise(body) == reference
        assert normalise(body.replace("-", " ").lower()) == reference
        checked += 1


@pytest.mark.parametrize("typed", ["SCA-BCD-EFG", "sca bcd efg", "SCABCDEFG"])
def test_normalise_missing_prefix_when_body_starts_with_sc(typed):
    assert normalise(typed) == "SC-SCA-BCD-EFG"


def test_normalise_full_reference_whose_body_starts_with_sc():
    assert normalise("SC-SCA-BCD-EFG") == "SC-SCA-BCD-EFG"
    assert normalise("sc sca bcd efg") == "SC-SCA-BCD-EFG"


def test_module_constants_describe_the_format():
    assert (references.PREFIX, references.GROUPS, references.GROUP_LENGTH) == ("SC", 3, 3)


def test_normalise_refuses_non_ascii_that_uppercases_into_the_alphabet():
    assert normalise("7KQ29XHß") is None
