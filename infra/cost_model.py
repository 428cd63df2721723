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
