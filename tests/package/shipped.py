"""The Lambda package as shipped: built like `make deploy` builds it, from a clean copy, and run.

- `clean_copy` copies what git would commit (tracked and untracked-but-not-ignored files): no
  bundles, no node_modules, no cdk.out, so nothing generated in the working tree can hide a build gap.
- `build` runs `make package` (the cloud assembly that `make synth`/`make deploy` build) in that copy
  and unzips the Lambda code asset that the SAM functions' CodeUri names into an empty folder.
- `LambdaRuntime.invoke` runs one handler of that folder in a fresh `python -I -S` (sys.path = the
  package + the standard library) with the function's environment from the template, its tokens
  resolved to the resources of a moto server, and whatever the caller adds (credentials).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
FORCE, STAGE = "met", "prod"
STACK = f"SafeConnection-{FORCE}-{STAGE}"
REGION = "eu-west-2"
ACCOUNT = "123456789012"
FUNCTIONS = ("APIHandler", "RunTimers", "CopyAuditEventsToS3", "ReconcileAuditOutbox", "WriteDailyAuditDigests",
             "EraseExpiredPersonalData")
# Never in the package: the embedded stack, test and infrastructure tooling.
DEV_ONLY = (
    "moto", "pytest", "_pytest", "xdist", "hypothesis", "schemathesis", "playwright", "openapi_spec_validator",
    "aws_cdk", "constructs", "jsii", "cdk_nag", "cfnlint", "samtranslator", "werkzeug", "flask", "chalicelib.local",
)


# ---- the clean copy and the build ---------------------------------------------------------------


def clean_copy(dest: Path) -> Path:
    """Copy the files `git ls-files -co --exclude-standard` lists (uncommitted work included)."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=PROJECT_DIR, check=True, capture_output=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = os.fsdecode(raw)
        source = PROJECT_DIR / relative
        if not source.is_symlink() and not source.exists():
            continue  # deleted in the working tree, not yet committed
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)  # mtimes kept, so make sees them as they are
    return dest


def make(copy: Path, *targets: str, dry_run: bool = False) -> subprocess.CompletedProcess[str]:
    """`make TARGET` in the copy with this test run's virtualenv (not a second `pip install`).

    The venv's stamp is taken as up to date (`-o`), and so is npm's when frontend/node_modules is
    borrowed from the working tree (a symlink): the bundles themselves are built in the copy.
    """
    venv = Path(sys.executable).parent.parent
    command = ["make", "--no-print-directory", "-C", str(copy), *targets, f"VENV={venv}", f"FORCE={FORCE}",
               f"STAGE={STAGE}", "-o", f"{venv}/.installed"]
    node_modules = PROJECT_DIR / "frontend" / "node_modules"
    if node_modules.is_dir() and not (copy / "frontend" / "node_modules").exists():
        (copy / "frontend" / "node_modules").symlink_to(node_modules, target_is_directory=True)
    if (copy / "frontend" / "node_modules").is_symlink():
        command += ["-o", "frontend/node_modules/.installed"]
    if dry_run:
        command.append("--dry-run")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AWS_ENDPOINT_URL", "MAKEFLAGS", "MFLAGS")}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


@dataclass
class Build:
    copy: Path
    cdk_out: Path
    template: dict[str, Any]
    package: Path  # the unzipped Lambda code asset
    asset: Path
    timings: dict[str, float] = field(default_factory=dict)

    def function(self, name: str) -> dict[str, Any]:
        resource = self.template["Resources"][name]
        assert resource["Type"] == "AWS::Serverless::Function", name
        return resource["Properties"]


def code_asset(cdk_out: Path, template: dict[str, Any], function: str) -> Path:
    """The file or folder in cdk.out that a SAM function's CodeUri (S3 bucket and key) points at."""
    key = template["Resources"][function]["Properties"]["CodeUri"]["Key"]
    files = json.loads((cdk_out / f"{STACK}.assets.json").read_text())["files"]
    for asset in files.values():
        if any(d["objectKey"] == key for d in asset["destinations"].values()):
            return cdk_out / asset["source"]["path"]
    raise AssertionError(f"no asset in {STACK}.assets.json is uploaded as {key}")


def build(workdir: Path) -> Build:
    timings: dict[str, float] = {}
    started = time.monotonic()
    copy = clean_copy(workdir / "src")
    timings["clean copy"] = time.monotonic() - started

    started = time.monotonic()
    make(copy, "package")
    timings["make package (bundles, synth, dependency build)"] = time.monotonic() - started

    started = time.monotonic()
    cdk_out = copy / "cdk.out"
    template = json.loads((cdk_out / f"{STACK}.template.json").read_text())
    assets = {code_asset(cdk_out, template, name) for name in FUNCTIONS}
    assert len(assets) == 1, f"the functions should share one code asset: {assets}"
    asset = assets.pop()
    package = workdir / "package"
    package.mkdir()
    if asset.is_dir():
        shutil.copytree(asset, package, dirs_exist_ok=True)
    else:
        with zipfile.ZipFile(asset) as archive:
            archive.extractall(package)
    timings["unzip"] = time.monotonic() - started
    return Build(copy, cdk_out, template, package, asset, timings)


