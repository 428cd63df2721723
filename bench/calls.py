"""AWS API calls per full lifecycle (start -> accept -> decide -> audit), per service and operation.

One verification on the in-process stack (seeded force `met`: three available sergeants): the
officer starts it, a sergeant accepts, confirms; the escalation timers it armed are then delivered
late (as SQS does once their delay is over: by then each is a no-op) and the DynamoDB stream
consumer copies its audit events to S3 (and marks each copied). Calls are counted at botocore's `before-parameter-build`
event for every client the app builds; each row carries why the app cannot do without it.

    python bench/calls.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import quiet_stdout, save_result, table
from bench.inprocess import BenchStack, build

OFFICER, SERGEANT = "MP4721", "MP2001"
LOCATION = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 10}, "area": "Camden High St"}

# (phase, service, operation) -> why the app must make this call.
WHY: dict[tuple[str, str, str], str] = {
    ("start", "dynamodb", "GetItem"): (
        "3: officer's registry record (serving?), active-check lock (refuse before making a meeting), "
        "recent starts (hourly limit)"
    ),
    ("start", "kms", "GenerateDataKey"): (
        "the check's own data key, sealing location/area in its audit events (erasable later)"
    ),
    ("start", "chime-sdk-meetings", "CreateMeeting"): "the video call",
    ("start", "chime-sdk-meetings", "CreateAttendee"): "the officer's join token",
    ("start", "dynamodb", "TransactWriteItems"): (
        "3: data key + its erasure-day entry; check + lock + reference + start times + wave-1 claim + audit events; "
        "sms.sent event after the texts"
    ),
    ("start", "dynamodb", "Query"): "available sergeants of the force (sparse GSI), to choose wave 1",
    ("start", "sns", "Publish"): "one SMS per sergeant in wave 1 (WAVE_SIZE=3)",
    ("start", "dynamodb", "UpdateItem"): "last_notified_at per texted sergeant (fair rotation)",
    ("start", "sqs", "SendMessage"): "two timers: wave 2 and the answer timeout",
    ("accept", "dynamodb", "GetItem"): (
        "4: the registry gate's read of the caller (its 60 s cache ran out while the timers waited), "
        "the check (visible? state?), the sergeant's registry record (available?), "
        "after the win the officer's record (photo shown)"
    ),
    ("accept", "dynamodb", "TransactWriteItems"): (
        "the conditional accept (first wins) + accepted/disclosed audit events"
    ),
    ("accept", "sqs", "SendMessage"): "the decision timeout timer",
    ("accept", "chime-sdk-meetings", "CreateAttendee"): "the sergeant's join token",
    ("accept", "dynamodb", "UpdateItem"): (
        "2, conditional: the sergeant's page is open (at most once per 2 minutes) and their last "
        "acceptance: those likeliest to answer now are texted first"
    ),
    ("decide", "dynamodb", "GetItem"): "the check (visible to this sergeant? accepted by them?)",
    ("decide", "dynamodb", "TransactWriteItems"): "the conditional decision + its audit event",
    ("decide", "chime-sdk-meetings", "DeleteMeeting"): "end the call",
    ("timers", "dynamodb", "GetItem"): (
        "3 late timers (wave 2, answer timeout, decision timeout): one state read each, then nothing to do"
    ),
    ("audit", "s3", "PutObject"): "one object per audit event (If-None-Match: *)",
    ("audit", "dynamodb", "BatchWriteItem"): (
        "the day's written-events index (input of the signed digest), one request per batch"
    ),
    ("audit", "dynamodb", "UpdateItem"): (
        "each copied event leaves the backlog of events awaiting copy (a conditional update of "
        "the exact item), so the reconciler need not copy it and erasure may delete it"
    ),
}


T = TypeVar("T")
# (service, operation) -> how many calls
Calls = Counter[tuple[str, str]]


def lifecycle(bench: BenchStack) -> dict[str, Calls]:
    """One full lifecycle; the calls of each phase."""
    phases: dict[str, Calls] = {}

    def phase(name: str, action: Callable[[], T]) -> T:
        bench.counter.reset()
        result = action()
        phases[name] = bench.counter.snapshot()
        return result

    status, started = phase("start", lambda: bench.call("POST", "/verifications", OFFICER, LOCATION))
    assert status == 201, started
    vid = started["verification_id"]
    status, body = phase("accept", lambda: bench.call("POST", f"/verifications/{vid}/accept", SERGEANT, {}))
    assert status == 200, body
    status, body = phase(
        "decide", lambda: bench.call("POST", f"/verifications/{vid}/outcome", SERGEANT, {"outcome": "confirmed"})
    )
    assert status == 200 and body["status"] == "confirmed", body
    phase("timers", bench.deliver_timers)
    phase("audit", bench.pump_audit)
    return phases


def rows(phases: dict[str, Calls]) -> list[list[object]]:
    result: list[list[object]] = []
    for name, calls in phases.items():
        for (service, operation), count in sorted(calls.items()):
            result.append([name, service, operation, count, WHY.get((name, service, operation), "UNJUSTIFIED")])
    return result


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the same (one lifecycle is quick already)")
    parser.parse_args(argv)
    from moto import mock_aws

    with mock_aws(), quiet_stdout():
        bench = build()
        try:
            lifecycle(bench)  # warm-up: first-use work (e.g. the JWKS) is not per-lifecycle
            phases = lifecycle(bench)
        finally:
            bench.close()
    table_rows = rows(phases)
    print(table(["phase", "service", "operation", "calls", "why"], table_rows))
    per_service: Counter[str] = Counter()
    for calls in phases.values():
        for (service, _), count in calls.items():
            per_service[service] += count
    total = sum(per_service.values())
    unjustified = [r for r in table_rows if r[4] == "UNJUSTIFIED"]
    print("per service: " + ", ".join(f"{s} {n}" for s, n in sorted(per_service.items())))
    print(f"AWS calls per lifecycle: {total} ({len(unjustified)} unjustified)")
    result = {
        "total": total,
        "per_service": dict(per_service),
        "per_phase": {name: sum(calls.values()) for name, calls in phases.items()},
        "unjustified": [f"{r[0]} {r[1]} {r[2]}" for r in unjustified],
        "rows": [r[:4] for r in table_rows],
    }
    save_result("calls", result)
    return result


if __name__ == "__main__":
    main()
