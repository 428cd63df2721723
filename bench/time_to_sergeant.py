"""Time to a sergeant and texts per check, simulated (deterministic): who is texted first, and how fast.

The model of sergeants (assumptions, not measured data: rerun with a force's own figures). Each
simulated check has a force with `--sergeants` available sergeants. Each sergeant shows the two
signs the app stores (domain/escalation.py, `answer_tier`): their page was open in the last
5 minutes (share `--seen-share`), or else they accepted a check in the last 12 hours (share
`--accepted-share` of the rest), or neither. A texted sergeant answers after a log-normal delay
(spread `--sigma`) or never, by tier:

    page open recently:      answers 90%, median 10 s
    accepted recently:       answers 70%, median 20 s
    neither:                 answers 50%, median 30 s

which overall is about what the earlier model assumed for everyone (35% never answer, median about
25 s). The first answer wins. A policy texts `wave_size` sergeants every `wave_interval` seconds
until someone accepts or everyone has been texted, either in the app's order (`ranked`: by tier,
then least recently texted, which is random with respect to the signs) or in rotation only. After
`answer_timeout` seconds the check is `unanswered`. Reported per policy: p50/p95 time to accept
(unanswered checks count as the timeout), the share unanswered, median and mean SMS per check.

    python bench/time_to_sergeant.py [--checks 20000] [--seed 7] [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, save_result, table
from chalicelib.domain.clock import iso_z
from chalicelib.domain.escalation import ACCEPTED_RECENTLY, SEEN_RECENTLY, answer_tier

ALL_AT_ONCE = 10_000  # a wave larger than any force's sergeants on duty


@dataclass(frozen=True)
class Policy:
    wave_size: int
    wave_interval: int
    ranked: bool = True

    @property
    def name(self) -> str:
        order = "likeliest first" if self.ranked else "rotation only"
        if self.wave_size >= ALL_AT_ONCE:
            return "everyone at once"
        return f"waves of {self.wave_size} every {self.wave_interval} s, {order}"


# The Met's timings (infra/config/met.json; a test keeps them equal) in the app's order.
APP_POLICY = Policy(2, 15, ranked=True)
# What the app did before issue 17: waves of 3 every 20 s, in rotation only.
PREVIOUS_POLICY = Policy(3, 20, ranked=False)


@dataclass(frozen=True)
class Tier:
    answers: float  # share of texted sergeants of this tier who answer at all
    median_seconds: float


@dataclass(frozen=True)
class Model:
    """The sergeants' model (see the module docstring)."""

    seen_share: float = 0.25
    accepted_share: float = 0.30
    sigma: float = 0.8
    tiers: tuple[Tier, Tier, Tier] = (Tier(0.9, 10.0), Tier(0.7, 20.0), Tier(0.5, 30.0))


@dataclass(frozen=True)
class Sergeant:
    tier: int  # as the app computes it from the stored signs
    response: float | None  # seconds after being texted; None: never answers


@dataclass(frozen=True)
class Outcome:
    seconds: float  # time to accept (answer_timeout when unanswered)
    answered: bool
    sms: int


def simulate_check(policy: Policy, responses: list[float | None], answer_timeout: float) -> Outcome:
    """One check, given each sergeant's response delay after being texted (None: never answers),
    in the order they are texted."""
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


NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def draw_sergeant(rng: random.Random, model: Model) -> Sergeant:
    """Signs drawn as ages (so the app's own `answer_tier` reads them), then behaviour by tier."""
    seen = rng.random() < model.seen_share
    accepted = not seen and rng.random() < model.accepted_share
    seen_at = NOW - (SEEN_RECENTLY * rng.random() if seen else SEEN_RECENTLY + timedelta(hours=8 * rng.random()))
    accepted_at = None
    if accepted:
        accepted_at = NOW - ACCEPTED_RECENTLY * rng.random()
    elif rng.random() < 0.5:
        accepted_at = NOW - ACCEPTED_RECENTLY - timedelta(days=7 * rng.random())
    tier = answer_tier(iso_z(seen_at), iso_z(accepted_at), NOW)
    behaviour = model.tiers[tier]
    response = None
    if rng.random() < behaviour.answers:
        response = rng.lognormvariate(math.log(behaviour.median_seconds), model.sigma)
    return Sergeant(tier, response)


