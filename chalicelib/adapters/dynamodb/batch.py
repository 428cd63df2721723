"""BatchWriteItem in chunks of 25, sending unprocessed items again after a jittered backoff.

DynamoDB returns UnprocessedItems when a partition is throttled; resending them at once only adds to
the throttling. Each resend waits a "full jitter" exponential backoff (AWS Architecture Blog,
"Exponential Backoff And Jitter"), and after MAX_ATTEMPTS calls for one chunk BatchWriteIncomplete
is raised rather than looping for ever.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

CHUNK = 25  # BatchWriteItem's limit
MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 0.05
MAX_DELAY_SECONDS = 2.0

_jitter = random.SystemRandom()


class BatchWriteIncomplete(RuntimeError):
    """Some requests were still unprocessed after MAX_ATTEMPTS calls."""

    def __init__(self, table: str, unprocessed: int) -> None:
        super().__init__(f"{unprocessed} write(s) to {table} still unprocessed after {MAX_ATTEMPTS} attempts")
        self.unprocessed = unprocessed


def backoff_seconds(retry: int) -> float:
    """How long to wait before resend number `retry` (1, 2, ...): uniform in [0, base * 2^retry]."""
    return _jitter.uniform(0, min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2**retry))


def batch_write(
    client: Any,
    table: str,
    requests: Sequence[dict[str, Any]],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Send PutRequest/DeleteRequest entries to `table`, 25 per BatchWriteItem."""
    for start in range(0, len(requests), CHUNK):
        pending: dict[str, Any] = {table: list(requests[start : start + CHUNK])}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if attempt > 1:
                sleep(backoff_seconds(attempt - 1))
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        else:
            raise BatchWriteIncomplete(table, sum(len(entries) for entries in pending.values()))
