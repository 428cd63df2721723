"""Cold start on the requests that matter: a fresh interpreter serving its first real request, versus the floor.

Three scenarios, each in fresh interpreters against one moto server (the embedded AWS of `make run`,
provisioned and seeded, nothing else running):
- `POST /verifications`: an officer's first start (API Gateway event through `app.app`);
- `GET /public/verifications/{ref}`: a citizen's first look-up of a live check;
- the first timer message: a due wave-2 timer through `app.run_timers` (texts the next wave).
Candidate: `import app` + that first request. Floor (`bench/coldfloor.py`): `import boto3` +
`import chalice.app` + the same AWS calls made raw - recorded from the app serving the same request
in a container of its own (per-container reads included: the rate-limit key, the JWKS), replayed
as `latency.py` replays them - plus PyJWT's check of the token for a signed-in caller.

The time is measured inside each child (from before its first import to after the response), so
interpreter start-up is left out of both sides; both run from bytecode caches (written first);
rounds alternate candidate and floor (and their order) across the scenarios; medians are compared.
The reported `cold start ratio` is the worst of the three, in wall time. The child's own CPU time
is reported beside it: the wall time also holds the moto server's answers, which on a shared
machine vary from round to round more than what the app itself adds (the CPU ratio shows that).

    python bench/coldstart.py [--rounds 15] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import coldfloor
from bench.common import PROJECT, median, save_result, table
from bench.inprocess import CallCounter

SCENARIOS = {
    "start": "POST /verifications",
    "public": "GET /public/verifications/{ref}",
    "timer": "first timer message (wave 2)",
}
START_OFFICER, PUBLIC_OFFICER, TIMER_OFFICER = "MP4721", "MP5102", "WP1187"
START_BODY = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 10}, "area": "Camden High St"}
# Wave 2 needs sergeants wave 1 did not text: the seed gives each force three available.
EXTRA_SERGEANTS = ("WP3011", "WP3012", "WP3013")

CANDIDATE = r"""
import json, pickle, sys, time
with open(sys.argv[1], "rb") as handle:
    job = pickle.load(handle)
class Context:
    function_name = "safe-connection-api"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "cold-1"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:safe-connection-api"
    log_group_name = log_stream_name = "local"
    def get_remaining_time_in_millis(self):
        return 20000
started, cpu_started = time.perf_counter(), time.process_time()
import app
if job["chime_standin"]:
    # moto has no Chime: the local stack wires the stand-in in exactly this way.
    from chalicelib import bootstrap
    from chalicelib.local.chime_standin import ChimeStandIn
    from chalicelib.settings import Settings
    bootstrap.override(bootstrap.Dependencies(Settings.from_env(), chime_standin=ChimeStandIn()))
if job["kind"] == "http":
    response = app.app(job["event"], Context())
