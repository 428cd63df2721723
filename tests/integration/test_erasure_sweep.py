"""Issue 13, finding 9: the erasure sweep is bounded per run and continues where it stopped.

Before this fix one nightly run erased every due check of the last week in one go: about 7
sequential calls per check, so at 1,000 checks a day a 20 s run timed out part-way, every night.
Now each run stops at its budget (time, and a count: ERASURE_MAX_CHECKS_PER_RUN) and the next run
(every 15 minutes) continues: erased checks leave the retention index, and checks that cannot be
erased yet move to the next day's entries instead of being re-read by every run.
bench/erasure.py measures the rate at 10,000 due checks.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import app
from tests.integration.outbox_helpers import SCHEDULE_EVENT, S3Outage, start

DAY = "2026-11-28"


def _due_checks(stack, officers: list[str]) -> list[str]:
    ids = []
    for officer_id in officers:
        vid = start(stack, officer_id)
        assert stack.call("POST", f"/verifications/{vid}/cancel", officer_id, {})[0] == 200
        ids.append(vid)
    return ids


def _with_settings(stack, monkeypatch, **values) -> None:
    monkeypatch.setattr(stack.deps, "settings", stack.deps.settings.model_copy(update=values))


def _run(stack) -> list[str]:
    """One scheduled run; the checks whose entries it took out of the day's index (erased or postponed)."""
    before = set(stack.deps.envelope.chains_created_on(DAY))
    app.erase_expired_personal_data(SCHEDULE_EVENT, None)
    return sorted(before - set(stack.deps.envelope.chains_created_on(DAY)))


def test_each_run_erases_at_most_its_budget_and_the_next_run_continues(stack, clock, monkeypatch):
    checks = _due_checks(stack, ["MP4721", "MP5102", "WP1187", "WP1450", "MP4721", "MP5102"])
    stack.pump_audit()
    _with_settings(stack, monkeypatch, erasure_max_checks_per_run=2)
    clock.advance(days=stack.settings.personal_data_retention_days + 1)

    runs = [_run(stack) for _ in range(4)]

    assert [len(erased) for erased in runs] == [2, 2, 2, 0]
    assert sorted(itertools.chain.from_iterable(runs)) == sorted(checks)  # each exactly once
    assert all(stack.deps.verifications.get(vid) is None for vid in checks)


def test_checks_that_must_wait_for_s3_move_out_of_the_way_of_the_ones_that_can_go(stack, clock, monkeypatch):
    ready = _due_checks(stack, ["MP4721", "MP5102"])
    stack.pump_audit()
    outage = S3Outage(stack.deps.s3)
    waiting = _due_checks(stack, ["WP1187", "WP1450", "MP4721"])
    _with_settings(stack, monkeypatch, erasure_max_checks_per_run=2)
    clock.advance(days=stack.settings.personal_data_retention_days + 1)

    runs = [_run(stack) for _ in range(4)]

    # Every run makes progress: the waiting ones are moved on, not re-read by each run.
    assert sorted(itertools.chain.from_iterable(runs)) == sorted(ready + waiting)  # all left DAY's index within 3 runs
    assert runs[3] == []
    assert all(stack.deps.verifications.get(vid) is None for vid in ready)
    assert all(stack.deps.verifications.get(vid) is not None for vid in waiting)
    tomorrow = clock().date() - timedelta(days=stack.settings.personal_data_retention_days - 1)
    assert sorted(stack.deps.envelope.chains_created_on(tomorrow.isoformat())) == sorted(waiting)
    outage.end()
