"""How much one scheduled run may do before it stops and leaves the rest to the next run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Time kept back from the function's timeout: the unit of work in hand finishes, the run returns.
SAFETY_MARGIN_SECONDS = 5.0


@dataclass
class Budget:
    """A deadline (monotonic seconds) and a count. Work is done in small units (one check, one
    chain), each checked against the budget first, so a run ends in time with nothing half-done."""

    deadline: float
    max_units: int
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False)
    used: int = 0

    @classmethod
    def for_run(cls, seconds: float, max_units: int, lambda_context: Any = None,
                monotonic: Callable[[], float] = time.monotonic) -> Budget:
        """`seconds` of work, never closer than the safety margin to the Lambda timeout."""
        remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
        if callable(remaining):
            seconds = min(seconds, remaining() / 1000 - SAFETY_MARGIN_SECONDS)
        return cls(monotonic() + seconds, max_units, monotonic)

    @property
    def exhausted(self) -> bool:
        return self.used >= self.max_units or self.monotonic() >= self.deadline

    def spend(self) -> None:
        self.used += 1
