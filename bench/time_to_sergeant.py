"""Time to a sergeant and texts per check, simulated (deterministic): who is reached first, how, and how fast.

The model of sergeants (assumptions, not measured data: rerun with a force's own figures). Each
simulated check has a force with `--sergeants` available sergeants. Each sergeant shows the two
signs the app stores (domain/escalation.py, `answer_tier`): their page was open in the last
5 minutes (share `--seen-share`), or else they accepted a check in the last 12 hours (share
`--accepted-share` of the rest), or neither. A sergeant answers after a log-normal delay (spread
`--sigma`) from when their phone first shows the request, or never, by tier:

    page open recently:      answers 90%, median 10 s
    accepted recently:       answers 70%, median 20 s
    neither:                 answers 50%, median 30 s

which overall is about what the earlier model assumed for everyone (35% never answer, median about
25 s). Web Push (domain/push.py): a share `--push-share` of sergeants turned notifications on on
their page; a push reaches the phone (whose service worker then sends the receipt) with probability
`--push-arrives` (otherwise the phone is off, offline or the browser was closed for good). A wave
pushes to those who opted in and texts the others; a push with no receipt after the grace period
(5 s) is followed by the text, if nobody has accepted by then, and that sergeant's delay then runs
from the text. The first answer wins. A policy reaches `wave_size` sergeants every `wave_interval`
seconds until someone accepts or everyone has been reached, either in the app's order (`ranked`: by
tier, then least recently reached, which is random with respect to the signs) or in rotation only,
with or without push. After `answer_timeout` seconds the check is `unanswered`. Reported per policy:
p50/p95 time to accept (unanswered checks count as the timeout), the share unanswered, median and
mean SMS per check (pushes cost nothing).

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
from chalicelib.domain.push import PUSH_GRACE_SECONDS

ALL_AT_ONCE = 10_000  # a wave larger than any force's sergeants on duty


@dataclass(frozen=True)
class Policy:
    wave_size: int
    wave_interval: int
    ranked: bool = True
    push: bool = False  # Web Push first to those who opted in (the text after the grace period)

    @property
    def name(self) -> str:
        order = "likeliest first" if self.ranked else "rotation only"
        channel = ", push first" if self.push else ""
        if self.wave_size >= ALL_AT_ONCE:
            return "everyone at once" + channel
        return f"waves of {self.wave_size} every {self.wave_interval} s, {order}{channel}"


# The Met's timings (infra/config/met.json; a test keeps them equal) in the app's order, push first.
APP_POLICY = Policy(2, 15, ranked=True, push=True)
# What the app did before issue 17: waves of 3 every 20 s, in rotation only, texts only.
PREVIOUS_POLICY = Policy(3, 20, ranked=False)


@dataclass(frozen=True)
class Tier:
    answers: float  # share of reached sergeants of this tier who answer at all
    median_seconds: float


@dataclass(frozen=True)
class Model:
    """The sergeants' model (see the module docstring)."""

    seen_share: float = 0.25
    accepted_share: float = 0.30
    sigma: float = 0.8
    tiers: tuple[Tier, Tier, Tier] = (Tier(0.9, 10.0), Tier(0.7, 20.0), Tier(0.5, 30.0))
    push_share: float = 0.6
    push_arrives: float = 0.85
    grace_seconds: float = float(PUSH_GRACE_SECONDS)


@dataclass(frozen=True)
class Sergeant:
    tier: int  # as the app computes it from the stored signs
    response: float | None  # seconds after their phone shows the request; None: never answers
    push: bool = False  # opted in to Web Push
    push_arrives: bool = False  # and this push reaches the phone within the grace period


@dataclass(frozen=True)
class Outcome:
    seconds: float  # time to accept (answer_timeout when unanswered)
    answered: bool
    sms: int


def simulate_check(policy: Policy, reached: list[Sergeant] | list[float | None], answer_timeout: float,
                   grace: float = float(PUSH_GRACE_SECONDS)) -> Outcome:
    """One check, given the sergeants in the order they are reached (a bare delay, or None for one
    who never answers, is a sergeant without push)."""
    order = [r if isinstance(r, Sergeant) else Sergeant(2, r) for r in reached]
    best = math.inf
    sent: list[tuple[float, Sergeant]] = []  # (wave start, sergeant) of every wave that went out
    wave_start = 0.0
    index = 0
    while index < len(order) and wave_start < min(best, answer_timeout):
        for sergeant in order[index:index + policy.wave_size]:
            sent.append((wave_start, sergeant))
            shown = wave_start + _delay_to_the_phone(policy, sergeant, grace)
            if sergeant.response is not None:
                best = min(best, shown + sergeant.response)
        index += policy.wave_size
        wave_start += policy.wave_interval
    sms = 0
    for start, sergeant in sent:
        if not (policy.push and sergeant.push):
            sms += 1  # texted with the wave
        elif not sergeant.push_arrives and start + grace < min(best, answer_timeout):
            sms += 1  # no receipt within the grace: texted, as nobody had accepted yet
    if best <= answer_timeout:
        return Outcome(best, True, sms)
    return Outcome(answer_timeout, False, sms)