else:
    response = app.run_timers(job["event"], Context())
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
print(json.dumps(response))
print(elapsed, cpu)
"""


class LambdaContext:
    """What the Lambda runtime passes as `context` (the parts the app reads)."""

    function_name = "safe-connection-api"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "cold-setup"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:safe-connection-api"
    log_group_name = log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 20000


def api_event(method: str, resource: str, path: str, path_parameters: dict[str, str] | None,
              token: str | None = None, body: Any = None, source_ip: str = "192.0.2.1") -> dict[str, Any]:
    """An API Gateway (REST, proxy) event, as Lambda hands it to Chalice."""
    headers = {"Host": "api.example", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None, "pathParameters": path_parameters, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "requestId": "cold-1",
                           "path": f"/api{path}", "stage": "api", "identity": {"sourceIp": source_ip}},
        "body": None if body is None else json.dumps(body), "isBase64Encoded": False,
    }


def sqs_event(body: str) -> dict[str, Any]:
    return {"Records": [{
        "messageId": "cold-1", "receiptHandle": "r", "body": body, "attributes": {}, "messageAttributes": {},
        "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "eu-west-2",
        "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:safe-connection-timers",
    }]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


Call = tuple[str, str, dict[str, Any]]


@dataclass
class ColdBench:
    """The moto server and the seeded resources, a parent-side app to set the stage and record the
    calls of each scenario, and the jobs for the children."""

    stack: Any
    child_env: dict[str, str]
    tokens: dict[str, str]
    session: Any
    recorder: Any
    recorded: dict[str, list[Call]] = field(default_factory=dict)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    ip_counter: int = 0

    # ---- the parent's own app (stage setting and recording) ---------------------------------

    def fresh_container(self) -> Any:
        """New Dependencies, as a new Lambda container has: nothing cached (rate-limit key, JWKS)."""
        from chalicelib import bootstrap
        from chalicelib.local.chime_standin import ChimeStandIn
        from chalicelib.settings import Settings

        deps = bootstrap.Dependencies(Settings.from_env(), session=self.session, chime_standin=ChimeStandIn())
        bootstrap.override(deps)
        return deps

    def call(self, event: dict[str, Any]) -> dict[str, Any]:
        import app

        response: dict[str, Any] = app.app(event, LambdaContext())
        return response

    def start_check(self, officer_id: str) -> dict[str, Any]:
        response = self.call(api_event("POST", "/verifications", "/verifications", None,
                                       self.tokens[officer_id], START_BODY))
        if response["statusCode"] != 201:
            raise RuntimeError(f"start for {officer_id}: {response}")
        body: dict[str, Any] = json.loads(response["body"])
        return body

    def cancel_check(self, officer_id: str, verification_id: str) -> None:
        path = f"/verifications/{verification_id}/cancel"
        response = self.call(api_event("POST", "/verifications/{verification_id}/cancel", path,
                                       {"verification_id": verification_id}, self.tokens[officer_id], {}))
        if response["statusCode"] != 200:
            raise RuntimeError(f"cancel {verification_id}: {response}")

    def waves_sent(self, verification_id: str) -> int:
        from chalicelib import bootstrap

        current = bootstrap.get_dependencies().verifications.get(verification_id)
        return current.waves_sent if current else 0

    # ---- scenarios --------------------------------------------------------------------------

    def next_ip(self) -> str:
        """A new citizen's address for each look-up (a first look-up from that address)."""
        self.ip_counter += 1
        return f"198.51.{100 + self.ip_counter // 250}.{self.ip_counter % 250 + 1}"

    def job(self, scenario: str, stage: dict[str, Any]) -> dict[str, Any]:
        """The first request of `scenario` (for a child or the parent), given its stage."""
        if scenario == "start":
            event = api_event("POST", "/verifications", "/verifications", None, self.tokens[START_OFFICER], START_BODY)
            return {"kind": "http", "event": event, "chime_standin": True, "expect": 201}
        if scenario == "public":
            reference = stage["reference"]
            event = api_event("GET", "/public/verifications/{reference}", f"/public/verifications/{reference}",
                              {"reference": reference}, source_ip=self.next_ip())
            return {"kind": "http", "event": event, "chime_standin": False, "expect": 200}
        from chalicelib.adapters.sqs_timers import timer_to_body
        from chalicelib.domain.clock import utc_now
        from chalicelib.domain.escalation import Timer, TimerKind

        # Delivered once due: the wave-2 timer of a check nobody has accepted.
        body = timer_to_body(Timer(TimerKind.WAVE, stage["verification_id"], utc_now(), wave=2))
        return {"kind": "sqs", "event": sqs_event(body), "chime_standin": False, "expect": None}

    def set_stage(self, scenario: str) -> dict[str, Any]:
        """What the scenario needs before its first request (untimed)."""
        if scenario == "public":
            if "public" not in self.stages:
                self.stages["public"] = self.start_check(PUBLIC_OFFICER)
            return self.stages["public"]
        if scenario == "timer":
            return self.start_check(TIMER_OFFICER)
        return {}

    def clear_stage(self, scenario: str, stage: dict[str, Any], response: Any) -> None:
        """Check the first request did its work, and make the next round start alike (untimed)."""
        if scenario == "start":
            self.cancel_check(START_OFFICER, json.loads(response["body"])["verification_id"])
        elif scenario == "timer":
            if self.waves_sent(stage["verification_id"]) < 2:
                raise RuntimeError("the timer scenario sent no second wave")
            self.cancel_check(TIMER_OFFICER, stage["verification_id"])

    def record(self, scenario: str) -> list[Call]:
        """The AWS calls the app makes for the scenario's first request in a new container."""
        import app

        stage = self.set_stage(scenario)
        job = self.job(scenario, stage)
        self.fresh_container()
        if job["kind"] == "http":
            response, calls = self.recorder.capture(lambda: self.call(job["event"]))
            if response["statusCode"] != job["expect"]:
                raise RuntimeError(f"{scenario}: {response}")
        else:
            response, calls = self.recorder.capture(lambda: app.run_timers(job["event"], LambdaContext()))
        self.clear_stage(scenario, stage, response)
        self.fresh_container()
        recorded: list[Call] = calls
        self.recorded[scenario] = recorded
        return recorded

    def floor_plan(self, scenario: str) -> dict[str, Any]:
        """The floor's plan: the recorded calls made replayable (each time with keys of its own)."""
        from botocore import xform_name

        from bench.latency import _replayable
        from chalicelib.settings import Settings

        settings = Settings.from_env()
        calls = [(service, xform_name(operation), params if service.endswith("-presign")
                  else _replayable(service, operation, params, settings.verifications_table))
                 for service, operation, params in self.recorded[scenario]]
        token = None
        if scenario == "start":
            token = {"token": self.tokens[START_OFFICER], "jwks_url": settings.effective_jwks_url,
                     "audience": settings.token_audience, "issuer": settings.token_issuer}
        return {"calls": calls, "token": token, "region": settings.region,
                "chime_standin": scenario == "start", "photo_url_seconds": settings.photo_url_seconds}

    def clean_floor(self, plan: dict[str, Any]) -> None:
        """Delete what the floor's writes set aside, so both sides meet tables of the same size."""
        import boto3

        from bench.latency import _set_aside_keys
        from chalicelib.settings import Settings

        table_name = Settings.from_env().verifications_table
        dynamodb = boto3.session.Session().client("dynamodb")
        keys = {(k["pk"]["S"], k["sk"]["S"]): k for k in _set_aside_keys(plan["calls"], table_name)}
        for key in keys.values():
            dynamodb.delete_item(TableName=table_name, Key=key)

    # ---- children ---------------------------------------------------------------------------

    def run_child(self, code: str, payload: dict[str, Any], directory: Path) -> tuple[str, float, float]:
        """(the child's last line but one, wall seconds it measured for itself, its CPU seconds)."""
        path = directory / "job.pickle"
        path.write_bytes(pickle.dumps(payload))
        result = subprocess.run([sys.executable, "-c", code, str(path)], cwd=PROJECT, env=self.child_env,
                                capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"child failed:\n{result.stderr[-3000:]}")
        lines = result.stdout.strip().splitlines()
        wall, cpu = lines[-1].split()
        return lines[-2], float(wall), float(cpu)


