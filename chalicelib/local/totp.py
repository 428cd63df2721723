"""RFC 6238 one-time codes (what an authenticator app shows), standard library only.

The local stack enrols its demo users in TOTP MFA and keeps each one's base32 secret in
`.local/stack.json` (`users[].totp_secret`); tests, benchmarks and the README's walk-through answer
Cognito's SOFTWARE_TOKEN_MFA challenge with a code from it, like a phone would:

    python -m chalicelib.local.totp <totp_secret>

Codes are HMAC-SHA1, 6 digits, 30-second steps (the only kind Cognito issues).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
import time
from collections.abc import Callable, Sequence

STEP_SECONDS = 30
DIGITS = 6


def _key(secret: str) -> bytes:
    """The secret as Cognito gives it (base32, any case) or as a person copies it (in groups)."""
    cleaned = "".join(secret.split()).upper().rstrip("=")
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def code(secret: str, at: float | None = None) -> str:
    """The code for the 30-second step that contains `at` (now by default)."""
    counter = int((time.time() if at is None else at) // STEP_SECONDS)
    digest = hmac.new(_key(secret), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset:offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10 ** DIGITS:0{DIGITS}d}"


def fresh_code(
    secret: str,
    min_seconds_left: float = 3,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """A code that stays valid for at least `min_seconds_left`: near the end of a step, wait for
    the next one. The local pool (moto) accepts only the current step's code, so a code computed
    just before the step changes would arrive stale."""
    left = STEP_SECONDS - clock() % STEP_SECONDS
    if left < min_seconds_left:
        sleep(left + 0.05)
    return code(secret, clock())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m chalicelib.local.totp <base32 secret>   (a user's totp_secret in .local/stack.json)",
              file=sys.stderr)
        return 2
    try:
        print(fresh_code(args[0]))
    except ValueError:
        print("that is not a base32 secret (letters A-Z and digits 2-7)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
