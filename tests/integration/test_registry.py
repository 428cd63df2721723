"""DynamoRegistry on moto (seeded): round trips, the sparse `available_sergeants` index, set_duty."""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamodb import AVAILABLE_SERGEANTS_INDEX
from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role

MET_AVAILABLE = ["MP2001", "MP2002", "MP2003"]
WILTS_AVAILABLE = ["WP3001", "WP3002", "WP3003"]


@pytest.fixture
def registry(stack):
    return stack.deps.registry


@pytest.fixture
def dynamodb_calls(stack):
    """(operation, params) of every call the shared DynamoDB client makes from now on."""
    calls: list[tuple[str, dict]] = []

    def record(params, model, **_):
        calls.append((model.name, dict(params)))

    stack.deps.dynamodb.meta.events.register("provide-client-params.dynamodb.*", record)
    yield calls
    stack.deps.dynamodb.meta.events.unregister("provide-client-params.dynamodb.*", record)


def _ids(records):
    return sorted(record.officer_id for record in records)


def _raw(stack, force, officer_id):
    return stack.deps.dynamodb.get_item(
        TableName=stack.settings.registry_table,
        Key={"force": {"S": force}, "officer_id": {"S": officer_id}},
    ).get("Item")


def test_put_get_round_trip_with_every_field(registry):
    record = RegistryRecord(
        force="met", officer_id="MP7777", given_name="Zoë", family_name="O'Brien-Ní Bhriain",
        rank="PS", status=OfficerStatus.SERVING, role=Role.SERGEANT, phone="+447700900777",
        photo="photos/met/MP7777.png", duty=Duty.OFF_DUTY,
    )
    registry.put(record)
    assert registry.get("met", "MP7777") == record


def test_put_get_round_trip_without_optional_fields(registry, stack):
    record = RegistryRecord(
        force="wiltshire", officer_id="WP0500", given_name="Ann", family_name="Lee",
        rank="PC", status=OfficerStatus.LEFT, role=Role.OFFICER,
    )
    registry.put(record)
    assert registry.get("wiltshire", "WP0500") == record
    assert set(_raw(stack, "wiltshire", "WP0500")) == {
        "force", "officer_id", "given_name", "family_name", "rank", "status", "role",
    }  # no NULL attributes, and no GSI key
    assert registry.get("met", "WP0500") is None  # keyed by force too
    assert registry.get("met", "MP0000") is None


def test_seeded_records_read_back_as_seeded(registry, stack):
    for officer_id in ("MP4721", "MP3390", "MP2001", "MP2004", "WP3001"):
        person = stack.person(officer_id)
        record = registry.get(person.force, officer_id)
        assert (record.given_name, record.family_name, record.rank) == (
            person.given_name,
            person.family_name,
            person.rank,
        )
        assert (record.status, record.role, record.duty, record.phone) == (
            person.status,
            person.role,
            person.duty,
            person.phone,
        )
        assert record.photo == f"photos/{person.force}/{officer_id}.png"


def test_available_sergeants_come_from_the_index_for_that_force_only(registry, dynamodb_calls):
    met = registry.available_sergeants("met")

    assert _ids(met) == MET_AVAILABLE  # not MP2004 (off duty), not officers, not wiltshire
    assert all(r.is_available_sergeant and r.force == "met" for r in met)
    assert {r.officer_id: r.phone for r in met} == {
        "MP2001": "+447700900004", "MP2002": "+447700900005", "MP2003": "+447700900006",
    }
    assert _ids(registry.available_sergeants("wiltshire")) == WILTS_AVAILABLE
    assert registry.available_sergeants("scotland") == []
    operations = [name for name, _ in dynamodb_calls]
    assert operations == ["Query", "Query", "Query"]  # never a Scan
    assert all(params["IndexName"] == AVAILABLE_SERGEANTS_INDEX for _, params in dynamodb_calls)


def test_put_moves_people_in_and_out_of_the_index(registry, stack):
    # A new available sergeant appears; a suspended one who is still marked available does not.
    registry.put(RegistryRecord(
        force="met", officer_id="MP2005", given_name="New", family_name="Sergeant", rank="PS",
        status=OfficerStatus.SERVING, role=Role.SERGEANT, phone="+447700900055", duty=Duty.AVAILABLE,
    ))
    registry.put(RegistryRecord(
        force="met", officer_id="MP2006", given_name="Sus", family_name="Pended", rank="PS",
        status=OfficerStatus.SUSPENDED, role=Role.SERGEANT, phone="+447700900066", duty=Duty.AVAILABLE,
    ))
    assert _ids(registry.available_sergeants("met")) == [*MET_AVAILABLE, "MP2005"]

    # An admin suspends MP2001 (whole-record replace): they leave the index at once.
    current = registry.get("met", "MP2001")
    registry.put(RegistryRecord(**{**current.__dict__, "status": OfficerStatus.SUSPENDED}))
    assert _ids(registry.available_sergeants("met")) == ["MP2002", "MP2003", "MP2005"]
    assert "available_in_force" not in _raw(stack, "met", "MP2001")


def test_set_duty_moves_a_serving_sergeant_in_and_out_of_the_index(registry):
    assert registry.set_duty("met", "MP2004", Duty.AVAILABLE) is True
    assert registry.get("met", "MP2004").duty is Duty.AVAILABLE
    assert _ids(registry.available_sergeants("met")) == [*MET_AVAILABLE, "MP2004"]

    assert registry.set_duty("met", "MP2001", Duty.OFF_DUTY) is True
    assert registry.get("met", "MP2001").duty is Duty.OFF_DUTY
    assert _ids(registry.available_sergeants("met")) == ["MP2002", "MP2003", "MP2004"]

    # Idempotent both ways.
    assert registry.set_duty("met", "MP2001", Duty.OFF_DUTY) is True
    assert registry.set_duty("met", "MP2004", Duty.AVAILABLE) is True
    assert _ids(registry.available_sergeants("met")) == ["MP2002", "MP2003", "MP2004"]
    # Other fields are untouched by a duty change.
    assert registry.get("met", "MP2004").phone == "+447700900007"


def test_set_duty_refuses_a_suspended_sergeant(registry, stack):
    registry.put(RegistryRecord(
        force="met", officer_id="MP2006", given_name="Sus", family_name="Pended", rank="PS",
        status=OfficerStatus.SUSPENDED, role=Role.SERGEANT, phone="+447700900066", duty=Duty.OFF_DUTY,
    ))
    before = _raw(stack, "met", "MP2006")

    assert registry.set_duty("met", "MP2006", Duty.AVAILABLE) is False

    assert _raw(stack, "met", "MP2006") == before
    assert "MP2006" not in _ids(registry.available_sergeants("met"))


@pytest.mark.parametrize(
    "force, officer_id",
    [("met", "MP4721"), ("met", "MP3390"), ("met", "MP0001"), ("met", "MP9999"), ("wiltshire", "MP2001")],
    ids=["officer", "suspended-officer", "admin", "unknown", "other-force"],
)
def test_set_duty_refuses_anyone_who_is_not_a_serving_sergeant(registry, stack, force, officer_id):
    before = _raw(stack, force, officer_id)

    assert registry.set_duty(force, officer_id, Duty.AVAILABLE) is False
    assert registry.set_duty(force, officer_id, Duty.OFF_DUTY) is False

    assert _raw(stack, force, officer_id) == before  # unknown ids are not created by the update
    assert officer_id not in _ids(registry.available_sergeants(force))
