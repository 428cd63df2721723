"""Every cdk-nag finding we accept, with the reason a security reviewer can check.

`apply` acknowledges findings on the stack's CDK constructs. `SAM_EXPANDED` lists those on the
resources AWS SAM generates from Chalice's template (functions, API, stage), which cdk-nag only sees
once the template is expanded (infra/checks.py); they are keyed by CloudFormation logical id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, CfnResource, Validations
from constructs import IConstruct

if TYPE_CHECKING:
    from .safe_connection import SafeConnectionStack

ACTIONS_WITHOUT_RESOURCES = (
    "IAM accepts only Resource '*' for these actions: sns:Publish of an SMS names a phone number, "
    "which has no ARN, and chime:CreateMeeting creates a meeting that has no ARN yet. Topic "
    "publishing is granted separately on the alerts topic ARN only."
)
LIST_STREAMS = (
    "dynamodb:ListStreams, which Lambda's stream event source mapping calls with the function's "
    "role, takes no resource in IAM (Resource '*' only); reading the stream is granted on its ARN."
)
CHIME_MEETINGS = (
    "Chime SDK meeting ids are created at run time (one per verification), so attendee creation "
    "and meeting deletion are scoped to meetings of this account and region (meeting/*)."
)
STREAM_FAILURES_QUEUE = (
    "This queue is itself the dead-letter destination: the audit stream consumer's on-failure "
    "destination (an event source mapping setting cdk-nag does not recognise as a DLQ)."
)
REGISTRY_PHOTOS = (
    "Presigned links to registry photos: object keys are officers' photos chosen by force admins, "
    "read-only (s3:GetObject, and s3:GetObjectVersion for the version a record pins) in the photos "
    "bucket only."
)
AUDIT_PREFIX = (
    "Audit objects are keyed by force/date/verification at run time; the role may only write under "
    "its own prefix ({prefix}), and Object Lock COMPLIANCE prevents any overwrite or delete."
)
API_GATEWAY_LOGS_ROLE = (
    "Account-level API Gateway logging role: API Gateway creates and names its execution log groups "
    "itself (API-Gateway-Execution-Logs_<api>/<stage>), so the ARN cannot be narrower than "
    "log-group:* of this account and region. Used only by apigateway.amazonaws.com."
)
SMS_SETTINGS = (
    "sns:SetSMSAttributes (Transactional type, spend limit, sender id, delivery logging) is an "
    "account-wide call with no resource-level permission; the role runs once per deployment."
)

SMS_DELIVERY_STREAMS = (
    "SNS writes SMS delivery status into log streams it creates and names itself, inside the two "
    "log groups whose names SNS also chooses (sns/<region>/<account>/DirectPublishToPhoneNumber and "
    "its /Failure group): the role may write to streams of those two groups only."
)

SMS_PROTECT_DEFAULT = (
    "sms-voice:DeleteAccountDefaultProtectConfiguration (run when the stack is deleted, so the "
    "protect configuration can go) acts on the account setting and has no resource in IAM; setting "
    "the default is granted on this stack's protect configuration ARN only."
)

RATE_LIMIT_KEY_ROTATION = (
    "The rate-limit key only pseudonymises client addresses in short-lived rate-limit records (at most "
    "a day, expired by TTL); each API container reads it once. Rotating it means putting a new random "
    "value (aws secretsmanager put-secret-value) and letting containers recycle: the records start "
    "again under the new key, so no rotation function is needed."
)

PUSH_KEY_ROTATION = (
    "The push key signs Web Push messages to sergeants' pages and their receipts; browsers subscribe "
    "to the public key derived from it. A scheduled rotation would silently unsubscribe every sergeant "
    "(they would be texted again until they opt in anew), so it is rotated by hand when needed: a new "
    "random value (aws secretsmanager put-secret-value), then containers recycle."
)


def _ack(construct: IConstruct, finding: str, reason: str) -> None:
    Validations.of(construct).acknowledge(Acknowledgment(id=f"AwsSolutions-{finding}", reason=reason))


def _arn(stack: SafeConnectionStack, construct: IConstruct) -> str:
    """How cdk-nag writes a construct's Arn attribute in a finding id: <LogicalId.Arn>."""
    resource = construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise AssertionError(f"{construct.node.path} has no CloudFormation resource as its default child")
    return f"<{stack.resolve(stack.get_logical_id(resource))}.Arn>"