def _delay_to_the_phone(policy: Policy, sergeant: Sergeant, grace: float) -> float:
    """From the wave to the phone showing the request: at once by text or an arriving push; after
    the grace period (the text) when the push does not arrive."""
    if policy.push and sergeant.push and not sergeant.push_arrives:
        return grace
    return 0.0


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
    push = rng.random() < model.push_share
    return Sergeant(tier, response, push, push and rng.random() < model.push_arrives)


def texting_order(policy: Policy, sergeants: list[Sergeant]) -> list[Sergeant]:
    """The order a policy reaches them: the drawn order stands for the rotation (least recently
    reached first, unrelated to the signs); `ranked` sorts by tier first (stable)."""
    return sorted(sergeants, key=lambda s: s.tier) if policy.ranked else list(sergeants)


def run(policies: list[Policy], checks: int, seed: int, sergeants: int, model: Model,
        answer_timeout: float) -> list[dict[str, object]]:
    """Every policy faces the same sergeants (common random numbers): a fair comparison."""
    rng = random.Random(seed)
    scenarios = [[draw_sergeant(rng, model) for _ in range(sergeants)] for _ in range(checks)]
    results = []
    for policy in policies:
        outcomes = [simulate_check(policy, texting_order(policy, s), answer_timeout, model.grace_seconds)
                    for s in scenarios]
        times = [o.seconds for o in outcomes]
        texts = [o.sms for o in outcomes]
        results.append({
            "policy": policy.name, "wave_size": policy.wave_size, "wave_interval": policy.wave_interval,
            "ranked": policy.ranked, "push": policy.push, "app": policy == APP_POLICY,
            "previous": policy == PREVIOUS_POLICY,
            "p50_s": round(percentile(times, 0.50), 1), "p95_s": round(percentile(times, 0.95), 1),
            "unanswered_pct": round(100 * sum(not o.answered for o in outcomes) / checks, 2),
            "median_sms": float(statistics.median(texts)), "mean_sms": round(sum(texts) / checks, 2),
        })
    return results


def default_policies() -> list[Policy]:
    others = [Policy(size, interval, ranked) for ranked in (False, True) for size, interval in
              ((1, 10), (2, 10), (2, 15), (3, 20), (5, 20))]
    pushed = [Policy(size, interval, True, push=True) for size, interval in ((1, 10), (3, 20))]
    return [Policy(ALL_AT_ONCE, 0)] + [p for p in others + pushed if p != APP_POLICY] + [APP_POLICY]


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sergeants", type=int, default=8, help="available sergeants in the force")
    parser.add_argument("--seen-share", type=float, default=0.25, help="share whose page was open in the last 5 min")
    parser.add_argument("--accepted-share", type=float, default=0.30,
                        help="share of the others who accepted a check in the last 12 h")
    parser.add_argument("--sigma", type=float, default=0.8, help="log-normal spread of response times")
    parser.add_argument("--push-share", type=float, default=0.6, help="share who turned notifications on")
    parser.add_argument("--push-arrives", type=float, default=0.85,
                        help="chance a push reaches the phone within the grace period")
    parser.add_argument("--answer-timeout", type=float, default=90.0)
    parser.add_argument("--quick", action="store_true", help="2,000 checks")
    args = parser.parse_args(argv)
    checks = 2_000 if args.quick else args.checks
    model = Model(seen_share=args.seen_share, accepted_share=args.accepted_share, sigma=args.sigma,
                  push_share=args.push_share, push_arrives=args.push_arrives)
    results = run(default_policies(), checks, args.seed, args.sergeants, model, args.answer_timeout)
    print(f"{checks} checks, {args.sergeants} available sergeants, {args.seen_share:.0%} with their page open, "
          f"{args.accepted_share:.0%} of the rest accepted lately (sigma {args.sigma:g}), "
          f"{args.push_share:.0%} with push on ({args.push_arrives:.0%} of pushes arrive), "
          f"unanswered after {args.answer_timeout:g} s, seed {args.seed}")
    print(table(["policy", "p50 s", "p95 s", "unanswered %", "SMS median", "SMS mean"],
                [[str(r["policy"]) + (" (the app)" if r["app"] else " (before)" if r["previous"] else ""),
                  r["p50_s"], r["p95_s"], r["unanswered_pct"], r["median_sms"], r["mean_sms"]] for r in results]))
    save_result("time_to_sergeant", {"checks": checks, "seed": args.seed, "results": results})
    return results


if __name__ == "__main__":
    main()
