"""What each Lambda function may do, one statement per reason (the Sid says why).

One role per function; every statement names its resources. The only wildcards are those AWS gives
no narrower resource for; each is acknowledged with its reason in acknowledgements.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_iam as iam


@dataclass(frozen=True)
class AppResources:
    """The resources the app's functions touch (ARNs as CDK tokens)."""

    verifications_table_arn: str
    verifications_stream_arn: str
    registry_table_arn: str
    idempotency_table_arn: str
    audit_bucket_arn: str
    photos_bucket_arn: str
    alerts_topic_arn: str
    alerts_key_arn: str
    timers_queue_arn: str
    stream_failures_queue_arn: str
    audit_data_key_arn: str
    audit_signing_key_arn: str
    user_pool_arn: str
    rate_limit_key_arn: str
    push_key_arn: str


def _statement(sid: str, actions: list[str], resources: list[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(sid=sid, actions=actions, resources=resources)


# Item-level actions only: a TransactWriteItems call is authorised per item by these. Each function
# gets the ones its code calls (tests/integration/test_iam_roles.py proves each is needed).
def _verifications(
    r: AppResources, actions: list[str], sid: str = "VerificationsAndAuditOutbox"
) -> iam.PolicyStatement:
    return _statement(sid, actions, [r.verifications_table_arn, f"{r.verifications_table_arn}/index/by_force_status"])


def _registry(r: AppResources, actions: list[str]) -> iam.PolicyStatement:
    return _statement(
        "ForceRegistry", actions, [r.registry_table_arn, f"{r.registry_table_arn}/index/available_sergeants"]
    )


def _idempotency_and_rate_limits(r: AppResources) -> iam.PolicyStatement:
    return _statement(
        "IdempotencyRecordsAndRateLimits",
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        [r.idempotency_table_arn],
    )


def _sms(_: AppResources) -> iam.PolicyStatement:
    # SNS has no resource ARN for a phone number: publishing an SMS is authorised on "*".
    return _statement("SmsToSergeants", ["sns:Publish"], ["*"])


def _alerts(r: AppResources) -> list[iam.PolicyStatement]:
    return [
        _statement("ControlRoomAlerts", ["sns:Publish"], [r.alerts_topic_arn]),
        _statement("EncryptAlertsForTopic", ["kms:GenerateDataKey", "kms:Decrypt"], [r.alerts_key_arn]),
    ]


def _meetings(stack: Stack) -> list[iam.PolicyStatement]:
    # IAM authorises CreateMeeting on "*" only (the meeting does not exist yet); the calls on a
    # meeting name it, and meeting ids are created at run time, so those end in meeting/*.
    return [
        _statement("CreateChimeMeetings", ["chime:CreateMeeting"], ["*"]),
        # Attendees are listed and one removed when a sergeant who stopped serving leaves a call.
        _statement(
            "JoinAndEndChimeMeetings",
            ["chime:CreateAttendee", "chime:DeleteMeeting", "chime:ListAttendees", "chime:DeleteAttendee"],
            [_meeting_arns(stack)],
        ),
    ]


def _meeting_arns(stack: Stack) -> str:
    return stack.format_arn(service="chime", resource="meeting", resource_name="*")


def _read_push_key(r: AppResources) -> iam.PolicyStatement:
    # Web Push: the first wave with a push in it reads the key (VAPID signature, receipts); the API
    # also derives the public key a sergeant's browser subscribes with.
    return _statement("ReadPushKey", ["secretsmanager:GetSecretValue"], [r.push_key_arn])


def _timers_send(r: AppResources) -> iam.PolicyStatement:
    return _statement("ScheduleEscalationTimers", ["sqs:SendMessage"], [r.timers_queue_arn])


def _personal_data_keys(r: AppResources) -> iam.PolicyStatement:
    return _statement(
        "SealPersonalDataInAuditEvents", ["kms:GenerateDataKey", "kms:Decrypt"], [r.audit_data_key_arn]
    )


def api_handler(stack: Stack, r: AppResources) -> list[iam.PolicyStatement]:
    """The REST API: every use case of SPEC §4."""
    return [
        # Transactions put state and events, and delete the officer's active-check marker; alerts are
        # put as records (SPEC §7.3) and acknowledged by a conditional UpdateItem.
        _verifications(r, ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem",
                           "dynamodb:UpdateItem"]),
        _registry(r, ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
        _idempotency_and_rate_limits(r),
        _sms(r),
        *_alerts(r),
        *_meetings(stack),
        _timers_send(r),
        _personal_data_keys(r),
        # Links name the photo version the record pins (GetObjectVersion); a photo a PUT names, or a
        # record from before pinning, is read once to learn its version and hash (GetObject).
        _statement("PresignRegistryPhotos", ["s3:GetObject", "s3:GetObjectVersion"], [f"{r.photos_bucket_arn}/*"]),
        # The public rate limits' HMAC key, read once per container (this secret only).
        _statement("ReadRateLimitKey", ["secretsmanager:GetSecretValue"], [r.rate_limit_key_arn]),
        _read_push_key(r),
        # PUT /officers/{id}: the person's account follows the record (group = role; a suspension
        # signs them out everywhere and disables them). Accounts are created by `registry import`,
        # under the operator's own credentials, never by the API.
        _statement(
            "SignInAccountsFollowTheRegistry",
            [
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminListGroupsForUser",
                "cognito-idp:AdminAddUserToGroup",
                "cognito-idp:AdminRemoveUserFromGroup",
                "cognito-idp:AdminEnableUser",
                "cognito-idp:AdminUserGlobalSignOut",
                "cognito-idp:AdminDisableUser",
            ],
            [r.user_pool_arn],
        ),
    ]


def run_timers(stack: Stack, r: AppResources) -> list[iam.PolicyStatement]:
    """Escalation timers: next wave of SMS, unanswered/expired outcomes and their alerts."""
    return [
        # PutItem also stores each alert's record before it is published.
        _verifications(r, ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
        # The next wave: who is available, and who was texted when.
        _registry(r, ["dynamodb:Query", "dynamodb:UpdateItem"]),
        _sms(r),
        _read_push_key(r),
        *_alerts(r),
        # An expired check's meeting is ended; timers never create or join one.
        _statement("EndChimeMeetings", ["chime:DeleteMeeting"], [_meeting_arns(stack)]),
        _timers_send(r),
        # What Lambda's SQS event source mapping needs of the function's role (no visibility changes).
        _statement(
            "ConsumeTimersQueue",
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            [r.timers_queue_arn],
        ),
    ]


def _copy_outbox_events(r: AppResources) -> list[iam.PolicyStatement]:
    """What copying outbox events into the chain needs, from the stream or from the backlog."""
    return [
        # GetItem: is a missing predecessor waiting in the outbox? UpdateItem: mark an item copied
        # (or quarantined). PutItem: the refusal of a forged item is an audit event of its own (a
        # transaction of one Put). BatchWriteItem: the day's index of written events.
        _statement("AuditOutboxAndWrittenIndex",
                   ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"],
                   [r.verifications_table_arn]),
        _statement("WriteAuditEvents", ["s3:PutObject"], [f"{r.audit_bucket_arn}/audit/*"]),
        # The chain already written (an event is copied only if it extends it), and whether an
        # item refused before is already kept aside.
        _statement("ReadWrittenChainsAndQuarantine", ["s3:GetObject"],
                   [f"{r.audit_bucket_arn}/audit/*", f"{r.audit_bucket_arn}/quarantine/*"]),
        _statement("QuarantineRefusedItems", ["s3:PutObject"], [f"{r.audit_bucket_arn}/quarantine/*"]),
        # Without it S3 answers a read of a key not written yet with 403, not 404: the copier must
        # tell "predecessor not copied yet" from a refusal.
        _statement("TellMissingObjectsFromRefusals", ["s3:ListBucket"], [r.audit_bucket_arn]),
        # A refused item is a control-room alert.
        *_alerts(r),
    ]


def copy_audit_events_to_s3(stack: Stack, r: AppResources) -> list[iam.PolicyStatement]:
    """Stream consumer: audit outbox -> S3, and the index of what was written each day."""
    return [
        # Lambda's event source mapping reads the stream with this role.
        _statement(
            "ReadVerificationsStream",
            ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            [r.verifications_stream_arn],
        ),
        # ...and lists streams, which IAM authorises on "*" only.
        _statement("ListStreamsForTheEventSource", ["dynamodb:ListStreams"], ["*"]),
        *_copy_outbox_events(r),
        _statement("RecordBatchesThatFailedForGood", ["sqs:SendMessage"], [r.stream_failures_queue_arn]),
    ]


def reconcile_audit_outbox(stack: Stack, r: AppResources) -> list[iam.PolicyStatement]:
    """Every few minutes: copy the outbox events the stream did not (it gives up after 6 hours)."""
    return [
        # The backlog (the sparse GSI of events awaiting copy), then each chain's items.
        _statement("FindEventsAwaitingCopy", ["dynamodb:Query"],
                   [r.verifications_table_arn, f"{r.verifications_table_arn}/index/audit_awaiting_copy"]),
        *_copy_outbox_events(r),
    ]


def write_daily_audit_digests(stack: Stack, r: AppResources) -> list[iam.PolicyStatement]:
    """00:15 UTC: list the day's written events, sign the digest with the KMS signing key."""
    return [
        _statement("ReadAuditIndex", ["dynamodb:Query"], [r.verifications_table_arn]),
        _statement("ReadAndWriteDigests", ["s3:GetObject", "s3:PutObject"], [f"{r.audit_bucket_arn}/digests/*"]),
        # Listing finds the previous digest; it also makes a missing key a 404 rather than a 403.
        _statement("ListDigests", ["s3:ListBucket"], [r.audit_bucket_arn]),
        # Verifying is the auditors' job (`audit verify`), never this function's.
        _statement("SignDigests", ["kms:Sign"], [r.audit_signing_key_arn]),
    ]


def erase_expired_personal_data(stack: Stack, r: AppResources) -> list[iam.PolicyStatement]:
    """01:30 UTC: delete expired data keys and append `personal_data.erased` to each chain."""
    return [
        # Query + PutItem (conditional) also redact the alerts of each erased chain (ALERTS#{chain}).
        _verifications(r, ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem",
                           "dynamodb:BatchWriteItem"]),
    ]


# Chalice's SAM logical id -> the statements of that function's role.
FUNCTION_POLICIES: dict[str, Callable[[Stack, AppResources], list[iam.PolicyStatement]]] = {
    "APIHandler": api_handler,
    "RunTimers": run_timers,
    "CopyAuditEventsToS3": copy_audit_events_to_s3,
    "ReconcileAuditOutbox": reconcile_audit_outbox,
    "WriteDailyAuditDigests": write_daily_audit_digests,
    "EraseExpiredPersonalData": erase_expired_personal_data,
}
