"""Issue 13, findings 6 and 9: a scheduled run's budget (services/budget.py)."""

from __future__ import annotations

from chalicelib.services.budget import SAFETY_MARGIN_SECONDS, Budget


class Ticking:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_a_budget_ends_at_its_count_or_its_time_whichever_comes_first():
    clock = Ticking()
    budget = Budget.for_run(12, 3, monotonic=clock)
    for _ in range(3):
        assert not budget.exhausted
        budget.spend()
    assert budget.exhausted
    timed = Budget.for_run(12, 1000, monotonic=clock)
    clock.now += 11.9
    assert not timed.exhausted
    clock.now += 0.1
    assert timed.exhausted


def test_a_budget_never_runs_into_the_lambda_timeout():
    clock = Ticking()
    budget = Budget.for_run(12, 1000, Context(remaining_ms=9_000), monotonic=clock)
    assert budget.deadline == clock.now + 9 - SAFETY_MARGIN_SECONDS
    assert Budget.for_run(12, 1000, Context(remaining_ms=20_000), monotonic=clock).deadline == clock.now + 12
    assert Budget.for_run(12, 1000, None, monotonic=clock).deadline == clock.now + 12
