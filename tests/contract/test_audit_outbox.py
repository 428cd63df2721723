"""AuditOutbox, AuditIndex and DigestSigner contracts: the fakes and the DynamoDB / KMS adapters on moto.

The outbox is the event items the verification store writes, so both run over a store of the same kind.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.outbox import OutboxItem
from chalicelib.ports import AuditIndex, AuditOutbox, DigestSigner, VerificationStore
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeAuditIndex, FakeAuditOutbox, FakeDigestSigner, FakeVerificationStore
from tests.integration.helpers import draft_verification

T0 = datetime(2026, 11, 28, 2, 47, 0, tzinfo=UTC)
Forge = Callable[[str, str, str | None, str | None], None]


@pytest.fixture(params=BACKENDS)
def outbox(request: pytest.FixtureRequest, settings: Any) -> tuple[VerificationStore, AuditOutbox, Forge]:
    """(store, outbox over its events, forge: write a raw item as a compromised function could)."""
    if request.param == "fake":
        store = FakeVerificationStore()
        fake = FakeAuditOutbox(store)
        return store, fake, lambda pk, sk, key, body: fake.put_item(pk, sk, key, body)
    from chalicelib.adapters.audit_outbox import DynamoAuditOutbox
    from chalicelib.adapters.dynamodb import DynamoVerificationRepository

    dynamodb = request.getfixturevalue("dynamodb")
    table = settings.verifications_table

    def forge(pk: str, sk: str, key: str | None, body: str | None) -> None:
        item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": sk}, "kind": {"S": "audit_event"},
                                "awaiting_copy": {"S": "s3"}, "recorded_at": {"S": "2026-11-28T02:47:00.000Z"}}
        if key is not None:
            item["audit_key"] = {"S": key}
        if body is not None:
            item["event_json"] = {"S": body}
        dynamodb.put_item(TableName=table, Item=item)

    store = DynamoVerificationRepository(dynamodb, table, marks_table=settings.idempotency_table)
    return store, DynamoAuditOutbox(dynamodb, table), forge


@pytest.fixture(params=BACKENDS)
def index(request: pytest.FixtureRequest, settings: Any) -> AuditIndex:
    if request.param == "fake":
        return FakeAuditIndex()
    from chalicelib.adapters.dynamodb.audit_index import DynamoAuditIndex

    return DynamoAuditIndex(request.getfixturevalue("dynamodb"), settings.verifications_table)


@pytest.fixture(params=BACKENDS)
def signer(request: pytest.FixtureRequest, boto_session: Any) -> DigestSigner:
    if request.param == "fake":
        return FakeDigestSigner()
    from chalicelib.adapters.kms_signer import KmsDigestSigner
    from chalicelib.local import resources

    request.getfixturevalue("aws")
    kms = boto_session.client("kms")
    return KmsDigestSigner(kms, resources.create_signing_key(kms))


def _stored(store: VerificationStore, vid: str, at: datetime = T0, officer_id: str = "MP4721") -> list[Any]:
    verification, events = draft_verification(vid, created_at=at, officer_id=officer_id)
    store.create(verification, events)
    return events


def test_every_new_event_is_in_the_outbox_awaiting_copy(outbox):
    store, box, _ = outbox
    [(key, event)] = _stored(store, "vid-one")
    store.record_attempt("att-1", [("audit/a/000001.json", {**event, "seq": 1, "at": "2026-11-28T02:48:00.000Z"})])

    [item] = box.chain_items(keys.verification_pk("vid-one"))

    assert (item.pk, item.sk, item.audit_key) == ("V#vid-one", "EVENT#000001", key)
    assert json.loads(item.event_json) == event
    assert item.awaiting_copy and not item.quarantined
    assert box.get("V#vid-one", 1) == item
    assert box.get("V#vid-one", 2) is None
    assert [(w.pk, w.audit_key) for w in box.waiting()] == [("V#vid-one", key), ("A#att-1", "audit/a/000001.json")]
    assert [w.pk for w in box.waiting(recorded_before="2026-11-28T02:48:00.000Z")] == ["V#vid-one"]


def test_a_copied_item_leaves_the_backlog_and_a_changed_one_is_not_marked(outbox):
    store, box, forge = outbox
    _stored(store, "vid-a")
    _stored(store, "vid-b", T0 + timedelta(seconds=1), officer_id="MP0002")
    [copied] = box.chain_items("V#vid-a")
    [judged] = box.chain_items("V#vid-b")
    forge("V#vid-b", "EVENT#000001", judged.audit_key, '{"forged": true}')  # replaced after it was judged

    assert box.mark_copied(copied) is True
    assert box.mark_copied(judged) is False

    assert box.chain_items("V#vid-a")[0].awaiting_copy is False
    assert [w.pk for w in box.waiting()] == ["V#vid-b"]
    assert box.mark_copied(OutboxItem("V#vid-none", "EVENT#000001", None, None)) is False  # no such item


def test_a_quarantined_item_is_marked_and_out_of_the_backlog(outbox):
    _, box, forge = outbox
    forge("V#vid-x", "EVENT#000001", None, None)  # no event at all
    [item] = box.chain_items("V#vid-x")

    assert item.event_json is None and item.awaiting_copy
    assert box.mark_quarantined(item, "quarantine/abc.json") is True

    [after] = box.chain_items("V#vid-x")
    assert after.quarantined and not after.awaiting_copy
    assert list(box.waiting()) == []


def test_erased_events_leave_the_outbox(outbox):
    store, box, _ = outbox
    _stored(store, "vid-gone")
    verification = store.get("vid-gone")
    # delete_personal_copy keeps the last event (the erasure's): with audit_seq 2, event 1 goes.
    store.delete_personal_copy(dataclasses.replace(verification, audit_seq=2))

    assert box.chain_items("V#vid-gone") == []
    assert box.get("V#vid-gone", 1) is None


def test_the_index_lists_each_days_writes_per_force_once(index):
    index.record_many("2026-11-28", [("met", "audit/k1", "h1"), ("met", "audit/k2", "h2"), ("kent", "audit/k3", "h3")])
    index.record_many("2026-11-28", [("met", "audit/k1", "h1")])  # a redelivered batch
    index.record_many("2026-11-29", [("met", "audit/k4", "h4")])

    assert index.forces_written("2026-11-28") == ["kent", "met"]
    assert index.written("met", "2026-11-28") == [("audit/k1", "h1"), ("audit/k2", "h2")]
    assert index.written("kent", "2026-11-29") == []
    assert index.forces_written("2026-11-30") == []


def test_a_signature_verifies_for_its_digest_only(signer):
    digest = bytes(range(32))
    signature = signer.sign(digest)

    assert signer.key_id
    assert signer.verify(digest, signature) is True
    assert signer.verify(bytes(reversed(digest)), signature) is False
    tampered = bytes([signature[0] ^ 1]) + signature[1:]
    assert signer.verify(digest, tampered) is False
