"""In-memory audit log (write-once objects) and envelope (per-chain keys that can be erased)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidTag

from chalicelib.adapters.envelope import SEALED, DataKeyErased
from tests.fakes.errors import transaction_cancelled


class FakeAuditLog:
    """`objects` maps key -> bytes; a key is written once, never overwritten."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def write(self, key: str, body: bytes) -> bool:
        if key in self.objects:
            return False
        self.objects[key] = bytes(body)
        return True

    def read(self, key: str) -> bytes | None:
        return self.objects.get(key)


class FakeEnvelope:
    """Seals as the real one's shape (`{"sealed": ..., "ciphertext": ...}`) without real encryption;
    a chain without a key (never made, or erased) raises DataKeyErased like the KMS one."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # chain id -> created day
        self.retention: dict[str, set[str]] = {}  # day -> chain ids

    def create_key(self, chain_id: str, created_day: str) -> None:
        if chain_id in self.keys:
            # The real one: the data key's conditional put cancels the transaction (the retention
            # entry is not written either), and KmsEnvelope.ensure_key relies on exactly this error.
            raise transaction_cancelled(["ConditionalCheckFailed", "None"])
        self.keys[chain_id] = created_day
        self.retention.setdefault(created_day, set()).add(chain_id)

    def ensure_key(self, chain_id: str, created_day: str) -> None:
        if chain_id not in self.keys:
            self.create_key(chain_id, created_day)

    def _require(self, chain_id: str) -> None:
        if chain_id not in self.keys:
            raise DataKeyErased(chain_id)

    def seal(self, chain_id: str, value: Any) -> dict[str, str] | None:
        if value is None:
            return None
        self._require(chain_id)
        plaintext = json.dumps([chain_id, value], sort_keys=True, ensure_ascii=False).encode("utf-8")
        return {"sealed": SEALED, "ciphertext": base64.b64encode(plaintext).decode("ascii")}

    def open(self, chain_id: str, sealed: dict[str, str] | None) -> Any:
        if sealed is None:
            return None
        self._require(chain_id)
        sealed_for, value = json.loads(base64.b64decode(sealed["ciphertext"]))
        if sealed_for != chain_id:
            raise InvalidTag()  # as AES-GCM in the real one: the chain id is the associated data
        return value

    def erase(self, chain_id: str) -> bool:
        return self.keys.pop(chain_id, None) is not None

    def chains_created_on(self, day: str) -> list[str]:
        return sorted(self.retention.get(day, ()))

    def forget_retention_entry(self, day: str, chain_id: str) -> None:
        self.retention.get(day, set()).discard(chain_id)

    def postpone_retention_entry(self, day: str, chain_id: str, to_day: str) -> bool:
        entries, later = self.retention.get(day, set()), self.retention.setdefault(to_day, set())
        if chain_id not in entries or chain_id in later:
            return False
        entries.discard(chain_id)
        later.add(chain_id)
        return True
