"""AlertStore contract: the in-memory fake and the DynamoDB adapter (moto) answer alike."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.alerts import Alert, AlertKind
from chalicelib.ports import AlertStore
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeAlertStore

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
OFFICER = {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}
WHERE = {"lat": 51.5390261, "lon": -0.1425516, "accuracy_m": 12.5}
BY = {"officer_id": "MP9001", "rank": "PC", "family_name": "Osei"}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, settings: Any) -> AlertStore:
    if request.param == "fake":
        return FakeAlertStore()
    from chalicelib.adapters.dynamodb.alerts import DynamoAlertStore

    return DynamoAlertStore(request.getfixturevalue("dynamodb"), settings.verifications_table)


def alert(n: int, *, force: str = "met", chain: str = "vid-0001", minutes: int = 0) -> Alert:
    return Alert(
        alert_id=f"{chain}.tok{n:04d}", kind=AlertKind.VERIFICATION_NOT_CONFIRMED, force=force, chain_id=chain,
        raised_at=T0 + timedelta(minutes=minutes), verification_id=chain, reference="SC-7KQ2-9XHM",
        officer=OFFICER, location=WHERE, area="Camden High St",
    )


def test_a_stored_alert_reads_back_exactly(store):
    stored = alert(1)
    store.add(stored)

    assert store.get(stored.alert_id) == stored
    assert store.get("vid-0001.nothing") is None
    assert store.get("no-dot-at-all") is None
    assert store.get("../etc.passwd") is None


def test_board_unacknowledged_first_newest_first_then_latest_acknowledged(store):
    for n in range(5):
        store.add(alert(n, minutes=n))
    store.add(alert(9, force="wiltshire", chain="vid-0002"))
    for n in (0, 3):
        assert store.acknowledge(store.get(f"vid-0001.tok{n:04d}").acknowledge("met", BY, T0 + timedelta(hours=1),
                                                                            None))

    board = store.board("met", 10, 10)
    assert [a.alert_id[-1] for a in board] == ["4", "2", "1", "3", "0"]
    assert [a.alert_id[-1] for a in store.board("met", 2, 1)] == ["4", "2", "3"]
    assert [a.force for a in store.board("wiltshire", 10, 10)] == ["wiltshire"]


def test_an_alert_is_acknowledged_once(store):
    store.add(alert(1))
    first = store.get("vid-0001.tok0001").acknowledge("met", BY, T0 + timedelta(minutes=3), "Units sent")
    second = alert(1).acknowledge("met", {**BY, "officer_id": "MP9002"}, T0 + timedelta(minutes=4), None)

    assert store.acknowledge(first) is True
    assert store.acknowledge(second) is False
    assert store.get("vid-0001.tok0001") == first
    assert store.acknowledge(alert(7).acknowledge("met", BY, T0, None)) is False  # never raised


def test_only_the_stored_acknowledgement_is_withdrawn_and_the_alert_is_open_again(store):
    store.add(alert(1))
    mine = store.get("vid-0001.tok0001").acknowledge("met", BY, T0 + timedelta(minutes=3), "Units sent")
    someone_elses = alert(1).acknowledge("met", {**BY, "officer_id": "MP9002"}, T0 + timedelta(minutes=3), None)

    assert store.withdraw_acknowledgement(mine) is False  # never stored: nothing to withdraw
    assert store.acknowledge(mine) is True
    assert store.withdraw_acknowledgement(someone_elses) is False
    assert store.get("vid-0001.tok0001") == mine
    assert store.withdraw_acknowledgement(mine) is True
    assert store.get("vid-0001.tok0001") == alert(1)
    assert [a.alert_id for a in store.board("met", 10, 10)] == ["vid-0001.tok0001"]
    assert store.acknowledge(mine) is True  # open again: it can be acknowledged once more


def test_redacting_a_chain_erases_its_alerts_personal_data_only(store):
    store.add(alert(1))
    store.add(alert(2, minutes=1))
    store.acknowledge(alert(2, minutes=1).acknowledge("met", BY, T0 + timedelta(minutes=2), "Spoke to her"))
    store.add(alert(3, chain="vid-0002"))

    assert store.redact_chain("vid-0001") == 2
    assert store.redact_chain("vid-0001") == 0  # repeating changes nothing

    erased = store.get("vid-0001.tok0002")
    assert erased is not None and erased.erased
    assert (erased.location, erased.area, erased.note) == (None, None, None)
    assert erased.officer == {"officer_id": "MP4721", "rank": "PC", "given_name": None, "family_name": None}
    assert erased.acknowledged_at == T0 + timedelta(minutes=2)
    assert [a.alert_id for a in store.board("met", 10, 10)] == ["vid-0002.tok0003"]
    assert store.get("vid-0002.tok0003") == alert(3, chain="vid-0002")
    # The domain refuses an erased alert; the store refuses it too, whatever it is handed.
    assert store.acknowledge(alert(1).acknowledge("met", BY, T0, None)) is False


def test_her_words_on_a_citizen_unsafe_alert_read_back_and_are_erased_with_the_chain(store):
    unsafe = dataclasses.replace(alert(1), kind=AlertKind.CITIZEN_UNSAFE, where="Outside Boots, by the bus stop")
    store.add(unsafe)

    assert store.get(unsafe.alert_id) == unsafe and store.board("met", 10, 10)[0].where == unsafe.where
    assert store.redact_chain("vid-0001") == 1
    erased = store.get(unsafe.alert_id)
    assert erased is not None and erased.erased and erased.where is None
