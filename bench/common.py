"""Shared pieces of the benchmarks: fake AWS settings, interleaved timing, statistics, results.

This machine is noisy (other work shares its CPUs), so every benchmark measures a candidate and its
floor in the same run, alternating them (and their order) round by round, and reports the ratio
of the medians: a slow patch of the machine slows both sides alike.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", PROJECT / ".local" / "bench"))

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_REGION": "eu-west-2",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_METRICS_NAMESPACE": "SafeConnection",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


def use_fake_aws() -> None:
    """Credentials that can never reach AWS; must run before anything imports boto3."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS_ENV)
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """The app prints EMF metrics to stdout (as in Lambda): still printed, but to /dev/null."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def interleave(sides: dict[str, Callable[[], Any]], rounds: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run each side once per round, alternating which goes first; seconds per call, per side."""
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            sides[name]()
    timings: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else list(reversed(names))
        for name in order:
            started = time.perf_counter()
            sides[name]()
            timings[name].append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p50 = median of an odd count; p99 of 100 values = the 99th)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def ratio(candidate: list[float], floor: list[float]) -> float:
    return median(candidate) / median(floor)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain fixed-width text table: numbers right-aligned, text left-aligned."""
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in cells[1:]) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric, strict=True)]
        lines.append("  ".join(parts).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("x%"))
        return True
    except ValueError:
        return False


def save_result(name: str, result: dict[str, Any]) -> Path:
    """Write one benchmark's result where `bench/run_all.py` collects them for the summary."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True))
    return path
