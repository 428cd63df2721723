"""An in-process stack for api/integration tests: moto resources, seed data, real wiring."""

from __future__ import annotations

import contextlib
import functools
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session

from chalicelib import bootstrap
from chalicelib.adapters.identity import JwtVerifier, StaticJwksKeySource
from chalicelib.local import resources, seed
from chalicelib.local.chime_standin import ChimeStandIn
from chalicelib.local.push_standin import PushServiceStandIn
from chalicelib.local.seed import DEMO_PEOPLE, DemoPerson
from chalicelib.local.stream_worker import StreamWorker
from chalicelib.settings import Settings

PUSH_SERVICE = "https://push.example.test"
_HARNESS_CLIENTS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def harness_client(session: Any, service: str) -> Any:
    """A client for the harness's own calls (set-up and inspection), made once per session and service.

    Creating a boto3 client costs ~25 ms and every stack needs a dozen. These are never handed to the
    code under test nor to a test (which get clients of their own from `session`), and they come from
    a botocore session of their own, so no event handler or stub a test attaches to `session` or to
    its clients reaches them. They share `session`'s credential provider, looked up on every request,
    so they sign as the harness, or as the function running, exactly as `session`'s clients do.
    """
    clients = _HARNESS_CLIENTS.get(session)
    if clients is None:
        core = botocore.session.Session()
        core.register_component("credential_provider", session._session.get_component("credential_provider"))
        clients = _HARNESS_CLIENTS[session] = {"": boto3.session.Session(botocore_session=core,
                                                                           region_name=session.region_name)}
    if service not in clients:
        clients[service] = clients[""].client(service)
    return clients[service]