def _compile_sources() -> None:
    """Write the bytecode caches of the app's own modules (and the floor's), once."""
    import compileall

    for folder in ("chalicelib", "bench"):
        compileall.compile_dir(str(PROJECT / folder), quiet=1)
    compileall.compile_file(str(PROJECT / "app.py"), quiet=1)


@contextlib.contextmanager
def cold_bench(directory: Path) -> Iterator[ColdBench]:
    """Start the moto server, provision and seed it, sign the officers in; restore the environment after."""
    saved = dict(os.environ)
    from chalicelib.local.stack import LocalStack

    local = LocalStack("127.0.0.1", _free_port(), _free_port(), directory, quiet=True)
    try:
        local.start_aws()
        # Benchmarks start many checks per officer; the hourly limit's reads and writes still happen.
        os.environ.update({"MAX_STARTS_PER_HOUR": "1000", "PUBLIC_VIEWS_PER_MINUTE": "10000"})
        import boto3

        from chalicelib.adapters.dynamodb.registry import DynamoRegistry
        from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role
        from chalicelib.local.sign_in import sign_in

        plain = boto3.session.Session()
        DynamoRegistry(plain.client("dynamodb"), os.environ["REGISTRY_TABLE"]).put_many([
            RegistryRecord(force="wiltshire", officer_id=officer_id, given_name="Bench", family_name=f"Sergeant{i}",
                           rank="PS", status=OfficerStatus.SERVING, role=Role.SERGEANT,
                           phone=f"+4477009{20000 + i:05d}", duty=Duty.AVAILABLE)
            for i, officer_id in enumerate(EXTRA_SERGEANTS)
        ])
        users = {u["officer_id"]: u for u in local.stack["users"]}
        cognito = plain.client("cognito-idp")
        client_id = local.stack["cognito"]["client_id"]
        tokens = {officer_id: sign_in(cognito, client_id, users[officer_id]["username"], users[officer_id]["password"],
                                      users[officer_id].get("totp_secret"))["IdToken"]
                  for officer_id in (START_OFFICER, PUBLIC_OFFICER, TIMER_OFFICER)}
        # Both sides run from bytecode, as the installed packages do: a child that compiled the
        # app's sources on every start (PYTHONDONTWRITEBYTECODE) paid ~60 ms the floor never paid.
        _compile_sources()
        child_env = {k: v for k, v in os.environ.items()
                     if k not in ("POWERTOOLS_METRICS_DISABLED", "PYTHONDONTWRITEBYTECODE")}
        # As in Lambda: logs at INFO and metrics on, pydantic's plugin scan off (what the deployed
        # functions set: infra/stacks/safe_connection.py).
        child_env.update({"POWERTOOLS_SERVICE_NAME": "safe-connection", "POWERTOOLS_LOG_LEVEL": "INFO",
                          "PYDANTIC_DISABLE_PLUGINS": "__all__"})
        session = boto3.session.Session()
        counter = CallCounter().install(session)
        from bench.latency import Recorder

        bench = ColdBench(local, child_env, tokens, session, Recorder(counter))
        bench.fresh_container()
        yield bench
    finally:
        from chalicelib import bootstrap

        bootstrap.override(None)
        local.stop()
        os.environ.clear()
        os.environ.update(saved)


