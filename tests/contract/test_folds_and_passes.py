"""AlertFolds, LookupPasses and AddressPseudonyms contracts: the fakes and the DynamoDB / HMAC adapters."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.ports import AddressPseudonyms, AlertFolds, LookupPasses
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeAddressPseudonyms, FakeAlertFolds, FakeLookupPasses

NOW = 1_796_093_220
AT = "2026-11-28T02:47:00.000Z"
LATER = "2026-11-28T02:58:00.000Z"


@pytest.fixture(params=BACKENDS)
def folds(request: pytest.FixtureRequest, settings: Any) -> AlertFolds:
    if request.param == "fake":
        return FakeAlertFolds()
    from chalicelib.adapters.alert_folds import DynamoAlertFolds

    return DynamoAlertFolds(request.getfixturevalue("dynamodb"), settings.idempotency_table)


@pytest.fixture(params=BACKENDS)
def passes(request: pytest.FixtureRequest, settings: Any) -> LookupPasses:
    if request.param == "fake":
        return FakeLookupPasses()
    from chalicelib.adapters.rate_limits import DynamoLookupPasses

    return DynamoLookupPasses(request.getfixturevalue("dynamodb"), settings.idempotency_table)


@pytest.fixture(params=BACKENDS)
def pseudonyms(request: pytest.FixtureRequest) -> AddressPseudonyms:
    if request.param == "fake":
        return FakeAddressPseudonyms()
    from chalicelib.adapters.rate_limits import ClientAddressKeys

    return ClientAddressKeys(b"k" * 32)


def test_one_alert_per_window_and_the_next_counts_the_folded(folds):
    first = folds.fold("met#MP4721#not_serving", NOW, AT, 600)
    folded = [folds.fold("met#MP4721#not_serving", NOW + s, AT, 600) for s in (1, 2)]
    other = folds.fold("met#MP4721#start_limit", NOW + 3, AT, 600)
    after = folds.fold("met#MP4721#not_serving", NOW + 600, LATER, 600)

    assert (first.alert, first.attempts, first.previous_alert_at) == (True, 1, None)
    assert [f.alert for f in folded] == [False, False]
    assert other.alert is True and other.attempts == 1
    assert (after.alert, after.attempts, after.previous_alert_at) == (True, 3, AT)


def test_a_reopened_window_alerts_at_the_next_attempt_with_its_attempts(folds):
    first = folds.fold("k", NOW, AT, 600)
    folds.reopen("k", first, AT)  # the alert could not be published

    again = folds.fold("k", NOW + 5, LATER, 600)

    assert (again.alert, again.attempts, again.previous_alert_at) == (True, 2, None)


def test_reopening_a_window_claimed_since_changes_nothing(folds):
    stale = folds.fold("k", NOW, AT, 600)
    newer = folds.fold("k", NOW + 600, LATER, 600)
    folds.reopen("k", stale, AT)  # too late: the next window has its own alert

    assert newer.alert is True
    assert folds.fold("k", NOW + 601, LATER, 600).alert is False


def test_a_pass_is_held_once_granted(passes):
    assert passes.holds("pass-1") is False
    passes.grant("pass-1", NOW + 3600)
    passes.grant("pass-1", NOW + 7200)  # granting again is harmless

    assert passes.holds("pass-1") is True
    assert passes.holds("pass-2") is False


def test_pseudonyms_are_stable_distinct_and_say_nothing_of_the_address(pseudonyms):
    address = pseudonyms.address("203.0.113.7")
    watching = pseudonyms.address_and_reference("203.0.113.7", "SC-7KQ2-9XHM")

    assert address == pseudonyms.address("203.0.113.7")
    assert address != pseudonyms.address("203.0.113.8")
    assert watching not in (address, pseudonyms.address_and_reference("203.0.113.7", "SC-AAAA-BBBB"))
    assert "203.0.113.7" not in address + watching
    assert len(address) == len(watching) == 32