# ---- running a handler of the package -----------------------------------------------------------

# Runs in `python -I -S`: no site-packages, no PYTHONPATH, no script folder; only the package is added.
_RUNNER = r"""
import importlib, importlib.util, json, sys, sysconfig, time, traceback, uuid

package, handler, event_path, result_path, probes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
sys.path.insert(0, package)
stdlib = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")}


class LambdaContext:
    def __init__(self, name, memory, timeout):
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)
        self.memory_limit_in_mb = memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def outside(module):
    path = getattr(module, "__file__", None)
    return path and not path.startswith(package) and not any(path.startswith(p) for p in stdlib)


report = {"sys_path": list(sys.path), "importable": {}}
for name in probes.split(","):
    try:
        report["importable"][name] = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        report["importable"][name] = False
try:
    module_name, attribute = handler.rsplit(".", 1)
    function = getattr(importlib.import_module(module_name), attribute)
    with open(event_path) as source:
        event = json.load(source)
    import os
    context = LambdaContext(os.environ["AWS_LAMBDA_FUNCTION_NAME"], int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]),
                            int(os.environ["LAMBDA_TIMEOUT_SECONDS"]))
    report.update(ok=True, result=function(event, context))
except BaseException as error:
    report.update(ok=False, error=repr(error), traceback=traceback.format_exc())
report["loaded_from_outside"] = sorted(n for n, m in list(sys.modules.items()) if outside(m))
with open(result_path, "w") as out:
    json.dump(report, out, default=str)
""".replace("REGION", repr(REGION)).replace("ACCOUNT", repr(ACCOUNT))


class InvocationFailed(AssertionError):
    """The handler raised (Lambda would report a failed invocation and retry event sources)."""


@dataclass
class Invocation:
    ok: bool
    result: Any
    report: dict[str, Any]
    stdout: str  # what the function logged (Powertools writes JSON lines and EMF metrics here)
    stderr: str
    seconds: float

    @property
    def logs(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.stdout.splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
        return lines


def resolve_environment(variables: Mapping[str, Any], tokens: Mapping[str, str]) -> dict[str, str]:
    """The template's variables: literals as written, CloudFormation tokens replaced by name.

    Every token needs a value here: a new variable that refers to a resource fails loudly."""
    resolved, missing = {}, []
    for name, value in variables.items():
        if isinstance(value, str):
            resolved[name] = value
        elif name in tokens:
            resolved[name] = tokens[name]
        else:
            missing.append(name)
    assert not missing, f"give the package test a value for these template variables: {missing}"
    return resolved


@dataclass
class LambdaRuntime:
    """Runs the package's handlers the way Lambda does, one fresh interpreter per invocation."""

    build: Build
    tokens: Mapping[str, str]  # template variables that are CloudFormation tokens -> local values
    endpoints: Mapping[str, str]  # AWS_ENDPOINT_URL and friends
    workdir: Path
    overrides: Mapping[str, str] = field(default_factory=dict)  # e.g. shorter escalation timings
    credentials: Mapping[str, str] = field(default_factory=lambda: {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    })
    # Function -> the keys of its assumed role (moto IAM): used unless `env` names others.
    roles: Mapping[str, Any] = field(default_factory=dict)
    python: str = sys.executable

    def environment(self, function: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """What the function's process sees: the template's variables, Lambda's own, then `env`."""
        properties = self.build.function(function)
        variables = resolve_environment(properties["Environment"]["Variables"], self.tokens)
        missing_aws = self.workdir / "no-aws-config"
        base = {
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(self.build.package),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{properties['Runtime']}",
            "AWS_LAMBDA_FUNCTION_NAME": f"{STACK}-{function}",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(properties["MemorySize"]),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "LAMBDA_TIMEOUT_SECONDS": str(properties["Timeout"]),
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # Nothing from this machine's ~/.aws may leak into the function.
            "AWS_CONFIG_FILE": str(missing_aws / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(missing_aws / "credentials"),
        }
        role = self.roles.get(function)
        role_keys = {} if role is None else {
            "AWS_ACCESS_KEY_ID": role.access_key, "AWS_SECRET_ACCESS_KEY": role.secret_key,
            "AWS_SESSION_TOKEN": role.token,
        }
        return {**base, **variables, **self.overrides, **self.endpoints, **self.credentials, **role_keys, **(env or {})}

    def invoke(self, function: str, event: Any, env: Mapping[str, str] | None = None,
               *, expect_ok: bool = True, timeout: float = 60) -> Invocation:
        """Run `function` (its SAM logical id, e.g. "RunTimers") on `event`; `env` is added last,
        so per-invocation credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)
        replace the defaults. Raises InvocationFailed when the handler raises and expect_ok is set."""
        handler = self.build.function(function)["Handler"]
        run_dir = self.workdir / f"invoke-{uuid.uuid4().hex[:8]}"
        run_dir.mkdir(parents=True)
        event_path, result_path = run_dir / "event.json", run_dir / "result.json"
        event_path.write_text(json.dumps(event))
        started = time.monotonic()
        process = subprocess.run(
            [self.python, "-I", "-S", "-c", _RUNNER, str(self.build.package), handler, str(event_path),
             str(result_path), ",".join(DEV_ONLY)],
            cwd=self.build.package, env=self.environment(function, env), capture_output=True, text=True,
            timeout=timeout,
        )
        seconds = time.monotonic() - started
        if not result_path.exists():
            raise InvocationFailed(
                f"{function} crashed ({process.returncode}):\n{process.stdout[-3000:]}\n{process.stderr[-3000:]}"
            )
        report = json.loads(result_path.read_text())
        invocation = Invocation(report["ok"], report.get("result"), report, process.stdout, process.stderr, seconds)
        if expect_ok and not invocation.ok:
            raise InvocationFailed(
                f"{function} raised {report['error']}\n{report['traceback']}\n{process.stdout[-3000:]}"
            )
        return invocation


# ---- events as Lambda delivers them -------------------------------------------------------------


def api_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
    source_ip: str = "198.51.100.7",
) -> dict[str, Any]:
    """An API Gateway REST (proxy) event for the `api` stage."""
    all_headers = {"Host": "abc123.execute-api.eu-west-2.amazonaws.com", "User-Agent": "package-test",
                   "X-Forwarded-For": source_ip, "X-Forwarded-Proto": "https", **(headers or {})}
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
        all_headers.setdefault("Content-Type", "application/json")
    now = dt.datetime.now(dt.UTC)
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123", "resourcePath": resource or path, "httpMethod": method,
            "extendedRequestId": uuid.uuid4().hex, "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/api{path}", "accountId": ACCOUNT, "protocol": "HTTP/1.1", "stage": "api",
            "domainPrefix": "abc123", "requestTimeEpoch": int(now.timestamp() * 1000), "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": source_ip, "userAgent": "package-test"},
            "domainName": "abc123.execute-api.eu-west-2.amazonaws.com", "apiId": "abc123",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def sqs_event(queue_arn: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """SQS messages (as ReceiveMessage returned them) as Lambda's SQS event source delivers them."""
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
        "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": REGION,
    } for m in messages]}


