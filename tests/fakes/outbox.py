"""In-memory audit outbox (a view of FakeVerificationStore's events), audit index and digest signer."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator

from chalicelib.adapters.audit_outbox import Waiting
from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.outbox import OutboxItem
from tests.fakes.verifications import FakeVerificationStore

_Slot = tuple[str, str]  # (pk, sk), as the verifications table keys an outbox item


class FakeAuditOutbox:
    """The outbox items are the events FakeVerificationStore holds (as the real ones are the event
    items of the same table), each awaiting copy until marked copied or quarantined.

    `put_item` is what a compromised function could do: write an item of its own (it replaces
    whatever was at its key, awaiting copy again). Erasure deleting events deletes their items.
    """

    def __init__(self, store: FakeVerificationStore) -> None:
        self._store = store
        self._raw: dict[_Slot, tuple[str | None, str | None, str]] = {}  # audit key, event json, recorded at
        self._copied: set[_Slot] = set()
        self.quarantined: dict[_Slot, str] = {}

    def put_item(self, pk: str, sk: str, audit_key: str | None, event_json: str | None,
                 recorded_at: str = "2026-11-28T02:47:00.000Z") -> OutboxItem:
        self._raw[(pk, sk)] = (audit_key, event_json, recorded_at)
        self._copied.discard((pk, sk))
        self.quarantined.pop((pk, sk), None)
        return self._item((pk, sk), self._raw[(pk, sk)])

    def _rows(self) -> dict[_Slot, tuple[str | None, str | None, str]]:
        rows: dict[_Slot, tuple[str | None, str | None, str]] = {}
        for pk, chain in self._store.chains.items():
            for seq, (key, event) in chain.items():
                event_json = json.dumps(event, sort_keys=True, ensure_ascii=False)
                rows[(pk, keys.event_sk(seq))] = (key, event_json, event["at"])
        rows.update(self._raw)
        return rows

    def _awaiting(self, slot: _Slot) -> bool:
        return slot not in self._copied and slot not in self.quarantined

    def _item(self, slot: _Slot, row: tuple[str | None, str | None, str]) -> OutboxItem:
        return OutboxItem(pk=slot[0], sk=slot[1], audit_key=row[0], event_json=row[1],
                          awaiting_copy=self._awaiting(slot), quarantined=slot in self.quarantined,
                          key_chain=keys.chain_of_pk(slot[0]), key_seq=keys.seq_of_sk(slot[1]))

    def waiting(self, recorded_before: str | None = None) -> Iterator[Waiting]:
        rows = sorted(self._rows().items(), key=lambda pair: (pair[1][2], pair[0]))
        for slot, (audit_key, _, recorded_at) in rows:
            if self._awaiting(slot) and (
                    recorded_before is None or recorded_at < recorded_before):
                yield Waiting(slot[0], audit_key, recorded_at)

    def chain_items(self, pk: str) -> list[OutboxItem]:
        return [self._item(slot, row) for slot, row in sorted(self._rows().items())
                if slot[0] == pk and slot[1].startswith(keys.EVENT_PREFIX)]

    def get(self, pk: str, seq: int) -> OutboxItem | None:
        slot = (pk, keys.event_sk(seq))
        row = self._rows().get(slot)
        return self._item(slot, row) if row else None

    def _still(self, item: OutboxItem) -> bool:
        """The real one's condition: the stored item is exactly the one judged (or both lack an event)."""
        row = self._rows().get((item.pk, item.sk))
        return row is not None and row[1] == item.event_json

    def mark_copied(self, item: OutboxItem) -> bool:
        if not self._still(item):
            return False
        self._copied.add((item.pk, item.sk))
        return True

    def mark_quarantined(self, item: OutboxItem, quarantine_key: str) -> bool:
        if not self._still(item):
            return False
        self.quarantined[(item.pk, item.sk)] = quarantine_key
        return True


class FakeAuditIndex:
    """`written_by_day` maps (force, day) -> {object key: hash}; writes are idempotent like puts."""

    def __init__(self) -> None:
        self.written_by_day: dict[tuple[str, str], dict[str, str]] = {}

    def record_many(self, day: str, written: list[tuple[str, str, str]]) -> None:
        for force, key, event_hash in written:
            self.written_by_day.setdefault((force, day), {})[key] = event_hash

    def written(self, force: str, day: str) -> list[tuple[str, str]]:
        return sorted(self.written_by_day.get((force, day), {}).items())

    def forces_written(self, day: str) -> list[str]:
        return sorted(force for force, written_day in self.written_by_day if written_day == day)


class FakeDigestSigner:
    """HMAC instead of RSASSA-PSS: a signature verifies only for the same digest and key."""

    def __init__(self, key_id: str = "alias/fake-audit-signing") -> None:
        self.key_id = key_id
        self._secret = hashlib.sha256(key_id.encode("utf-8")).digest()

    def sign(self, message_digest: bytes) -> bytes:
        return hmac.new(self._secret, message_digest, hashlib.sha256).digest()

    def verify(self, message_digest: bytes, signature: bytes, key_id: str | None = None) -> bool:
        if key_id not in (None, self.key_id):
            return False
        return hmac.compare_digest(self.sign(message_digest), signature)
