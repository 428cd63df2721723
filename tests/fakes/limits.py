"""In-memory rate limiter, alert folds, look-up passes and address pseudonyms."""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.adapters.alert_folds import Fold


class FakeRateLimiter:
    """`hits` maps (key, window number) -> hits counted, windows aligned on the epoch as in DynamoDB."""

    def __init__(self) -> None:
        self.hits: dict[tuple[str, int], int] = {}

    def allow(self, key: str, limit: int, window_seconds: int, now_epoch: float) -> bool:
        slot = (key, int(now_epoch // window_seconds))
        if self.hits.get(slot, 0) >= limit:
            return False
        self.hits[slot] = self.hits.get(slot, 0) + 1
        return True

    def exhausted(self, key: str, limit: int, window_seconds: int, now_epoch: float) -> bool:
        return self.hits.get((key, int(now_epoch // window_seconds)), 0) >= limit


class FakeAlertFolds:
    """`folds` maps key -> {"until", "alerted_at", "folded"}, updated as the DynamoDB item is."""

    def __init__(self) -> None:
        self.folds: dict[str, dict[str, Any]] = {}

    def fold(self, key: str, now_epoch: int, now_iso: str, window_seconds: int) -> Fold:
        before = self.folds.get(key)
        if before is None or before["until"] <= now_epoch:
            self.folds[key] = {"until": now_epoch + window_seconds, "alerted_at": now_iso, "folded": 0}
            previous = before or {}
            return Fold(True, 1 + int(previous.get("folded", 0)), previous.get("alerted_at"))
        before["folded"] += 1
        return Fold(False)

    def reopen(self, key: str, fold: Fold, alerted_at: str) -> None:
        item = self.folds.get(key)
        if item is None or item.get("alerted_at") != alerted_at:
            return  # a later window was claimed meanwhile, with its own alert
        item["until"] = 0
        item["folded"] = item.get("folded", 0) + fold.attempts
        if fold.previous_alert_at is None:
            item.pop("alerted_at", None)
        else:
            item["alerted_at"] = fold.previous_alert_at


class FakeLookupPasses:
    """`passes` maps pseudonym -> until (epoch). Like the TTL'd item, a pass is held until deleted."""

    def __init__(self) -> None:
        self.passes: dict[str, int] = {}

    def holds(self, key: str) -> bool:
        return key in self.passes

    def grant(self, key: str, until_epoch: int) -> None:
        self.passes[key] = until_epoch


class FakeAddressPseudonyms:
    """Stable pseudonyms that never contain the address: a SHA-256 under a fixed test key."""

    def __init__(self, key: bytes = b"fake-address-key") -> None:
        self._key = key

    def _digest(self, purpose: str, *parts: str) -> str:
        return hashlib.sha256(b"\n".join([self._key, purpose.encode(), *(p.encode() for p in parts)])).hexdigest()[:32]

    def address(self, address: str) -> str:
        return self._digest("address", address)

    def address_and_reference(self, address: str, reference: str) -> str:
        return self._digest("pass", address, reference)
