"""Citizen advice per status (SPEC §4 public view) and the timestamp format (ISO 8601 UTC, `Z`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.domain.clock import iso_z, parse_iso
from chalicelib.domain.public import advice_for
from chalicelib.domain.verification import Status


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_one_plain_sentence(status):
    advice = advice_for(status)
    assert advice.strip() == advice and advice.endswith(".")
    assert len(advice) < 200


def test_not_confirmed_says_call_999():
    assert advice_for(Status.NOT_CONFIRMED) == (
        "This person could not be confirmed as a police officer. Call 999 now."
    )


@pytest.mark.parametrize("status", [Status.NOT_CONFIRMED, Status.CANCELLED, Status.UNANSWERED, Status.EXPIRED])
def test_every_failed_outcome_points_to_999(status):
    assert "999" in advice_for(status)


@pytest.mark.parametrize("status", [Status.AWAITING_SERGEANT, Status.CONNECTED, Status.CONFIRMED])
def test_pending_or_confirmed_does_not_tell_her_to_call_999(status):
    assert "999" not in advice_for(status)


def test_confirmed_advice_says_confirmed():
    assert "confirmed" in advice_for(Status.CONFIRMED)


def test_iso_z_utc_with_milliseconds():
    assert iso_z(datetime(2026, 11, 28, 2, 47, 0, tzinfo=UTC)) == "2026-11-28T02:47:00.000Z"
    assert iso_z(datetime(2026, 11, 28, 2, 47, 5, 123_999, tzinfo=UTC)) == "2026-11-28T02:47:05.123Z"


def test_iso_z_converts_other_offsets_to_utc():
    bst = timezone(timedelta(hours=1))
    assert iso_z(datetime(2026, 6, 2, 0, 30, tzinfo=bst)) == "2026-06-01T23:30:00.000Z"


def test_iso_z_none_is_none():
    assert iso_z(None) is None


def test_parse_iso_round_trips():
    moment = datetime(2026, 11, 28, 2, 47, 5, 123_000, tzinfo=UTC)
    assert parse_iso(iso_z(moment)) == moment
    assert parse_iso(None) is None