@dataclass
class TestStack:
    settings: Settings
    deps: bootstrap.Dependencies
    clock: Any
    tokens: Any
    standin: ChimeStandIn
    alerts_queue_url: str
    session: Any
    identity: Any = None
    push_service: PushServiceStandIn | None = None
    # Pushes that reached an online device, whose receipt its service worker has yet to post.
    pending_receipts: list[dict[str, Any]] = field(default_factory=list)
    _client: Any = None
    _worker: StreamWorker | None = None
    _sms_seen: int = field(default=0)
    _teardown: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    # ---- HTTP through the real Chalice routing ---------------------------------------------

    @property
    def client(self):
        if self._client is None:
            import app

            self._client = RoleScopedClient(app.app, self.running_as, stage_name="local")
        return self._client

    def running_as(self, function: str) -> contextlib.AbstractContextManager[None]:
        """Calls made inside sign as that Lambda function's role (IAM-enforced stacks only)."""
        return self.identity.running_as(function) if self.identity is not None else contextlib.nullcontext()

    def headers(self, officer_id: str, role: str | None = None, force: str | None = None, **kw: Any) -> dict[str, str]:
        person = self.person(officer_id) if role is None or force is None else None
        return self.tokens.header(
            role or person.role.value, force or person.force, officer_id, **kw  # type: ignore[union-attr]
        )

    def call(self, method: str, path: str, officer_id: str | None = None, body: Any = None,
             raw: bytes | str | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        all_headers = dict(self.headers(officer_id)) if officer_id else {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=all_headers, body=payload)
        try:
            parsed = json.loads(response.body) if response.body else None
        except ValueError:
            parsed = response.body
        return response.status_code, parsed

    # ---- people ----------------------------------------------------------------------------

    def subscribe_push(self, officer_id: str, online: bool = True) -> dict[str, Any]:
        """A sergeant's phone subscribes on their page: PUT /me/push-subscription (200 asserted)."""
        assert self.push_service is not None
        subscription = self.push_service.new_device(online=online)
        status, body = self.call("PUT", "/me/push-subscription", officer_id, subscription)
        assert status == 200, body
        return subscription

    def post_push_receipts(self) -> list[int]:
        """Each online phone's service worker posts its receipt (POST /push/receipts); the statuses."""
        statuses = []
        while self.pending_receipts:
            message = self.pending_receipts.pop(0)
            receipt = {k: message[k] for k in ("verification_id", "sergeant", "receipt")}
            statuses.append(self.call("POST", "/push/receipts", body=receipt)[0])
        return statuses

    @staticmethod
    def person(officer_id: str) -> DemoPerson:
        return next(p for p in DEMO_PEOPLE if p.officer_id == officer_id)

    @staticmethod
    def people(
        force: str, role: str | None = None, status: str | None = None, duty: str | None = None
    ) -> list[DemoPerson]:
        return [
            p for p in DEMO_PEOPLE
            if p.force == force
            and (role is None or p.role.value == role)
            and (status is None or p.status.value == status)
            and (duty is None or (p.duty.value if p.duty else None) == duty)
        ]

    # ---- what was sent and stored ----------------------------------------------------------

    def sms(self) -> list[tuple[str, str]]:
        """Every SMS moto recorded, as (phone, message)."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns.models import sns_backends

        return list(sns_backends[DEFAULT_ACCOUNT_ID][self.settings.region].sms_messages.values())

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts delivered to the SQS queue subscribed to the control-room topic (consumed)."""
        sqs = harness_client(self.session, "sqs")
        found = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.alerts_queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.alerts_queue_url, ReceiptHandle=message["ReceiptHandle"])

    def pump_audit(self) -> int:
        """Run the stream consumer (the real Chalice handler) until the stream is drained."""
        if self._worker is None:
            import app

            # Lambda's event source mapping knows the stream; it reads it with the function's role.
            dynamodb = harness_client(self.session, "dynamodb")
            table = dynamodb.describe_table(TableName=self.settings.verifications_table)
            self._worker = StreamWorker(
                dynamodb,
                harness_client(self.session, "dynamodbstreams"),
                self.settings.verifications_table,
                app.copy_audit_events_to_s3,
                stream_arn=table["Table"]["LatestStreamArn"],
            )
        total = 0
        with self.running_as("CopyAuditEventsToS3"):
            while (delivered := self._worker.poll_once()):
                total += delivered
        return total

    def audit_objects(self) -> dict[str, dict[str, Any]]:
        s3 = harness_client(self.session, "s3")
        objects: dict[str, dict[str, Any]] = {}
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.settings.audit_bucket):
            for item in page.get("Contents", []):
                body = s3.get_object(Bucket=self.settings.audit_bucket, Key=item["Key"])["Body"].read()
                objects[item["Key"]] = json.loads(body)
        return objects

    def stored_items(self) -> list[dict[str, Any]]:
        """Everything in the verifications table (to prove nothing was stored)."""
        dynamodb = harness_client(self.session, "dynamodb")
        return dynamodb.scan(TableName=self.settings.verifications_table).get("Items", [])

    def fire_due_timers(self) -> list[str]:
        """Deliver every due timer to the real SQS handler (app.run_timers), in due order.

        Returns the kinds of the timers fired (timers they schedule in turn fire too, if due)."""
        import app
        from chalicelib.adapters.sqs_timers import timer_to_body

        fired = []
        while due := self.deps.timers.take_due(self.clock()):
            for timer in due:
                event = {"Records": [{
                    "messageId": "m", "receiptHandle": "r", "body": timer_to_body(timer), "attributes": {},
                    "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:safe-connection-timers",
                    "awsRegion": "eu-west-2",
                }]}
                app.run_timers(event, None)
                fired.append(timer.kind.value)
        return fired

    def advance(self, seconds: float) -> None:
        """Move the clock and run whatever timers fell due, as SQS and Lambda would."""
        self.clock.advance(seconds=seconds)
        self.fire_due_timers()

    def close(self) -> None:
        self._teardown.close()
        bootstrap.override(None)


class RoleScopedClient:
    """chalice.test.Client whose HTTP requests run as the API function (API Gateway -> APIHandler)."""

    def __init__(self, chalice_app: Any, running_as: Callable[[str], Any], stage_name: str) -> None:
        from chalice.test import Client, TestHTTPClient

        class _ScopedHTTPClient(TestHTTPClient):
            def request(self, *args: Any, **kwargs: Any) -> Any:
                with running_as("APIHandler"):
                    return super().request(*args, **kwargs)

        self._client = Client(chalice_app, stage_name=stage_name)
        self.http = _ScopedHTTPClient(chalice_app, self._client._chalice_config)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


# The Lambda functions that are not behind API Gateway, as app.py names their handlers.
EVENT_HANDLERS = {
    "run_timers": "RunTimers",
    "copy_audit_events_to_s3": "CopyAuditEventsToS3",
    "reconcile_audit_outbox": "ReconcileAuditOutbox",
    "write_daily_audit_digests": "WriteDailyAuditDigests",
    "erase_expired_personal_data": "EraseExpiredPersonalData",
}


