"""Erasure at scale (issue 13, finding 9): N decided checks fall due on one day, and the real
scheduled handler (`app.erase_expired_personal_data`) sweeps them on in-process moto, run after
run, until none is left.

Each check is seeded as the app leaves it once decided and copied to S3: the verification, its
reference, `--events` audit events (already in S3), its data key and its retention entry. Seeding
writes straight into moto (it is not what is measured). The local stack's TransactWriteItems is
installed, as `make run` does: moto's own deep-copies the whole table per transaction, which with
100,000 items would measure moto, not the sweep.

A Lambda run has 20 s; the sweep must fit (or stop in time and let the next run continue). Each
run is bounded by ERASURE_BUDGET_SECONDS (12 s) and ERASURE_MAX_CHECKS_PER_RUN (`--max-per-run`);
the runs are timed one after the other, as the 15-minute schedule would make them.

    python bench/erasure.py [--checks 10000] [--events 6] [--max-per-run 2000]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import quiet_stdout, save_result, table
from bench.inprocess import BenchStack, build

LAMBDA_TIMEOUT_SECONDS = 20
SCHEDULE_EVENT = {
    "version": "0", "id": "bench", "detail-type": "Scheduled Event", "source": "aws.events",
    "account": "123456789012", "time": "2027-02-26T01:30:00Z", "region": "eu-west-2", "resources": [], "detail": {},
}


def read_one_partition_per_query() -> None:
    """moto 5.2's Query sorts every item of the table on each call, then keeps one partition; with
    100,000 items that is seconds per call and would measure moto, not the sweep (DynamoDB reads the
    one partition). A base-table Query here reads only the partition asked for: the same items in
    the same order (moto still sorts them by sort key). Index queries and scans are unchanged."""
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "one_partition", False):
        return
    full_query = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")  # moto passes it 8th
        if index_name or hash_key is None:
            return full_query(self, hash_key, *args, **kwargs)
        self.all_items = lambda: list(self.items[hash_key].values()) if hash_key in self.items else []
        try:
            return full_query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    query.one_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]


@contextlib.contextmanager
def moto_patched_for_the_sweep() -> Iterator[None]:
    """Both moto patches for the run only: the tests run this bench in their own process, and later
    tests there must meet moto exactly as they expect it."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    from chalicelib.local import moto_transactions

    saved_query, saved_transact = Table.query, DynamoDBBackend.transact_write_items
    try:
        moto_transactions.install()
        read_one_partition_per_query()
        yield
    finally:
        Table.query = saved_query  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items = saved_transact  # type: ignore[method-assign]


def seed(bench: BenchStack, checks: int, events: int) -> str:
    """`checks` confirmed checks created now, each with `events` audit events already copied to S3;
    returns their creation day. Written into moto's backend directly (fast; not measured)."""
    import json

    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.adapters.dynamodb import DynamoVerificationRepository, serialise_item
    from chalicelib.domain.audit import GENESIS_HASH, SYSTEM, PendingEvent, audit_key, chain
    from chalicelib.domain.verification import Location, OfficerSummary, Status, Verification

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][bench.deps.settings.region]
    table_name = bench.deps.settings.verifications_table
    now = bench.deps.clock()
    day: str = now.date().isoformat()
    officer = OfficerSummary(officer_id="MP4721", rank="PC", given_name="Sam", family_name="Jones")
    pending = [PendingEvent("bench.event", SYSTEM, {"n": n}) for n in range(events)]
    for n in range(checks):
        vid = f"B{n:015d}"
        chained = chain(pending, verification_id=vid, force="met", after_seq=0, after_hash=GENESIS_HASH,
                        at=now, new_event_id=lambda: "e")
        verification = Verification(
            verification_id=vid, reference=f"SC-B{n:07d}", status=Status.CONFIRMED, force="met",
            officer=officer, sergeant=officer, location=Location(lat=51.5, lon=-0.14, accuracy_m=10.0),
            area="Camden High St", created_at=now, decided_at=now,
            audit_seq=chained[-1]["seq"], audit_head=chained[-1]["hash"],
        )
        items = [
            DynamoVerificationRepository._meta_item(verification),
            {"pk": f"REF#{verification.reference}", "sk": "REF", "kind": "reference", "verification_id": vid},
            {"pk": f"DATAKEY#{vid}", "sk": "DATAKEY", "kind": "data_key", "encrypted_key": b"k" * 32,
             "created_day": day},
            {"pk": f"RETAIN#{day}", "sk": vid, "kind": "retention"},
            *({"pk": f"V#{vid}", "sk": f"EVENT#{e['seq']:06d}", "kind": "audit_event",
               "audit_key": audit_key("met", now, vid, e["seq"]),
               "event_json": json.dumps(e, sort_keys=True)} for e in chained),
        ]
        for item in items:
            backend.put_item(table_name, serialise_item(item))
    # moto keeps a stream record per write; the sweep's own writes would copy them around for nothing.
    shard = backend.get_table(table_name).stream_shard
    if shard is not None:
        shard.items.clear()
    return day


