"""chalicelib/local/totp.py: RFC 6238 codes from the secret Cognito gives, as an authenticator app shows them."""

from __future__ import annotations

import base64

import pytest

from chalicelib.local import totp

# RFC 6238 appendix B, SHA-1: the 20-byte ASCII key "12345678901234567890"; the RFC prints 8 digits,
# an authenticator shows the last 6.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
               (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]


@pytest.mark.parametrize(("at", "eight_digits"), RFC_VECTORS)
def test_rfc_6238_test_vectors(at, eight_digits):
    assert totp.code(RFC_SECRET, at) == eight_digits[-6:]


def test_the_secret_is_read_as_a_person_copies_it():
    # Lower case, grouped in fours with spaces, padding left off: the same key.
    grouped = " ".join(RFC_SECRET[i:i + 4] for i in range(0, len(RFC_SECRET), 4)).lower()
    assert totp.code(grouped, 59) == totp.code(RFC_SECRET, 59) == "287082"


def test_codes_change_every_30_seconds():
    assert totp.code(RFC_SECRET, 60) == totp.code(RFC_SECRET, 89.9) != totp.code(RFC_SECRET, 90)


def test_moto_accepts_our_code_for_the_secret_it_hands_out():
    """The local pool checks codes with moto's own TOTP (cryptography's): the two must agree."""
    from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET
    from moto.cognitoidp.utils import cognito_totp

    at = 1_790_000_000
    cognito_totp(COGNITO_TOTP_MFA_SECRET).verify(totp.code(COGNITO_TOTP_MFA_SECRET, at).encode(), at)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_fresh_code_waits_for_the_next_step_near_the_end_of_one():
    clock = Clock(1_000_000_018.5)  # 1.5 s left in its step
    assert totp.fresh_code(RFC_SECRET, 3, clock, clock.sleep) == totp.code(RFC_SECRET, 1_000_000_020)
    assert clock.slept == [pytest.approx(1.55)]

    clock = Clock(1_000_000_005)  # 15 s left: no wait
    assert totp.fresh_code(RFC_SECRET, 3, clock, clock.sleep) == totp.code(RFC_SECRET, 1_000_000_005)
    assert clock.slept == []


def test_command_line_prints_the_code(capsys):
    assert totp.main([RFC_SECRET]) == 0
    printed = capsys.readouterr().out.strip()
    assert len(printed) == 6 and printed.isdigit()
    assert totp.main([]) == 2 and "usage" in capsys.readouterr().err
    assert totp.main(["not base32!"]) == 2
