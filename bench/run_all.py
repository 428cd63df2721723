"""`make bench`: every benchmark in its own interpreter, then one summary table.

The summary's last two lines are the cold start ratio and the worst route latency ratio.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PROJECT, RESULTS_DIR, table

RUNS = [
    ["bench/calls.py"],
    ["bench/time_to_sergeant.py"],
    ["bench/latency.py", "--rounds", "30"],
    ["bench/coldstart.py", "--rounds", "15"],
    # 40 keeps `make bench` under 5 minutes; `python bench/load.py` runs the full 200.
    ["bench/load.py", "--verifications", "40", "--concurrency", "20"],
    # 1,000 due checks keep `make bench` short; `python bench/erasure.py` sweeps 10,000.
    ["bench/erasure.py", "--checks", "1000"],
]


def main() -> int:
    for args in RUNS:
        print(f"\n$ python {' '.join(args)}", flush=True)
        subprocess.run([sys.executable, *args], cwd=PROJECT, check=True)
    result = {name: json.loads((RESULTS_DIR / f"{name}.json").read_text())
              for name in ("calls", "time_to_sergeant", "latency", "coldstart", "load", "erasure")}
    default = next(r for r in result["time_to_sergeant"]["results"]
                   if r["wave_size"] == 3 and r["wave_interval"] == 20)
    at_once = result["time_to_sergeant"]["results"][0]
    rows = [
        ["AWS calls per lifecycle (start -> accept -> decide -> audit)", result["calls"]["total"],
         "every call justified"],
        ["unjustified calls", len(result["calls"]["unjustified"]), "0"],
        ["time to accept p50/p95, waves of 3 every 20 s", f"{default['p50_s']} s / {default['p95_s']} s",
         f"{default['mean_sms']} SMS/check"],
        ["time to accept p50/p95, everyone at once", f"{at_once['p50_s']} s / {at_once['p95_s']} s",
         f"{at_once['mean_sms']} SMS/check"],
        ["load: verifications completed / errors / incomplete audit chains",
         f"{result['load']['completed']}/{result['load']['verifications']} / {result['load']['errors']} / "
         f"{result['load']['chain_problems']}", "all / 0 / 0"],
        ["load: throughput (one local container)", f"{result['load']['throughput_per_second']:.2f}/s", "-"],
        ["erasure: checks erased per second / runs for the due day / longest run",
         f"{result['erasure']['checks_per_second']}/s / {result['erasure']['runs']} / "
         f"{result['erasure']['longest_run_seconds']} s", "every run < 20 s"],
        ["worst route (latency)", result["latency"]["worst_route"], "<= 1.3x"],
        ["cold start ms (app + first request / floor)",
         f"{result['coldstart']['candidate_median_ms']} / {result['coldstart']['floor_median_ms']}", "<= 1.5x"],
    ]
    print("\nSummary")
    print(table(["measure", "value", "target"], rows))
    print(f"cold start ratio: {result['coldstart']['ratio']:.2f}x")
    print(f"worst route latency ratio: {result['latency']['worst_ratio']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
