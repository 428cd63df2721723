"""The SMS line of infra/README.md's cost estimate, in one place: the spend cap is computed from it.

SMS dominate the bill (about 4 cents per sergeant texted), and the account's monthly SMS spend
limit stops every text once reached, escalation included. So the limit follows from the checks a
force expects, never from a guess; tests keep the README's table equal to this model.
"""

from __future__ import annotations

import math

# SNS SMS to a UK mobile number from eu-west-2 (AWS pricing page, late 2026). Check before go-live.
PRICE_PER_SMS_USD = 0.04
# The README's month. The cap's headroom covers the 31-day ones.
DAYS_PER_MONTH = 30
# The README's assumption: a check is accepted within its first wave (wave_size sergeants texted).
WAVES_PER_CHECK = 1
# Cap = expected spend x this: busy days, second and third waves, citizens' check requests that
# text an officer, 31-day months and a price rise, without letting a runaway bill run all month.
HEADROOM = 1.5


def sms_per_check(wave_size: int) -> int:
    """Texts sent for one check: one wave of `wave_size` sergeants."""
    return wave_size * WAVES_PER_CHECK


def expected_monthly_sms_spend_usd(checks_per_day: int, wave_size: int) -> float:
    """What a month of checks costs in SMS at the expected rate."""
    return checks_per_day * DAYS_PER_MONTH * sms_per_check(wave_size) * PRICE_PER_SMS_USD


def sms_spend_cap_usd(checks_per_day: int, wave_size: int) -> int:
    """The monthly SMS spend limit to configure: the expected spend with headroom, whole dollars."""
    return math.ceil(round(expected_monthly_sms_spend_usd(checks_per_day, wave_size) * HEADROOM, 6))


def day_the_texts_stop(cap_usd: float, checks_per_day: int, wave_size: int) -> int:
    """The day of the month on which `cap_usd` runs out at the expected rate."""
    per_day = expected_monthly_sms_spend_usd(checks_per_day, wave_size) / DAYS_PER_MONTH
    return math.floor(cap_usd / per_day) + 1


# ---- Cost per check (bench/run_all.py prints it from the measured calls and texts) ----------------
# The README's other lines, per unit (eu-west-2 on demand, late 2026; check before go-live).
CHIME_PER_ATTENDEE_MINUTE_USD = 0.0017
MEETING_MINUTES = 5  # the README's two-person, 5-minute call
MEETING_ATTENDEES = 2
# Requests a check brings in (start, accept, decide, and the pages polling meanwhile): the README's
# ~15, each one API Gateway request and one Lambda invocation (512 MB, ~200 ms).
API_REQUESTS_PER_CHECK = 15
API_GATEWAY_PER_REQUEST_USD = 3.70e-6
LAMBDA_PER_INVOCATION_USD = 0.20e-6 + 0.5 * 0.2 * 0.0000166667
# Per AWS call the app makes. DynamoDB on demand: a write call is taken as 4 write units (most are
# transactions of a few items, each item twice), a read call as 1 read unit.
PRICE_PER_CALL_USD = {
    "dynamodb-write": 4 * 0.7425e-6,
    "dynamodb-read": 0.1485e-6,
    "s3": 0.0053e-3,  # PUT
    "sqs": 0.40e-6,
    "kms": 0.03e-4,
    "secrets-manager": 0.05e-4,
    "chime-sdk-meetings": 0.0,  # priced per attendee-minute above
    "sns": 0.0,  # the lifecycle's Publish calls are the texts: priced as SMS, from the simulation
}
DYNAMODB_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})


def cost_per_check_usd(calls: list[tuple[str, str, int]], sms_per_check: float) -> float:
    """One check's cost: its texts, its meeting, its API requests and every AWS call it made.

    `calls`: (service, operation, count) for one lifecycle (bench/calls.py measures them);
    `sms_per_check`: the mean texts per check (bench/time_to_sergeant.py simulates them)."""
    per_calls = 0.0
    for service, operation, count in calls:
        key = service
        if service == "dynamodb":
            key = "dynamodb-read" if operation in DYNAMODB_READS else "dynamodb-write"
        per_calls += PRICE_PER_CALL_USD.get(key, 0.0) * count
    meeting = CHIME_PER_ATTENDEE_MINUTE_USD * MEETING_MINUTES * MEETING_ATTENDEES
    requests = API_REQUESTS_PER_CHECK * (API_GATEWAY_PER_REQUEST_USD + LAMBDA_PER_INVOCATION_USD)
    return sms_per_check * PRICE_PER_SMS_USD + meeting + requests + per_calls