def stream_event(stream_arn: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """GetRecords records as Lambda's DynamoDB event source delivers them: the stream ARN added,
    the timestamp in epoch seconds, binary attributes base64-encoded (JSON has no bytes)."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(value).decode()
        if isinstance(value, dt.datetime):
            return value.timestamp()
        return value

    return {"Records": [{**plain(r), "eventSourceARN": stream_arn, "awsRegion": REGION} for r in records]}


def schedule_event(rule_name: str) -> dict[str, Any]:
    """An EventBridge scheduled event."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT, "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION, "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule_name}"], "detail": {},
    }


# ---- Chime SDK Meetings over HTTP -------------------------------------------------------------


class ChimeHttpStandIn:
    """Chime SDK Meetings' REST-JSON API on a local port, answering from the local stack's stand-in.

    moto has no Chime; the package runs with CHIME_BACKEND=aws, so its real client (signed requests,
    the service's URLs and status codes) talks to this server through AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS.
    """

    def __init__(self) -> None:
        from chalicelib.local.chime_standin import ChimeStandIn

        self.standin = ChimeStandIn()
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                parts = [p for p in self.path.split("?", 1)[0].split("/") if p]
                operation, params = owner.route(self.command, parts, body)
                owner.requests.append({"operation": operation, "params": params,
                                       "authorization": self.headers.get("Authorization", "")})
                status, answer = owner.standin.handle(operation, params) if operation else (404, {
                    "Error": {"Code": "NotFoundException", "Message": self.path}})
                answer.pop("ResponseMetadata", None)
                headers = {"x-amzn-RequestId": str(uuid.uuid4())}
                if "Error" in answer:
                    headers["x-amzn-ErrorType"] = answer["Error"]["Code"]
                    answer = {"Code": answer["Error"]["Code"], "Message": answer["Error"]["Message"]}
                payload = b"" if status == 204 else json.dumps(answer).encode()
                self.send_response(status)
                for name, value in {
                    **headers,
                    "Content-Type": "application/json",
                    "Content-Length": str(len(payload)),
                }.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="chime-standin", daemon=True)

    @staticmethod
    def route(method: str, parts: list[str], body: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """The operation a request is (the URIs of the service model), and its parameters."""
        if parts == ["meetings"] and method == "POST":
            return "CreateMeeting", body
        if len(parts) == 2 and parts[0] == "meetings":
            return {"GET": "GetMeeting", "DELETE": "DeleteMeeting"}.get(method), {**body, "MeetingId": parts[1]}
        if len(parts) == 3 and parts[0] == "meetings" and parts[2] == "attendees" and method == "POST":
            return "CreateAttendee", {**body, "MeetingId": parts[1]}
        if len(parts) == 4 and parts[0] == "meetings" and parts[2] == "attendees" and method == "DELETE":
            return "DeleteAttendee", {"MeetingId": parts[1], "AttendeeId": parts[3]}
        return None, body

    def start(self) -> ChimeHttpStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