def apply(stack: SafeConnectionStack) -> None:
    """Acknowledge the accepted findings on this stack's constructs."""
    region = stack.region
    for name in ("APIHandler", "RunTimers"):
        role = stack.function_roles[name]
        _ack(role, "IAM5[Resource::*]", ACTIONS_WITHOUT_RESOURCES)
        _ack(role, f"IAM5[Resource::arn:<AWS::Partition>:chime:{region}:<AWS::AccountId>:meeting/*]", CHIME_MEETINGS)
    _ack(stack.function_roles["APIHandler"], f"IAM5[Resource::{_arn(stack, stack.photos_bucket)}/*]", REGISTRY_PHOTOS)
    audit = _arn(stack, stack.audit_bucket)
    for copier in ("CopyAuditEventsToS3", "ReconcileAuditOutbox"):
        for prefix in ("audit/", "quarantine/"):
            _ack(stack.function_roles[copier], f"IAM5[Resource::{audit}/{prefix}*]", AUDIT_PREFIX.format(prefix=prefix))
    _ack(stack.function_roles["CopyAuditEventsToS3"], "IAM5[Resource::*]", LIST_STREAMS)
    _ack(stack.function_roles["WriteDailyAuditDigests"], f"IAM5[Resource::{audit}/digests/*]",
         AUDIT_PREFIX.format(prefix="digests/"))
    _ack(stack.stream_failures_queue, "SQS3", STREAM_FAILURES_QUEUE)
    _ack(stack.rate_limit_key, "SMG4", RATE_LIMIT_KEY_ROTATION)
    _ack(stack.push_key, "SMG4", PUSH_KEY_ROTATION)
    _ack(stack.gateway_logs_role,
         f"IAM5[Resource::arn:<AWS::Partition>:logs:{region}:<AWS::AccountId>:log-group:*]", API_GATEWAY_LOGS_ROLE)
    _ack(stack.sms_settings, "IAM5[Resource::*]", SMS_SETTINGS)
    _ack(stack.sms_protect_default, "IAM5[Resource::*]", SMS_PROTECT_DEFAULT)
    sms_groups = f"arn:<AWS::Partition>:logs:{region}:<AWS::AccountId>:log-group:sns/{region}/<AWS::AccountId>"
    for suffix in ("DirectPublishToPhoneNumber", "DirectPublishToPhoneNumber/Failure"):
        _ack(stack.sms_delivery_role, f"IAM5[Resource::{sms_groups}/{suffix}:*]", SMS_DELIVERY_STREAMS)


LAMBDA_RUNTIME = (
    "The runtime is pinned to python3.11 (supported by Lambda), the Python the project is built and "
    "tested on; synth refuses another interpreter because Chalice downloads wheels for the one running "
    "it. Moving runtime is a project-wide change with its own tests."
)
APP_VALIDATES_REQUESTS = (
    "Every body is validated by strict pydantic models in the app (unknown fields rejected, 16 KiB "
    "limit, SPEC error bodies); an API Gateway validator would answer with a different error shape."
)

# Logical id (as AWS SAM names it) -> [(finding, reason)].
SAM_EXPANDED: dict[str, list[tuple[str, str]]] = {
    **{
        function: [("L1", LAMBDA_RUNTIME)]
        for function in ("APIHandler", "RunTimers", "CopyAuditEventsToS3", "ReconcileAuditOutbox",
                         "WriteDailyAuditDigests", "EraseExpiredPersonalData")
    },
    "RestAPI": [("APIG2", APP_VALIDATES_REQUESTS)],
}
