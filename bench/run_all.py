"""`make bench`: every benchmark in its own interpreter, then one summary table.

The summary ends with five lines outside tools read (`summary_lines`): the cold start ratio (the
worst of the three first requests), the worst route latency ratio, the median SMS per check and the
p95 time to accept of the app's escalation policy, and the cost per check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PROJECT, RESULTS_DIR, table

RUNS = [
    ["bench/calls.py"],
    ["bench/time_to_sergeant.py"],
    # The script's own default: a route's fixed cost over a 30-40 ms floor moved its ratio by
    # +-0.06 from run to run at 30 rounds (1.09x-1.21x for the sergeant's queue on one tree).
    ["bench/latency.py", "--rounds", "40"],
    ["bench/coldstart.py", "--rounds", "15"],
    # 40 keeps `make bench` under 5 minutes; `python bench/load.py` runs the full 200.
    ["bench/load.py", "--verifications", "40", "--concurrency", "20"],
    # 1,000 due checks keep `make bench` short; `python bench/erasure.py` sweeps 10,000.
    ["bench/erasure.py", "--checks", "1000"],
]


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The summary's last five lines, exactly as outside tools read them."""
    app = next(r for r in result["time_to_sergeant"]["results"] if r["app"])
    return [
        f"cold start ratio: {result['coldstart']['ratio']:.2f}x",
        f"worst route latency ratio: {result['latency']['worst_ratio']:.2f}x",
        f"sms per check (median): {app['median_sms']:.1f}",
        f"time to accept p95: {app['p95_s']:.1f} s",
        f"cost per check: ${cost_per_check(result):.3f}",
    ]


def cost_per_check(result: dict[str, Any]) -> float:
    """The cost model (infra/cost_model.py) applied to the calls of one measured lifecycle and the
    mean texts per check of the app's policy in the simulation."""
    from infra.cost_model import cost_per_check_usd

    app = next(r for r in result["time_to_sergeant"]["results"] if r["app"])
    calls = [(service, operation, count) for _, service, operation, count in result["calls"]["rows"]]
    return cost_per_check_usd(calls, app["mean_sms"])


def rows(result: dict[str, Any]) -> list[list[Any]]:
    sim = result["time_to_sergeant"]["results"]
    app = next(r for r in sim if r["app"])
    before = next(r for r in sim if r["previous"])
    at_once = sim[0]
    cold = result["coldstart"]["scenarios"]
    return [
        ["AWS calls per lifecycle (start -> accept -> decide -> audit)", result["calls"]["total"],
         "every call justified"],
        ["unjustified calls", len(result["calls"]["unjustified"]), "0"],
        [f"time to accept p50/p95, {app['policy']} (the app)", f"{app['p50_s']} s / {app['p95_s']} s",
         "p95 <= 30 s"],
        ["  SMS per check, median / mean", f"{app['median_sms']:.1f} / {app['mean_sms']}", "median <= 2"],
        [f"time to accept p50/p95, {before['policy']} (before)", f"{before['p50_s']} s / {before['p95_s']} s",
         f"{before['median_sms']:.1f} / {before['mean_sms']} SMS"],
        ["time to accept p50/p95, everyone at once", f"{at_once['p50_s']} s / {at_once['p95_s']} s",
         f"{at_once['mean_sms']} SMS/check"],
        ["load: verifications completed / errors / incomplete audit chains",
         f"{result['load']['completed']}/{result['load']['verifications']} / {result['load']['errors']} / "
         f"{result['load']['chain_problems']}", "all / 0 / 0"],
        ["load: throughput (one local container)", f"{result['load']['throughput_per_second']:.2f}/s", "-"],
        ["erasure: checks erased per second / runs for the due day / longest run",
         f"{result['erasure']['checks_per_second']}/s / {result['erasure']['runs']} / "
         f"{result['erasure']['longest_run_seconds']} s", "every run < 20 s"],
        ["worst route (latency)", result["latency"]["worst_route"], "<= 1.2x"],
        *[[f"cold start: {r['title']} ms (app / floor)", f"{r['candidate_median_ms']} / {r['floor_median_ms']} "
           f"({r['ratio']:.2f}x)", "<= 1.2x"] for r in cold.values()],
        ["cost per check (infra/cost_model.py)", f"${cost_per_check(result):.3f}", "<= $0.08"],
    ]


def main() -> int:
    for args in RUNS:
        print(f"\n$ python {' '.join(args)}", flush=True)
        subprocess.run([sys.executable, *args], cwd=PROJECT, check=True)
    result = {name: json.loads((RESULTS_DIR / f"{name}.json").read_text())
              for name in ("calls", "time_to_sergeant", "latency", "coldstart", "load", "erasure")}
    print("\nSummary")
    print(table(["measure", "value", "target"], rows(result)))
    for line in summary_lines(result):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