def measure(rounds: int) -> dict[str, Any]:
    from bench.common import quiet_stdout

    samples: dict[tuple[str, str], list[float]] = {(s, side): [] for s in SCENARIOS for side in ("candidate", "floor")}
    cpu: dict[tuple[str, str], list[float]] = {key: [] for key in samples}
    refused: dict[str, set[str]] = {s: set() for s in SCENARIOS}
    with tempfile.TemporaryDirectory() as tmp, quiet_stdout(), cold_bench(Path(tmp)) as bench:
        calls = {scenario: len(bench.record(scenario)) for scenario in SCENARIOS}
        sides: list[tuple[str, str]] = list(samples)
        for round_number in range(rounds + 1):  # round 0 fills the OS file cache: not counted
            for scenario, side in (sides if round_number % 2 == 0 else list(reversed(sides))):
                seconds, cpu_seconds = _one(bench, scenario, side, Path(tmp), refused)
                if round_number > 0:
                    samples[(scenario, side)].append(seconds)
                    cpu[(scenario, side)].append(cpu_seconds)
    result: dict[str, Any] = {"rounds": rounds, "scenarios": {}}
    for scenario, title in SCENARIOS.items():
        candidate, floor = median(samples[(scenario, "candidate")]), median(samples[(scenario, "floor")])
        candidate_cpu, floor_cpu = median(cpu[(scenario, "candidate")]), median(cpu[(scenario, "floor")])
        result["scenarios"][scenario] = {
            "title": title, "calls": calls[scenario],
            "candidate_median_ms": round(candidate * 1000, 1), "floor_median_ms": round(floor * 1000, 1),
            "ratio": round(candidate / floor, 2), "floor_refused": sorted(refused[scenario]),
            "candidate_cpu_median_ms": round(candidate_cpu * 1000, 1),
            "floor_cpu_median_ms": round(floor_cpu * 1000, 1), "cpu_ratio": round(candidate_cpu / floor_cpu, 2),
        }
    worst = max(result["scenarios"].items(), key=lambda kv: kv[1]["ratio"])
    result["worst_scenario"], result["ratio"] = worst[1]["title"], worst[1]["ratio"]
    return result


def _one(bench: ColdBench, scenario: str, side: str, directory: Path,
         refused: dict[str, set[str]]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child serving the scenario's first request."""
    if side == "floor":
        plan = bench.floor_plan(scenario)
        line, seconds, cpu_seconds = bench.run_child(coldfloor.CHILD, plan, directory)
        bench.clean_floor(plan)
        refused[scenario].update(f"{method}: {code}" for method, code in json.loads(line))
        return seconds, cpu_seconds
    stage = bench.set_stage(scenario)
    job = bench.job(scenario, stage)
    line, seconds, cpu_seconds = bench.run_child(CANDIDATE, job, directory)
    response = json.loads(line)
    if job["expect"] is not None and response["statusCode"] != job["expect"]:
        raise RuntimeError(f"{scenario}: {response}")
    bench.clear_stage(scenario, stage, response)
    return seconds, cpu_seconds


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 rounds (a smoke test, not a measurement)")
    args = parser.parse_args(argv)
    result = measure(3 if args.quick else args.rounds)
    rows = [[f"{r['title']}", r["calls"], f"{r['candidate_median_ms']:.1f}", f"{r['floor_median_ms']:.1f}",
             f"{r['ratio']:.2f}x", f"{r['candidate_cpu_median_ms']:.0f} / {r['floor_cpu_median_ms']:.0f}",
             f"{r['cpu_ratio']:.2f}x"] for r in result["scenarios"].values()]
    print(table(["first request in a fresh interpreter", "AWS calls", "import app + it, ms", "floor ms", "ratio",
                 "CPU ms (app / floor)", "CPU ratio"], rows))
    for r in result["scenarios"].values():
        if r["floor_refused"]:
            print(f"  {r['title']}: the floor's replay was refused "
                  f"({', '.join(r['floor_refused'])}): still a call made")
    print(f"cold start ratio: {result['ratio']:.2f}x  (worst: {result['worst_scenario']}; target <= 1.2x, "
          f"{result['rounds']} alternating rounds)")
    save_result("coldstart", result)
    return result



if __name__ == "__main__":
    main()
