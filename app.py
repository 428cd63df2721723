"""Safe Connection API: wiring only. Routes live in chalicelib/api, logic in chalicelib/services/."""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING

from chalice.app import Chalice, Cron, Rate

from chalicelib.api.control import control
from chalicelib.api.errors import internal_error, normalise_framework_error
from chalicelib.api.pages import pages
from chalicelib.api.public import public
from chalicelib.api.push import push
from chalicelib.api.registry import registry
from chalicelib.api.verifications import verifications
from chalicelib.bootstrap import get_dependencies
from chalicelib.observability import flush_metrics, logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalice.app import CloudWatchEvent, DynamoDBEvent, Request, Response, SQSEvent

app = Chalice(app_name="safe-connection")
app.register_blueprint(public)
app.register_blueprint(verifications)
app.register_blueprint(registry)
app.register_blueprint(pages)
app.register_blueprint(control)
app.register_blueprint(push)

# Event-source ARNs are read when Chalice packages the app, so this one comes from the environment
# (set by CDK for deployment; the local stack's worker calls the handler directly).
AUDIT_STREAM_ARN = os.environ.get(
    "VERIFICATIONS_STREAM_ARN",
    "arn:aws:dynamodb:eu-west-2:123456789012:table/safe-connection-verifications/stream/local",
)


# SQS event sources are named at packaging time too: a fixed queue name, not a CDK token.
TIMERS_QUEUE_NAME = os.environ.get("TIMERS_QUEUE_NAME", "safe-connection-timers")


@app.middleware("http")
def request_context(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Correlation id and clean logger keys per request; SPEC error bodies; metrics flushed."""
    logger.remove_keys(["verification_id"])
    request_id = (event.context or {}).get("requestId") if event is not None else None
    logger.set_correlation_id(request_id)
    try:
        response = get_response(event)
    except Exception:  # noqa: BLE001 - never a stack trace to the client
        logger.exception("unhandled_error")
        response = internal_error()
    flush_metrics()
    return normalise_framework_error(response)


@app.on_dynamodb_record(stream_arn=AUDIT_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def copy_audit_events_to_s3(event: DynamoDBEvent) -> None:
    """DynamoDB stream -> S3 audit log. Raising makes Lambda retry the batch (writes are idempotent)."""
    from chalicelib.api.audit_stream import handle_stream_batch  # each function imports its own use cases

    handle_stream_batch([record.to_dict() for record in event])
    flush_metrics()


@app.on_sqs_message(queue=TIMERS_QUEUE_NAME, batch_size=1)
def run_timers(event: SQSEvent) -> None:
    """Escalation timers (next wave, answer timeout, decision timeout). Raising retries the message."""
    from chalicelib.api.timers import handle_timer_messages

    handle_timer_messages([record.body for record in event])
    flush_metrics()


@app.schedule(Cron(15, 0, "*", "*", "?", "*"))
def write_daily_audit_digests(event: CloudWatchEvent) -> None:
    """00:15 UTC: sign yesterday's digest for each force (what was written to the audit log)."""
    from chalicelib.services.auditing import write_daily_digests

    write_daily_digests(get_dependencies())


@app.schedule(Rate(15, unit=Rate.MINUTES))
def erase_expired_personal_data(event: CloudWatchEvent) -> None:
    """Every 15 minutes: erase the personal data of checks older than the retention period.

    Each run stops after its budget and the next continues (erased entries leave the retention
    index); the last week of due days is swept, so runs that failed for days lose nothing."""
    from chalicelib.services.budget import Budget
    from chalicelib.services.erasure import erase_due_personal_data

    deps = get_dependencies()
    budget = Budget.for_run(deps.settings.erasure_budget_seconds, deps.settings.erasure_max_checks_per_run,
                            getattr(event, "context", None))
    erase_due_personal_data(deps, budget)


@app.schedule(Rate(10, unit=Rate.MINUTES))
def reconcile_audit_outbox(event: CloudWatchEvent) -> None:
    """Every 10 minutes: copy to S3 the audit events the stream gave up on (SPEC §5: retried until written)."""
    from chalicelib.services.audit_reconcile import reconcile_audit_outbox as reconcile
    from chalicelib.services.budget import Budget

    deps = get_dependencies()
    budget = Budget.for_run(deps.settings.audit_reconcile_budget_seconds, deps.settings.audit_reconcile_max_chains,
                            getattr(event, "context", None))
    reconcile(deps, budget)
    flush_metrics()


# Last: what the container has imported lives as long as it does. Frozen, the collector never walks
# it again, so the first request's own imports (pydantic, the boto3 clients) do not pay for full
# collections over every module of the app (issue 17: tens of ms of a start's cold path).
gc.freeze()