def texting_order(policy: Policy, sergeants: list[Sergeant]) -> list[float | None]:
    """The responses in the order a policy texts them: the drawn order stands for the rotation
    (least recently texted first, unrelated to the signs); `ranked` sorts by tier first (stable)."""
    ordered = sorted(sergeants, key=lambda s: s.tier) if policy.ranked else sergeants
    return [s.response for s in ordered]


def run(policies: list[Policy], checks: int, seed: int, sergeants: int, model: Model,
        answer_timeout: float) -> list[dict[str, object]]:
    """Every policy faces the same sergeants (common random numbers): a fair comparison."""
    rng = random.Random(seed)
    scenarios = [[draw_sergeant(rng, model) for _ in range(sergeants)] for _ in range(checks)]
    results = []
    for policy in policies:
        outcomes = [simulate_check(policy, texting_order(policy, s), answer_timeout) for s in scenarios]
        times = [o.seconds for o in outcomes]
        texts = [o.sms for o in outcomes]
        results.append({
            "policy": policy.name, "wave_size": policy.wave_size, "wave_interval": policy.wave_interval,
            "ranked": policy.ranked, "app": policy == APP_POLICY, "previous": policy == PREVIOUS_POLICY,
            "p50_s": round(percentile(times, 0.50), 1), "p95_s": round(percentile(times, 0.95), 1),
            "unanswered_pct": round(100 * sum(not o.answered for o in outcomes) / checks, 2),
            "median_sms": float(statistics.median(texts)), "mean_sms": round(sum(texts) / checks, 2),
        })
    return results


def default_policies() -> list[Policy]:
    others = [Policy(size, interval, ranked) for ranked in (False, True) for size, interval in
              ((1, 10), (2, 10), (2, 15), (3, 20), (5, 20))]
    return [Policy(ALL_AT_ONCE, 0)] + [p for p in others if p != APP_POLICY] + [APP_POLICY]


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sergeants", type=int, default=8, help="available sergeants in the force")
    parser.add_argument("--seen-share", type=float, default=0.25, help="share whose page was open in the last 5 min")
    parser.add_argument("--accepted-share", type=float, default=0.30,
                        help="share of the others who accepted a check in the last 12 h")
    parser.add_argument("--sigma", type=float, default=0.8, help="log-normal spread of response times")
    parser.add_argument("--answer-timeout", type=float, default=90.0)
    parser.add_argument("--quick", action="store_true", help="2,000 checks")
    args = parser.parse_args(argv)
    checks = 2_000 if args.quick else args.checks
    model = Model(seen_share=args.seen_share, accepted_share=args.accepted_share, sigma=args.sigma)
    results = run(default_policies(), checks, args.seed, args.sergeants, model, args.answer_timeout)
    print(f"{checks} checks, {args.sergeants} available sergeants, {args.seen_share:.0%} with their page open, "
          f"{args.accepted_share:.0%} of the rest accepted lately (sigma {args.sigma:g}), "
          f"unanswered after {args.answer_timeout:g} s, seed {args.seed}")
    print(table(["policy", "p50 s", "p95 s", "unanswered %", "SMS median", "SMS mean"],
                [[str(r["policy"]) + (" (the app)" if r["app"] else " (before)" if r["previous"] else ""),
                  r["p50_s"], r["p95_s"], r["unanswered_pct"], r["median_sms"], r["mean_sms"]] for r in results]))
    save_result("time_to_sergeant", {"checks": checks, "seed": args.seed, "results": results})
    return results


if __name__ == "__main__":
    main()
