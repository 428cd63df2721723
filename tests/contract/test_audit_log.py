"""AuditLog and Envelope contracts: the fakes and S3AuditLog / KmsEnvelope on moto."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidTag

from chalicelib.adapters.envelope import SEALED, DataKeyErased
from chalicelib.ports import AuditLog, Envelope
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeAuditLog, FakeEnvelope

KEY = "audit/force=met/date=2026-11-28/vid-one/000001.json"


@pytest.fixture(params=BACKENDS)
def audit_log(request: pytest.FixtureRequest, settings: Any, boto_session: Any) -> AuditLog:
    if request.param == "fake":
        return FakeAuditLog()
    from chalicelib.adapters.s3_audit import S3AuditLog
    from chalicelib.local import resources

    request.getfixturevalue("aws")
    s3 = boto_session.client("s3")
    resources.create_buckets(s3, settings)
    return S3AuditLog(s3, settings.audit_bucket)


@pytest.fixture(params=BACKENDS)
def envelope(request: pytest.FixtureRequest, settings: Any, boto_session: Any) -> Envelope:
    if request.param == "fake":
        return FakeEnvelope()
    from chalicelib.adapters.envelope import KmsEnvelope
    from chalicelib.local import resources

    dynamodb = request.getfixturevalue("dynamodb")
    kms = boto_session.client("kms")
    return KmsEnvelope(kms, dynamodb, settings.verifications_table, resources.create_data_key(kms))


def test_an_audit_object_is_written_once_and_never_overwritten(audit_log):
    assert audit_log.read(KEY) is None

    assert audit_log.write(KEY, b'{"seq": 1}') is True
    assert audit_log.write(KEY, b'{"seq": 1, "forged": true}') is False

    assert audit_log.read(KEY) == b'{"seq": 1}'
    assert audit_log.read(KEY.replace("000001", "000002")) is None


def test_sealed_values_open_only_with_their_chain_key(envelope):
    envelope.create_key("vid-one", "2026-11-28")
    location = {"lat": 51.539, "lon": -0.1426, "area": "Camden High St"}

    sealed = envelope.seal("vid-one", location)

    assert sealed is not None and sealed["sealed"] == SEALED
    assert "Camden" not in sealed["ciphertext"]
    assert envelope.open("vid-one", sealed) == location
    assert envelope.seal("vid-one", None) is None
    assert envelope.open("vid-one", None) is None


def test_a_chain_without_a_key_cannot_seal(envelope):
    with pytest.raises(DataKeyErased):
        envelope.seal("vid-none", {"lat": 1})


def test_ensure_key_makes_one_key_and_keeps_it(envelope):
    envelope.ensure_key("refusals-1", "2026-11-28")
    sealed = envelope.seal("refusals-1", "note")
    envelope.ensure_key("refusals-1", "2026-11-28")

    assert envelope.open("refusals-1", sealed) == "note"
    assert envelope.chains_created_on("2026-11-28") == ["refusals-1"]


def test_erasing_a_key_makes_its_data_unreadable_for_good(envelope):
    envelope.create_key("vid-one", "2026-11-28")
    sealed = envelope.seal("vid-one", "Camden High St")

    assert envelope.erase("vid-one") is True
    assert envelope.erase("vid-one") is False
    with pytest.raises(DataKeyErased):
        envelope.open("vid-one", sealed)


def test_retention_entries_move_to_one_later_day_or_are_forgotten(envelope):
    envelope.create_key("vid-a", "2026-11-28")
    envelope.create_key("vid-b", "2026-11-28")
    assert sorted(envelope.chains_created_on("2026-11-28")) == ["vid-a", "vid-b"]

    assert envelope.postpone_retention_entry("2026-11-28", "vid-a", "2026-11-29") is True
    assert envelope.postpone_retention_entry("2026-11-28", "vid-a", "2026-11-29") is False
    envelope.forget_retention_entry("2026-11-28", "vid-b")

    assert envelope.chains_created_on("2026-11-28") == []
    assert envelope.chains_created_on("2026-11-29") == ["vid-a"]


def test_a_second_key_for_a_chain_is_a_cancelled_transaction_and_keeps_the_first(envelope):
    envelope.create_key("vid-one", "2026-11-28")
    sealed = envelope.seal("vid-one", "Camden High St")

    # KmsEnvelope.ensure_key tells "made meanwhile by another request" by exactly this error.
    with pytest.raises(ClientError) as raised:
        envelope.create_key("vid-one", "2026-11-29")

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert envelope.open("vid-one", sealed) == "Camden High St"
    assert envelope.chains_created_on("2026-11-28") == ["vid-one"]
    assert envelope.chains_created_on("2026-11-29") == []  # the cancelled transaction wrote no entry


def test_a_value_sealed_for_one_chain_does_not_open_under_another(envelope):
    envelope.create_key("vid-one", "2026-11-28")
    envelope.create_key("vid-two", "2026-11-28")
    sealed = envelope.seal("vid-one", "Camden High St")

    with pytest.raises(InvalidTag):
        envelope.open("vid-two", sealed)