def _run_event_handlers_as_their_functions(built: TestStack) -> None:
    """Whoever calls `app.run_timers(...)` & co. (tests, the stack's helpers) runs as that function."""
    import app

    for attribute, function in EVENT_HANDLERS.items():
        handler = getattr(app, attribute)

        def as_function(event: Any, context: Any, _handler: Any = handler, _function: str = function) -> Any:
            with built.running_as(_function):
                return _handler(event, context)

        setattr(app, attribute, as_function)
        built._teardown.callback(setattr, app, attribute, handler)


def _enforce_deployed_roles(built: TestStack, identity: Any) -> None:
    """From here on every call is checked by moto IAM: functions' roles from cdk.out, harness else."""
    from tests.support import iam
    from tests.support.deployed import deployed_template

    session, settings = built.session, built.settings
    physical = iam.physical_resources(functools.partial(harness_client, session), settings, {
        "TimersQueue": "test-timers", "TimersDeadLetterQueue": "test-timers-dlq",
        "AuditStreamFailuresQueue": "test-audit-stream-failures",
    })
    harness = iam.create_harness_user(harness_client(session, "iam"))
    roles = iam.roles_from_template(deployed_template(), physical, harness_client(session, "iam"),
                                    harness_client(session, "sts"), settings.region)
    identity.use(harness, roles)
    built.identity = identity
    built._teardown.callback(identity.reset)
    built._teardown.enter_context(iam.iam_enforced())
    _run_event_handlers_as_their_functions(built)


def build_stack(
    settings: Settings, clock: Any, tokens: Any, session: Any = None, identity: Any = None, photos: bool = False
) -> TestStack:
    """The in-process stack. With `identity` (tests), every Lambda function runs under its real role.

    Without it (benchmarks) moto grants everything, as it does by default. With `photos` (benchmarks)
    each record's photo is uploaded and pinned, as a force's import leaves it, so an accept reads no S3."""
    session = session or boto3.session.Session(region_name=settings.region)
    resources.create_tables(harness_client(session, "dynamodb"), settings)
    resources.create_buckets(harness_client(session, "s3"), settings)
    topic_arn, queue_url = resources.create_alerts(
        harness_client(session, "sns"), harness_client(session, "sqs"), "test-alerts", "test-alerts-queue"
    )
    kms = harness_client(session, "kms")
    # The pool whose accounts follow the registry (PUT /officers/{id}); its users are made by the
    # tests that need them (the pool, its client and groups are seven cheap calls).
    user_pool_id, _ = seed.create_user_pool(harness_client(session, "cognito-idp"))
    settings = settings.model_copy(update={
        "alerts_topic_arn": topic_arn,
        "audit_signing_key_id": resources.create_signing_key(kms),
        "audit_data_key_id": resources.create_data_key(kms),
        "user_pool_id": user_pool_id,
        # As in AWS: the API function reads the HMAC key from Secrets Manager, under its role.
        "rate_limit_key_secret_arn": resources.create_rate_limit_key(harness_client(session, "secretsmanager")),
        # Web Push on, to the push-service stand-in (local/push_standin.py); the key read as in AWS.
        "push_key_secret_arn": resources.create_push_key(harness_client(session, "secretsmanager")),
        "push_services": PUSH_SERVICE,
    })
    standin = ChimeStandIn()
    pending_receipts: list[dict[str, Any]] = []
    push_service = PushServiceStandIn(PUSH_SERVICE, deliver=pending_receipts.append)
    deps = bootstrap.Dependencies(settings, clock=clock, session=session, chime_standin=standin,
                                  push_post=push_service.receive)
    deps.identity = JwtVerifier(settings.token_issuer, settings.token_audience, StaticJwksKeySource(tokens.jwks))
    # Clock-controlled tests fire timers themselves; SqsTimers is tested against moto on its own.
    from tests.support.timers import RecordingTimers

    deps.timers = RecordingTimers()
    from chalicelib.adapters.dynamodb import DynamoRegistry

    # Tests upload no photos (presigned links need no object; the e2e stack uploads them).
    seed.seed_registry(
        DynamoRegistry(harness_client(session, "dynamodb"), settings.registry_table),
        harness_client(session, "s3"),
        settings.photos_bucket,
        upload_photos=photos,
    )
    bootstrap.override(deps)
    built = TestStack(settings, deps, clock, tokens, standin, queue_url, session,
                      push_service=push_service, pending_receipts=pending_receipts)
    if identity is not None:
        _enforce_deployed_roles(built, identity)
    return built