def sweep(bench: BenchStack, day: str, checks: int) -> list[dict[str, Any]]:
    """Run the scheduled handler until the day's retention index is empty; one row per run."""
    import app

    runs: list[dict[str, Any]] = []
    left = checks
    while left:
        bench.counter.reset()
        started = time.perf_counter()
        app.erase_expired_personal_data(SCHEDULE_EVENT, None)
        seconds = time.perf_counter() - started
        now_left = len(bench.deps.envelope.chains_created_on(day))
        runs.append({"seconds": seconds, "erased": left - now_left, "calls": bench.counter.total()})
        if now_left == left:
            raise SystemExit(f"run {len(runs)} erased nothing; {left} checks left")
        left = now_left
    return runs


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=10_000, help="checks falling due on the same day")
    parser.add_argument("--events", type=int, default=6, help="audit events per check (a confirmed check has 6)")
    parser.add_argument("--max-per-run", type=int, default=None, help="ERASURE_MAX_CHECKS_PER_RUN (default: the app's)")
    args = parser.parse_args(argv)
    from moto import mock_aws

    with mock_aws(), quiet_stdout(), moto_patched_for_the_sweep():
        bench = build()
        if args.max_per_run:
            bench.stack.deps.settings = bench.deps.settings.model_copy(
                update={"erasure_max_checks_per_run": args.max_per_run}
            )
        try:
            day = seed(bench, args.checks, args.events)
            bench.stack.clock.skip(timedelta(days=bench.deps.settings.personal_data_retention_days + 1).total_seconds())
            runs = sweep(bench, day, args.checks)
        finally:
            bench.close()
    total_seconds = sum(r["seconds"] for r in runs)
    longest = max(r["seconds"] for r in runs)
    rate = args.checks / total_seconds
    print(table(["run", "checks erased", "seconds", "AWS calls"],
                [[n, r["erased"], f"{r['seconds']:.1f}", r["calls"]] for n, r in enumerate(runs, start=1)]))
    fits = longest <= LAMBDA_TIMEOUT_SECONDS
    print(f"{args.checks} checks due on one day ({args.events} audit events each): {len(runs)} run(s), "
          f"longest {longest:.1f} s ({'fits' if fits else 'does not fit'} a {LAMBDA_TIMEOUT_SECONDS} s Lambda run)")
    print(f"AWS calls per check: {sum(r['calls'] for r in runs) / args.checks:.1f}")
    print(f"checks erased per second: {rate:.0f}")
    result = {"checks": args.checks, "erased": sum(r["erased"] for r in runs), "events": args.events, "runs": len(runs),
              "longest_run_seconds": round(longest, 2),
              "fits_lambda_timeout": fits, "calls_per_check": round(sum(r["calls"] for r in runs) / args.checks, 2),
              "checks_per_second": round(rate, 1)}
    save_result("erasure", result)
    return result


if __name__ == "__main__":
    main()
