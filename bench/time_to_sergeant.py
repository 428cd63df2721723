"""Time to a sergeant: waves of texts versus texting everyone at once, simulated (deterministic).

Each simulated check has a force with `--sergeants` available sergeants. A texted sergeant answers
after a random delay (log-normal, median `--median-response` seconds; a fraction `--no-answer`
never answers: busy, asleep, in a custody suite). The first answer wins. A policy texts `wave_size`
sergeants every `wave_interval` seconds until someone accepts or everyone has been texted; after
`answer_timeout` seconds the check is `unanswered`. Reported per policy: p50/p95 time to accept
(unanswered checks count as the timeout), the share unanswered, and mean SMS per check.

    python bench/time_to_sergeant.py [--checks 20000] [--seed 7] [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, save_result, table

ALL_AT_ONCE = 10_000  # a wave larger than any force's sergeants on duty


@dataclass(frozen=True)
class Policy:
    wave_size: int
    wave_interval: int

    @property
    def name(self) -> str:
        if self.wave_size >= ALL_AT_ONCE:
            return "everyone at once"
        return f"waves of {self.wave_size} every {self.wave_interval} s"


@dataclass(frozen=True)
class Outcome:
    seconds: float  # time to accept (answer_timeout when unanswered)
    answered: bool
    sms: int


def simulate_check(policy: Policy, responses: list[float | None], answer_timeout: float) -> Outcome:
    """One check, given each sergeant's response delay after being texted (None: never answers).

    Sergeants are texted in the given order (the app texts the least recently texted first)."""
    best = math.inf
    sms = 0
    wave_start = 0.0
    index = 0
    while index < len(responses) and wave_start < min(best, answer_timeout):
        for delay in responses[index:index + policy.wave_size]:
            sms += 1
            if delay is not None:
                best = min(best, wave_start + delay)
        index += policy.wave_size
        wave_start += policy.wave_interval
    if best <= answer_timeout:
        return Outcome(best, True, sms)
    return Outcome(answer_timeout, False, sms)


def draw_responses(rng: random.Random, sergeants: int, median_response: float, sigma: float,
                   no_answer: float) -> list[float | None]:
    return [None if rng.random() < no_answer else rng.lognormvariate(math.log(median_response), sigma)
            for _ in range(sergeants)]


def run(policies: list[Policy], checks: int, seed: int, sergeants: int, median_response: float, sigma: float,
        no_answer: float, answer_timeout: float) -> list[dict[str, object]]:
    """Every policy faces the same sergeants' responses (common random numbers): a fair comparison."""
    rng = random.Random(seed)
    scenarios = [draw_responses(rng, sergeants, median_response, sigma, no_answer) for _ in range(checks)]
    results = []
    for policy in policies:
        outcomes = [simulate_check(policy, responses, answer_timeout) for responses in scenarios]
        times = [o.seconds for o in outcomes]
        results.append({
            "policy": policy.name, "wave_size": policy.wave_size, "wave_interval": policy.wave_interval,
            "p50_s": round(percentile(times, 0.50), 1), "p95_s": round(percentile(times, 0.95), 1),
            "unanswered_pct": round(100 * sum(not o.answered for o in outcomes) / checks, 2),
            "mean_sms": round(sum(o.sms for o in outcomes) / checks, 2),
        })
    return results


def default_policies() -> list[Policy]:
    return [Policy(ALL_AT_ONCE, 0)] + [Policy(size, interval) for size in (1, 2, 3, 5) for interval in (10, 20, 30)]


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sergeants", type=int, default=8, help="available sergeants in the force")
    parser.add_argument("--median-response", type=float, default=25.0, help="seconds, median of those who answer")
    parser.add_argument("--sigma", type=float, default=0.8, help="log-normal spread of response times")
    parser.add_argument("--no-answer", type=float, default=0.35, help="share of texted sergeants who never answer")
    parser.add_argument("--answer-timeout", type=float, default=90.0)
    parser.add_argument("--quick", action="store_true", help="2,000 checks")
    args = parser.parse_args(argv)
    checks = 2_000 if args.quick else args.checks
    results = run(default_policies(), checks, args.seed, args.sergeants, args.median_response, args.sigma,
                  args.no_answer, args.answer_timeout)
    print(f"{checks} checks, {args.sergeants} available sergeants, median response {args.median_response:g} s "
          f"(sigma {args.sigma:g}), {args.no_answer:.0%} never answer, unanswered after {args.answer_timeout:g} s, "
          f"seed {args.seed}")
    print(table(["policy", "p50 s", "p95 s", "unanswered %", "SMS/check"],
                [[r["policy"], r["p50_s"], r["p95_s"], r["unanswered_pct"], r["mean_sms"]] for r in results]))
    save_result("time_to_sergeant", {"checks": checks, "seed": args.seed, "results": results})
    return results


if __name__ == "__main__":
    main()
