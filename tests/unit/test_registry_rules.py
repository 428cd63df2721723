"""SPEC §2-§3: the registry, not the token, decides who is serving and which sergeants are texted."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import NotOnDuty, OfficerNotServing
from chalicelib.domain.registry import (
    Duty,
    OfficerStatus,
    Role,
    ensure_available_sergeant,
    ensure_serving,
    sergeants_to_notify,
)
from chalicelib.domain.verification import OfficerSummary

from .factories import record, sergeant_record


def test_serving_officer_passes_and_is_returned():
    officer = record()
    assert ensure_serving(officer) is officer


@pytest.mark.parametrize("status", [OfficerStatus.SUSPENDED, OfficerStatus.LEFT])
def test_suspended_or_left_is_not_serving(status):
    with pytest.raises(OfficerNotServing) as raised:
        ensure_serving(record(status=status))
    assert raised.value.code == "officer_not_serving"


def test_unknown_officer_is_not_serving():
    with pytest.raises(OfficerNotServing):
        ensure_serving(None)


def test_summary_is_taken_from_the_registry():
    assert record().summary() == OfficerSummary(
        officer_id="MP4721", rank="PC", given_name="Sam", family_name="Jones"
    )


def test_available_sergeant_passes():
    sergeant = sergeant_record()
    assert sergeant.is_available_sergeant
    assert ensure_available_sergeant(sergeant) is sergeant


@pytest.mark.parametrize(
    "changes",
    [
        {"status": OfficerStatus.SUSPENDED},
        {"status": OfficerStatus.LEFT},
    ],
    ids=["suspended", "left"],
)
def test_non_serving_sergeant_cannot_accept(changes):
    with pytest.raises(OfficerNotServing):
        ensure_available_sergeant(sergeant_record(**changes))


def test_unknown_sergeant_cannot_accept():
    with pytest.raises(OfficerNotServing):
        ensure_available_sergeant(None)


@pytest.mark.parametrize(
    "changes",
    [
        {"duty": Duty.OFF_DUTY},
        {"duty": None},
        {"role": Role.OFFICER, "duty": None},
        {"role": Role.ADMIN, "duty": Duty.AVAILABLE},
        {"role": Role.AUDITOR, "duty": None},
        {"role": Role.OFFICER, "duty": Duty.AVAILABLE},  # a stray duty does not make a sergeant
    ],
    ids=["off_duty", "no_duty", "officer", "admin", "auditor", "officer_with_duty"],
)
def test_off_duty_or_non_sergeant_is_not_on_duty(changes):
    candidate = sergeant_record(**changes)
    assert not candidate.is_available_sergeant
    with pytest.raises(NotOnDuty) as raised:
        ensure_available_sergeant(candidate)
    assert raised.value.code == "not_on_duty"


def test_sergeants_to_notify_keeps_only_available_serving_sergeants_with_a_phone():
    available = sergeant_record(officer_id="MS0001", phone="+447700900001")
    also_available = sergeant_record(officer_id="MS0002", phone="+447700900002")
    candidates = [
        available,
        sergeant_record(officer_id="MS0003", duty=Duty.OFF_DUTY),
        sergeant_record(officer_id="MS0004", status=OfficerStatus.SUSPENDED),
        sergeant_record(officer_id="MS0005", status=OfficerStatus.LEFT),
        sergeant_record(officer_id="MS0006", phone=None),
        sergeant_record(officer_id="MS0007", phone=""),
        sergeant_record(officer_id="MS0008", duty=None),
        record(officer_id="MP0009", phone="+447700900009"),
        sergeant_record(officer_id="MA0010", role=Role.ADMIN),
        also_available,
    ]
    assert sergeants_to_notify(candidates, requesting_officer_id="MP4721") == [
        available,
        also_available,
    ]


def test_sergeants_to_notify_never_includes_the_requesting_officer():
    # A sergeant asking to be verified (e.g. in plain clothes) is never texted about themselves.
    requester = sergeant_record(officer_id="MS0001")
    other = sergeant_record(officer_id="MS0002")
    assert sergeants_to_notify([requester, other], requesting_officer_id="MS0001") == [other]
    assert sergeants_to_notify([requester], requesting_officer_id="MS0001") == []


def test_sergeants_to_notify_of_nobody_is_empty():
    assert sergeants_to_notify([], requesting_officer_id="MP4721") == []
