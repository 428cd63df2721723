"""Cold start: a fresh interpreter importing `app` and serving its first request, versus the floor.

Candidate: `import app`, then one API Gateway proxy event (`GET /health`) through the Lambda entry
point `app.app(event, context)` - what a new container pays before its first response.
Floor: `import boto3` + `import chalice.app` alone - what any Chalice app on boto3 pays.

Both run in fresh interpreters, alternated, many times; the time is measured inside the child
(from before the first import to after the response), so interpreter start-up is left out of both.
Routes that reach AWS also pay boto3 (lazily, on first use), one client each and PyJWT: those are
costs of the route, not of the import, and `latency.py` measures the warm routes against their floor.

    python bench/coldstart.py [--rounds 15] [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import FAKE_AWS_ENV, PROJECT, interleave, median, save_result, table

CANDIDATE = r"""
import time
started = time.perf_counter()
import app
if WITH_BOTO3:
    import boto3
event = {
    "resource": "/health", "path": "/health", "httpMethod": "GET",
    "headers": {"Host": "api.example"}, "multiValueHeaders": {}, "queryStringParameters": None,
    "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
    "requestContext": {"resourcePath": "/health", "httpMethod": "GET", "requestId": "cold-1",
                       "path": "/api/health", "stage": "api", "identity": {"sourceIp": "192.0.2.1"}},
    "body": None, "isBase64Encoded": False,
}
class Context:
    function_name = "safe-connection-api"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "cold-1"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:safe-connection-api"
    log_group_name = log_stream_name = "local"
    def get_remaining_time_in_millis(self):
        return 20000
response = app.app(event, Context())
elapsed = time.perf_counter() - started
assert response["statusCode"] == 200, response
print(elapsed)
"""

FLOOR = r"""
import time
started = time.perf_counter()
import boto3
import chalice.app
print(time.perf_counter() - started)
"""


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    # What the prod stage sets (.chalice/config.json); logs and metrics stay on, as in Lambda.
    env.update(FAKE_AWS_ENV)
    env.update({"POWERTOOLS_SERVICE_NAME": "safe-connection", "POWERTOOLS_LOG_LEVEL": "INFO"})
    return env


def run_child(code: str) -> float:
    """Seconds the child measured for itself (bytecode caches are warm, as in a Lambda package)."""
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=_child_env(),
                            capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"child failed:\n{result.stderr[-2000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def measure(rounds: int) -> dict[str, object]:
    codes = {
        "candidate": "WITH_BOTO3 = False" + CANDIDATE,
        "candidate_with_boto3": "WITH_BOTO3 = True" + CANDIDATE,
        "floor": FLOOR,
    }
    measured: dict[str, list[float]] = {name: [] for name in codes}

    def side(name: str) -> Callable[[], None]:
        return lambda: measured[name].append(run_child(codes[name]))

    interleave({name: side(name) for name in codes}, rounds, warmup=1)
    # The first (warm-up) run of each side also filled the OS file cache; it is not counted.
    medians = {name: median(values[1:]) for name, values in measured.items()}
    return {
        "rounds": rounds,
        "candidate_median_ms": round(medians["candidate"] * 1000, 1),
        "candidate_with_boto3_median_ms": round(medians["candidate_with_boto3"] * 1000, 1),
        "floor_median_ms": round(medians["floor"] * 1000, 1),
        "ratio": round(medians["candidate"] / medians["floor"], 2),
        "ratio_with_boto3": round(medians["candidate_with_boto3"] / medians["floor"], 2),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 rounds (a smoke test, not a measurement)")
    args = parser.parse_args(argv)
    result = measure(3 if args.quick else args.rounds)
    print(table(
        ["cold start (fresh interpreter)", "median ms"],
        [["import app + first request (GET /health)", f"{result['candidate_median_ms']:.1f}"],
         ["  the same, with boto3 imported too", f"{result['candidate_with_boto3_median_ms']:.1f}"],
         ["floor: import boto3 + chalice.app", f"{result['floor_median_ms']:.1f}"]],
    ))
    print(f"with boto3 imported too (as the first AWS-touching request does): {result['ratio_with_boto3']:.2f}x")
    print(f"cold start ratio: {result['ratio']:.2f}x  (target <= 1.5x, {result['rounds']} alternating rounds)")
    save_result("coldstart", result)
    return result


if __name__ == "__main__":
    main()
