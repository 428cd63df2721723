"""The app on in-process moto for the benchmarks: the tests' stack, with real SQS timers and a counter.

Built on `tests.support.stack.build_stack` (same resources, seed, tokens and wiring as tests/api),
except that timers go to a real (moto) SQS queue, as in AWS, so their calls are measured too.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench.common import use_fake_aws

use_fake_aws()


class ShiftableClock:
    """Real UTC time plus an offset: `skip()` moves it forward, so delivered timers are due."""

    def __init__(self) -> None:
        from datetime import timedelta

        self.offset = timedelta(0)

    def __call__(self) -> Any:
        from chalicelib.domain.clock import utc_now

        return utc_now() + self.offset

    def skip(self, seconds: float) -> None:
        from datetime import timedelta

        self.offset += timedelta(seconds=seconds)


class CallCounter:
    """Counts AWS API calls per (service, operation) at botocore's `before-parameter-build` event.

    That event fires once per API call made by a client created from the instrumented session
    (retries happen later, inside the call), and also for presigned URLs, which make no request:
    those are counted apart, as `local`.
    """

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.presigned: Counter[tuple[str, str]] = Counter()
        self.listeners: list[Any] = []

    def install(self, session: Any) -> CallCounter:
        """Install before any client is made: a botocore client copies the session's handlers when
        it is created, so a handler registered on the session later misses the existing clients."""
        session.events.register("before-parameter-build", self._seen)
        return self

    def _seen(self, model: Any = None, params: Any = None, context: Any = None, **_: Any) -> None:
        key = (model.service_model.service_id.hyphenize() if model else "?", model.name if model else "?")
        (self.presigned if (context or {}).get("is_presign_request") else self.calls)[key] += 1
        for listener in self.listeners:
            listener(model=model, params=params, context=context)

    def reset(self) -> None:
        self.calls.clear()
        self.presigned.clear()

    def total(self) -> int:
        return sum(self.calls.values())

    def snapshot(self) -> Counter[tuple[str, str]]:
        return Counter(self.calls)


@dataclass
class BenchStack:
    """The seeded in-process stack, its counter, and helpers to drive a verification."""

    stack: Any
    counter: CallCounter
    timers_queue_url: str
    plain_session: Any
    _stream_worker: Any = None
    _seq: int = field(default=0)

    @property
    def deps(self) -> Any:
        return self.stack.deps

    def call(self, method: str, path: str, officer_id: str | None = None, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        answered: tuple[int, Any] = self.stack.call(method, path, officer_id, body=body, headers=headers)
        return answered

    def token(self, officer_id: str) -> str:
        authorization: str = self.stack.headers(officer_id)["Authorization"]
        return authorization.split(" ", 1)[1]

    def deliver_timers(self) -> list[str]:
        """Deliver every timer message, due or not, to `app.run_timers`, as a late SQS delivery
        would (the event source's receive and delete are not the app's calls: not counted)."""
        import app

        results = []
        while bodies := _take_all_messages(self.timers_queue_url):
            # Time passes until the last of them is due (the decision timeout, 10 min by default).
            latest = max(datetime.fromisoformat(json.loads(b)["due_at"].replace("Z", "+00:00")) for b in bodies)
            self.stack.clock.skip(max(0.0, (latest - self.stack.clock()).total_seconds()) + 1)
            for body in bodies:
                app.run_timers({"Records": [{
                    "messageId": "m", "receiptHandle": "r", "body": body, "attributes": {},
                    "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:safe-connection-timers",
                    "awsRegion": "eu-west-2",
                }]}, None)
                results.append(json.loads(body)["kind"])
        return results

    def pump_audit(self) -> int:
        """Run the real stream handler over the table's stream until drained (reads not counted)."""
        import app
        from chalicelib.local.stream_worker import StreamWorker

        if self._stream_worker is None:
            self._stream_worker = StreamWorker(
                self.plain_session.client("dynamodb"), self.plain_session.client("dynamodbstreams"),
                self.stack.settings.verifications_table, app.copy_audit_events_to_s3,
            )
        total = 0
        while (delivered := self._stream_worker.poll_once()):
            total += delivered
        return total

    def close(self) -> None:
        self.stack.close()


def _take_all_messages(queue_url: str) -> list[str]:
    """Take every message, delayed or not, out of moto's queue (a shortcut for "time passes")."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[DEFAULT_ACCOUNT_ID]["eu-west-2"].queues[queue_url.rsplit("/", 1)[-1]]
    bodies = [message.body for message in queue._messages]
    queue._messages.clear()
    return bodies


def build(max_starts_per_hour: int = 1000) -> BenchStack:
    """Create and seed everything on in-process moto (call inside `mock_aws()`)."""
    import boto3
    import moto  # noqa: F401 - registers its interceptor before the sessions are made

    from chalicelib.adapters.sqs_timers import SqsTimers
    from chalicelib.local import resources
    from chalicelib.settings import Settings
    from tests.support.stack import build_stack
    from tests.support.tokens import TokenFactory

    tokens = TokenFactory(issuer="https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_BENCH", audience="bench-client")
    settings = Settings(
        region="eu-west-2", token_issuer=tokens.issuer, token_audience=tokens.audience,
        public_base_url="https://verify.police.example", chime_backend="standin",
        # Benchmarks start many checks per officer; the hourly limit's read and write still happen.
        max_starts_per_hour=max_starts_per_hour, public_views_per_minute=10_000,
    )
    session = boto3.session.Session(region_name="eu-west-2")
    counter = CallCounter().install(session)
    stack = build_stack(settings, ShiftableClock(), tokens, session, photos=True)
    plain = boto3.session.Session(region_name="eu-west-2")
    queue_url = resources.create_timers_queue(plain.client("sqs"), "safe-connection-timers")
    stack.deps.timers = SqsTimers(session.client("sqs"), queue_url, stack.deps.clock)
    counter.reset()
    return BenchStack(stack, counter, queue_url, plain)
