"""`make run`: the whole system in one Python process, on an embedded AWS (moto server).

Starts the moto server, creates and seeds every resource, serves the Chalice API with Chalice's own
local server, runs the audit stream worker and the inbox printer, and writes `.local/stack.json`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
REGION = "eu-west-2"
LISTEN_BACKLOG = 128  # connections the local API queues while it serves one request


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            return True
        except OSError:
            return False


def _use_fake_aws(endpoint: str) -> None:
    """Point every boto3 client in this process at moto, with credentials that can't reach AWS."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }
    )
    if not os.environ.get("LOCAL_VERBOSE"):
        # Keep the console readable as an inbox; LOCAL_VERBOSE=1 shows JSON logs and EMF metrics.
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")


class LocalStack:
    def __init__(self, host: str, moto_port: int, api_port: int, state_dir: Path, quiet: bool = False) -> None:
        self.host = host
        self.moto_port = moto_port
        self.api_port = api_port
        self.state_dir = state_dir
        self.quiet = quiet
        self.stop_event = threading.Event()
        self.app_lock = threading.Lock()
        self._moto: Any = None
        self._api: Any = None
        self._push_server: Any = None
        self.push_service: Any = None
        self._threads: list[threading.Thread] = []
        self.stack: dict[str, Any] = {}

    @property
    def aws_endpoint(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    # ---- start -----------------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        for port in (self.moto_port, self.api_port):
            if not _port_free(self.host, port):
                raise SystemExit(
                    f"Port {port} on {self.host} is in use. Stop what uses it, or choose another "
                    "with MOTO_PORT=... / PORT=... (e.g. `make run PORT=8001 MOTO_PORT=5001`)."
                )
        started = time.monotonic()
        self.start_aws()
        self._start_api()
        self._start_workers()
        self.stack["started_in_seconds"] = round(time.monotonic() - started, 1)
        stack_file = self.state_dir / "stack.json"
        # Written whole, then renamed: whoever waits for the file (tests, scripts) never reads half of it.
        partial = stack_file.with_name("stack.json.partial")
        partial.write_text(json.dumps(self.stack, indent=2))
        partial.replace(stack_file)
        return self.stack

    def start_aws(self) -> dict[str, str]:
        """Only the embedded AWS, provisioned and seeded (no API, no workers): what a benchmark that
        runs the app in other processes needs. Returns the app's settings as environment variables
        (also set in this process's environment)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        _use_fake_aws(self.aws_endpoint)

        from moto.server import ThreadedMotoServer

        from . import moto_cognito, moto_state, moto_transactions

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # Without this, every transaction deep-copies the whole (ever-growing) table: see the module.
        moto_transactions.install()
        # Like the deployed pool: immutable claims stay immutable, and a wrong MFA code is refused
        # (moto checks TOTP codes only when asked; it then accepts the current 30 s step's code only).
        moto_cognito.install()
        # data.json (the SMS log) built again if another request changes moto's state mid-answer.
        moto_state.install()
        os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")

        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.moto_port, verbose=False)
        self._moto.start()
        self.say(f"Embedded AWS (moto) on {self.aws_endpoint}")

        settings_env = self._provision()
        os.environ.update(settings_env)
        return settings_env

    def _provision(self) -> dict[str, str]:
        import boto3

        from ..adapters.dynamodb.registry import DynamoRegistry
        from ..settings import Settings
        from . import resources, seed

        session = boto3.session.Session()
        cognito = session.client("cognito-idp")
        pool_id, client_id = seed.create_user_pool(cognito)
        users = seed.seed_users(cognito, pool_id, client_id)

        base = Settings(
            region=REGION,
            audit_bucket="safe-connection-audit-local",
            photos_bucket="safe-connection-photos-local",
        )
        dynamodb, s3 = session.client("dynamodb"), session.client("s3")
        resources.create_tables(dynamodb, base)
        retention_days = int(os.environ.get("AUDIT_RETENTION_DAYS", resources.AUDIT_RETENTION_DAYS))
        resources.create_buckets(s3, base, retention_days)
        signing_key = resources.create_signing_key(session.client("kms"))
        data_key = resources.create_data_key(session.client("kms"))
        topic_arn, queue_url = resources.create_alerts(
            session.client("sns"), session.client("sqs"), "safe-connection-alerts", "safe-connection-alerts-local"
        )
        seed.seed_registry(DynamoRegistry(dynamodb, base.registry_table), s3, base.photos_bucket)
        timers_queue_url = resources.create_timers_queue(session.client("sqs"), "safe-connection-timers")
        # A fresh HMAC key per run, in the embedded Secrets Manager: the API reads it as in AWS.
        rate_limit_key_arn = resources.create_rate_limit_key(session.client("secretsmanager"))
        # Web Push: a fresh key, and the push-service stand-in (the phones behind it) on a free port.
        push_key_arn = resources.create_push_key(session.client("secretsmanager"))
        push_service = self._start_push_service()
        self._subscribe_demo_phones(DynamoRegistry(dynamodb, base.registry_table), push_service)

        issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
        # Invitations of an earlier run name accounts this fresh pool does not have.
        (self.state_dir / "invitations.jsonl").write_text("")
        self.stack = {
            "api_url": self.api_url,
            "aws_endpoint_url": self.aws_endpoint,
            "region": REGION,
            "cognito": {"user_pool_id": pool_id, "client_id": client_id},
            "audit_bucket": base.audit_bucket,
            "photos_bucket": base.photos_bucket,
            "alerts_topic_arn": topic_arn,
            "alerts_queue_url": queue_url,
            "timers_queue_url": timers_queue_url,
            "audit_signing_key_id": signing_key,
            "audit_data_key_id": data_key,
            "tables": {
                "verifications": base.verifications_table,
                "registry": base.registry_table,
                "idempotency": base.idempotency_table,
            },
            "chime_meetings_file": str(self.state_dir / "chime-meetings.json"),
            # `registry import --stack` appends each invitation here (no mail leaves the local stack).
            "invitations_file": str(self.state_dir / "invitations.jsonl"),
            "users": users,
            # Where the app sends Web Push (local/push_standin.py: a push service and its phones).
            "push_service_url": push_service.origin,
        }
        return {
            "VERIFICATIONS_TABLE": base.verifications_table,
            "REGISTRY_TABLE": base.registry_table,
            "IDEMPOTENCY_TABLE": base.idempotency_table,
            "AUDIT_BUCKET": base.audit_bucket,
            "PHOTOS_BUCKET": base.photos_bucket,
            "ALERTS_TOPIC_ARN": topic_arn,
            "TOKEN_ISSUER": issuer,
            "TOKEN_AUDIENCE": client_id,
            "USER_POOL_ID": pool_id,
            # moto signs with one shared local key; trusting its JWKS is for the local stack only.
            "JWKS_URL": f"{self.aws_endpoint}/{pool_id}/.well-known/jwks.json",
            "PUBLIC_BASE_URL": self.api_url,
            # The seeded forces: a citizen's request by officer number is looked up in each.
            "SERVED_FORCES": ",".join(sorted({person.force for person in seed.DEMO_PEOPLE})),
            "COGNITO_ENDPOINT_URL": self.aws_endpoint,
            "AUTHENTICATOR_LABEL": seed.POOL_NAME,
            "CHIME_BACKEND": "standin",
            "TIMERS_QUEUE_URL": timers_queue_url,
            "AUDIT_SIGNING_KEY_ID": signing_key,
            "AUDIT_DATA_KEY_ID": data_key,
            "RATE_LIMIT_KEY_SECRET_ARN": rate_limit_key_arn,
            "PUSH_KEY_SECRET_ARN": push_key_arn,
            "PUSH_SERVICES": push_service.origin,
        }

    def _start_push_service(self) -> Any:
        """The push-service stand-in over HTTP: the app's adapter POSTs to it as to a browser's push
        service; an online phone shows the request (a [PUSH] line) and posts its receipt."""
        from .push_standin import PushServiceStandIn, receipt_poster

        post_receipt = receipt_poster(self.api_url)

        def on_phone(message: dict[str, Any]) -> None:
            self.say(f"[PUSH]  to {message['sergeant']}: {message['body']}")
            post_receipt(message)

        self.push_service = PushServiceStandIn("", deliver=on_phone)
        self._push_server = self.push_service.serve(self.host)
        return self.push_service

    def _subscribe_demo_phones(self, registry: Any, push_service: Any) -> None:
        """LOCAL_PUSH_SERGEANTS="MP2003,WP3003:offline": those sergeants have opted in to Web Push
        on a stand-in phone (":offline": one whose pushes arrive nowhere, so they are texted
        after the grace period). None by default: every sergeant is texted, as SPEC §6 shows."""
        from ..domain.push import parse_subscription
        from .seed import DEMO_PEOPLE

        forces = {person.officer_id: person.force for person in DEMO_PEOPLE}
        for entry in filter(None, os.environ.get("LOCAL_PUSH_SERGEANTS", "").split(",")):
            officer_id, _, state = entry.strip().partition(":")
            if officer_id not in forces:
                raise SystemExit(f"LOCAL_PUSH_SERGEANTS: {officer_id} is not a seeded person")
            device = push_service.new_device(online=state != "offline")
            registry.set_push(forces[officer_id], officer_id, parse_subscription(device, (push_service.origin,)))
            self.say(f"{officer_id} gets Web Push first ({'phone offline' if state == 'offline' else 'phone online'})")

    def _start_api(self) -> None:
        from chalice.cli.factory import CLIFactory

        from .. import bootstrap
        from ..settings import Settings
        from .chime_standin import ChimeStandIn

        standin = ChimeStandIn(snapshot_path=self.stack["chime_meetings_file"])
        bootstrap.override(bootstrap.Dependencies(Settings.from_env(), chime_standin=standin))

        import app as app_module

        self.app_module = app_module
        config = CLIFactory(str(PROJECT_DIR), environ=os.environ).create_config_obj(chalice_stage_name="local")
        self._api = api_server(app_module.app, config, self.host, self.api_port, self.app_lock)
        thread = threading.Thread(target=self._api.server.serve_forever, name="api", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _start_workers(self) -> None:
        import boto3

        from .inbox import Inbox
        from .queue_worker import QueueWorker
        from .stream_worker import StreamWorker

        session = boto3.session.Session()
        def one_at_a_time(handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
            def invoke(event: dict[str, Any], context: Any) -> Any:
                with self.app_lock:
                    return handler(event, context)

            return invoke

        worker = StreamWorker(
            session.client("dynamodb"),
            session.client("dynamodbstreams"),
            self.stack["tables"]["verifications"],
            self.app_module.copy_audit_events_to_s3,
            self.stop_event,
            lock=self.app_lock,  # the whole poll, not only the handler
        )
        timers = QueueWorker(
            session.client("sqs"), self.stack["timers_queue_url"], one_at_a_time(self.app_module.run_timers),
            self.stop_event, REGION,
        )
        inbox = Inbox(REGION, self.stack["alerts_topic_arn"], self.stop_event, out=self.say,
                      invitations_file=Path(self.stack["invitations_file"]))
        for thread in (worker, timers, inbox):
            thread.start()
            self._threads.append(thread)

    # ---- stop ------------------------------------------------------------------------------

    def stop(self) -> None:
        self.stop_event.set()
        if self._api is not None:
            self._api.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._moto is not None:
            self._moto.stop()
        if self._push_server is not None:
            self._push_server.shutdown()


def api_server(app: Any, config: Any, host: str, port: int, lock: Any) -> Any:
    """Chalice's local server for `app`, bound and listening (not yet serving).

    A Chalice app keeps `current_request` on the app object, and moto's DynamoDB transactions are
    not thread-safe, so - like Lambda, one invocation per container - only one request or worker
    batch runs inside the app at a time (`lock`). Requests wait their turn in their own threads.
    """
    from chalice.local import create_local_server

    server = create_local_server(app, config, host, port)
    # http.server listens with a backlog of 5: with 20 officers starting at once, connections
    # beyond it were reset while the app was busy. Listening again raises the backlog.
    server.server.socket.listen(LISTEN_BACKLOG)
    server.server.RequestHandlerClass = functools.partial(serialised_handler(lock), app_object=app, config=config)
    return server


def serialised_handler(lock: Any) -> type:
    """Chalice's local request handler, with every request inside `lock` (shared with the workers).

    Chalice binds `do_GET = do_POST = ... = _generic_handle` in its class body, so overriding
    `_generic_handle` alone changes nothing: each verb is rebound here.
    """
    from chalice.local import ChaliceRequestHandler

    class SerialisedHandler(ChaliceRequestHandler):
        def _serialised(self) -> None:
            with lock:
                ChaliceRequestHandler._generic_handle(self)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _serialised

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("LOCAL_ACCESS_LOG"):
                super().log_message(format, *args)

    return SerialisedHandler


def _grouped(secret: str) -> str:
    """A secret as a person copies it: upper case, in groups of four."""
    upper = secret.upper()
    return " ".join(upper[i:i + 4] for i in range(0, len(upper), 4))


def quickstart(stack: dict[str, Any], stack_file: Path) -> str:
    from ..settings import Settings

    timings = Settings.from_env()
    users = stack["users"]

    def first(role: str, force: str = "met", status: str = "serving") -> dict[str, Any]:
        return next(u for u in users if u["role"] == role and u["force"] == force and u["status"] == status)

    officer, sergeant = first("officer"), first("sergeant")
    lines = [
        "",
        "Safe Connection is running locally.",
        f"  API:             {stack['api_url']}   (try {stack['api_url']}/health)",
        f"  Embedded AWS:    {stack['aws_endpoint_url']}   (SMS log: {stack['aws_endpoint_url']}/moto-api/data.json)",
        f"  Officer page:    {stack['api_url']}/o   (sign in, start a check, show the reference)",
        f"  Sergeant page:   the link in each SMS ({stack['api_url']}/s/<verification id>)",
        f"  Citizen page:    {stack['api_url']}/verify   (type the reference; works without JavaScript)",
        f"  Control room:    {stack['api_url']}/c   (the force's board: live checks and alerts)",
        f"  Stack details:   {stack_file}",
        f"  Started in {stack['started_in_seconds']} s",
        f"  Escalation:      {timings.wave_size} sergeant(s) per wave every {timings.wave_interval_seconds} s; "
        f"unanswered after {timings.answer_timeout_seconds} s; "
        f"expired {timings.decision_timeout_seconds} s after accept",
        "",
        "Demo sign-ins (password for all: " + users[0]["password"] + "; each already enrolled in TOTP MFA):",
    ]
    for user in users:
        duty = f", {user['duty']}" if user["duty"] else ""
        lines.append(
            f"  {user['username']:<8} {user['force']:<10} {user['role']:<12} {user['status']}{duty}"
        )
    secrets = {user["totp_secret"] for user in users}
    shared = next(iter(secrets)) if len(secrets) == 1 else None
    lines += [
        "",
        "After the password the pages ask for the code an authenticator app shows. Print it with",
        f"  .venv/bin/python -m chalicelib.local.totp {shared or '<totp_secret>'}",
        (f"  (moto gives every user the same key, {_grouped(shared)}: an authenticator app can take it too)"
         if shared else f"  (each user's totp_secret is in {stack_file})"),
        "",
        f"Try it: sign in as {officer['username']} (officer) and {sergeant['username']} (sergeant),",
        "then follow the walk-through in README.md. SMS and alerts appear below as they are sent.",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)
