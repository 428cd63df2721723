"""In-memory fixed-window rate limiter."""

from __future__ import annotations


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
