"""One force's Safe Connection deployment: the Chalice app plus everything it runs on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from aws_cdk import (
    ArnFormat,
    CfnOutput,
    CfnResource,
    CfnTag,
    Duration,
    Environment,
    Fn,
    RemovalPolicy,
    SecretValue,
    Stack,
    Tags,
)
from aws_cdk import (
    aws_apigateway as apigw,
)
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_cloudwatch_actions as cw_actions,
)
from aws_cdk import (
    aws_cognito as cognito,
)
from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_kms as kms,
)
from aws_cdk import (
    aws_logs as logs,
)
from aws_cdk import (
    aws_route53 as route53,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_secretsmanager as secretsmanager,
)
from aws_cdk import (
    aws_smsvoice as smsvoice,
)
from aws_cdk import (
    aws_sns as sns,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from aws_cdk import (
    aws_wafv2 as wafv2,
)
from aws_cdk import (
    custom_resources as cr,
)
from constructs import Construct

from chalicelib.domain.push import KNOWN_PUSH_SERVICES, PUSH_GRACE_SECONDS

from .. import iso3166
from ..force_config import Federation, ForceConfig, SamlFederation
from . import acknowledgements, permissions
from .chalice_source import ChaliceWithBytecode, packaging_scope, stage_app_source

LOG_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    7: logs.RetentionDays.ONE_WEEK,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}
API_STAGE = "api"
# Set on every function: Chalice would otherwise write the runtime of whoever runs synth
# (infra/synth.py also refuses to package under another Python, since the wheels follow it too).
LAMBDA_RUNTIME = "python3.11"
# Chalice names the REST API after the app; API Gateway metrics are keyed by that name.
API_NAME = "safe-connection"
# Stream consumer: retry a failing batch (halving it each time, so one bad record is isolated) for
# up to 6 hours or 1,000 attempts - an S3 outage of hours loses nothing - then park its position
# in a queue. The events themselves stay in the table (the outbox), so they can be replayed.
STREAM_MAX_RETRY_ATTEMPTS = 1000
STREAM_MAX_RECORD_AGE_SECONDS = 6 * 3600
STREAM_ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000
# Destination countries SMS may go to (ISO 3166-1 alpha-2); every other one is blocked.
SMS_COUNTRIES = frozenset({"GB"})
# What CloudWatch Logs answers when a log group exists already (a deploy-time call tolerates it).
EXISTING_LOG_GROUP = "ResourceAlreadyExistsException"


class _FederatedClient(TypedDict, total=False):
    """The app client's settings for federated sign-in (keyword arguments of UserPool.add_client)."""

    supported_identity_providers: Sequence[cognito.UserPoolClientIdentityProvider]
    o_auth: cognito.OAuthSettings
    write_attributes: cognito.ClientAttributes


# The id CDK gives the singleton function behind every AwsCustomResource in a stack.
_CUSTOM_RESOURCE_PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"
# With federation: the warrant number as the force's identity provider asserts it. Cognito rewrites
# every mapped attribute at every federated sign-in and refuses to write an immutable one (even with
# the same value), so the provider cannot be mapped onto the immutable custom:officer_id: it writes
# here, and the registry import links the sign-in to the registry's own user on this attribute. The
# app never reads it (its officer id, force and role are the linked user's).
FEDERATED_OFFICER_ID = "idp_officer_id"
# The staff pages a federated sign-in returns to (OAuth callback and sign-out URLs, on the force's
# domain): the officer's, the sergeant's (the verification id travels in the OAuth state) and the
# control room's.
STAFF_PAGES = ("/o", "/s", "/c")


class SafeConnectionStack(Stack):
    """Tables, buckets, keys, queues, topic, user pool, the Chalice app, WAF, alarms, outputs."""

    def __init__(
        self,
        scope: Construct,
        config: ForceConfig,
        *,
        build_dir: Path,
        bundle_dependencies: bool = True,
    ) -> None:
        super().__init__(
            scope,
            config.stack_name,
            env=Environment(account=config.account, region=config.region),
            description=f"Safe Connection for {config.display_name} ({config.stage})",
        )
        self.config = config
        Tags.of(self).add("application", "safe-connection")
        Tags.of(self).add("force", config.force)
        Tags.of(self).add("stage", config.stage)

        self.log_retention = LOG_RETENTION[config.log_retention_days]
        self._keys()
        self._tables()
        self._buckets()
        self._messaging()
        self._sms_settings()
        self._sms_protect()
        self._user_pool()
        self._app(build_dir, bundle_dependencies)
        self._api_protection()
        self._custom_domain()
        self._alarms()
        self._outputs()
        acknowledgements.apply(self)

    # ---- keys ----------------------------------------------------------------------------

    def _keys(self) -> None:
        self.audit_signing_key = kms.Key(
            self,
            "AuditSigningKey",
            description="Safe Connection: signs the daily audit digests (never leaves KMS)",
            key_spec=kms.KeySpec.RSA_2048,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.audit_data_key = kms.Key(
            self,
            "AuditDataKey",
            description="Safe Connection: wraps each verification's personal-data key",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.alerts_key = kms.Key(
            self,
            "AlertsKey",
            description="Safe Connection: encrypts control-room alerts at rest in SNS",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # The key of the HMAC that pseudonymises client addresses in the public rate limits: random,
        # never in a template or a Lambda environment; only the API function may read it.
        self.rate_limit_key = secretsmanager.Secret(
            self,
            "RateLimitKey",
            description="Safe Connection: HMAC key for client addresses in the public rate limits",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=RemovalPolicy.DESTROY,  # nothing to keep: a new key only restarts the counters
        )
        # The key Web Push's VAPID signing key and the push receipts' HMAC key are derived from
        # (adapters/web_push.py): random, never in a template or an environment. Replacing it makes
        # sergeants opt in to push again (they are texted meanwhile), so it is kept.
        self.push_key = secretsmanager.Secret(
            self,
            "PushKey",
            description="Safe Connection: the key Web Push to sergeants' pages is signed with",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CloudWatch alarms publish to the encrypted alerts topic.
        self.alerts_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublishToAlerts",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )

    # ---- DynamoDB ------------------------------------------------------------------------

    def _table(self, construct_id: str, partition: str, sort: str | None = None, *,
               stream: dynamodb.StreamViewType | None = None,
               time_to_live_attribute: str | None = None) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(name=partition, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=sort, type=dynamodb.AttributeType.STRING) if sort else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            stream=stream,
            time_to_live_attribute=time_to_live_attribute,
        )

    def _tables(self) -> None:
        # Same keys, indexes and stream as chalicelib/local/resources.py creates on moto.
        self.verifications_table = self._table(
            "VerificationsTable", "pk", "sk", stream=dynamodb.StreamViewType.NEW_IMAGE
        )
        self.verifications_table.add_global_secondary_index(
            index_name="by_force_status",
            partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # The audit events not yet in S3 (sparse: the copiers remove the key once an event is there).
        self.verifications_table.add_global_secondary_index(
            index_name="audit_awaiting_copy",
            partition_key=dynamodb.Attribute(name="awaiting_copy", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="recorded_at", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.INCLUDE,
            non_key_attributes=["audit_key"],
        )
        self.registry_table = self._table("RegistryTable", "force", "officer_id")
        self.registry_table.add_global_secondary_index(
            index_name="available_sergeants",
            partition_key=dynamodb.Attribute(name="available_in_force", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="officer_id", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        self.idempotency_table = self._table("IdempotencyTable", "id", time_to_live_attribute="expiration")

    # ---- S3 ------------------------------------------------------------------------------

    def _bucket(
        self,
        construct_id: str,
        *,
        lifecycle_rules: Sequence[s3.LifecycleRule] | None = None,
        object_lock_enabled: bool | None = None,
        object_lock_default_retention: s3.ObjectLockRetention | None = None,
        server_access_logs_bucket: s3.IBucket | None = None,
        server_access_logs_prefix: str | None = None,
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=lifecycle_rules,
            object_lock_enabled=object_lock_enabled,
            object_lock_default_retention=object_lock_default_retention,
            server_access_logs_bucket=server_access_logs_bucket,
            server_access_logs_prefix=server_access_logs_prefix,
        )

    def _buckets(self) -> None:
        self.access_logs_bucket = self._bucket(
            "AccessLogsBucket",
            # Server access logging needs ACL-less writes by the logging service (bucket policy).
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(self.config.audit_retention_days))],
        )
        # S3-managed keys, deliberately: a customer key scheduled for deletion would make the
        # locked audit log unreadable, which is a way of destroying it.
        self.audit_bucket = self._bucket(
            "AuditBucket",
            object_lock_enabled=True,
            object_lock_default_retention=s3.ObjectLockRetention.compliance(
                Duration.days(self.config.audit_retention_days)
            ),
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="audit/",
        )
        # A replaced photo stays as long as the audit log that names it (SPEC §7.5): it becomes
        # noncurrent when replaced, after any disclosure naming it, and is kept the audit log's Object
        # Lock retention from then (chalicelib/local/resources.py keeps the same rule on moto).
        self.photos_bucket = self._bucket(
            "PhotosBucket",
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="photos/",
            lifecycle_rules=[s3.LifecycleRule(
                id="KeepReplacedPhotosAsLongAsTheAuditLog",
                noncurrent_version_expiration=Duration.days(self.config.audit_retention_days),
            )],
        )

    # ---- SNS and SQS ---------------------------------------------------------------------

    def _queue(
        self,
        construct_id: str,
        *,
        queue_name: str | None = None,
        visibility_timeout: Duration | None = None,
        dead_letter_queue: sqs.DeadLetterQueue | None = None,
    ) -> sqs.Queue:
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            queue_name=queue_name,
            visibility_timeout=visibility_timeout,
            dead_letter_queue=dead_letter_queue,
        )

    def _messaging(self) -> None:
        self.alerts_topic = sns.Topic(
            self,
            "AlertsTopic",
            display_name=f"Safe Connection alerts ({self.config.force})",
            master_key=self.alerts_key,
            enforce_ssl=True,
        )
        self.timers_dlq = self._queue("TimersDeadLetterQueue")
        self.timers_queue_name = f"safe-connection-{self.config.force}-{self.config.stage}-timers"
        self.timers_queue = self._queue(
            "TimersQueue",
            queue_name=self.timers_queue_name,
            # Several times the function timeout, so a slow run is not delivered twice at once.
            visibility_timeout=Duration.seconds(120),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.timers_dlq, max_receive_count=5),
        )
        # The stream consumer's on-failure destination: batches (shard positions) that failed for good.
        self.stream_failures_queue = self._queue("AuditStreamFailuresQueue")

    def _deploy_time_call(self, construct_id: str, *, on_create: cr.AwsSdkCall,
                          on_update: cr.AwsSdkCall | None = None, on_delete: cr.AwsSdkCall | None = None,
                          statements: list[iam.PolicyStatement]) -> cr.AwsCustomResource:
        """One SDK call made by CloudFormation at deploy time, for settings no resource type covers.

        CDK runs every such call in one provider function; it takes the role (and log group) of
        the first call, so each call passes the same ones and adds only the statements it needs."""
        return cr.AwsCustomResource(
            self,
            construct_id,
            on_create=on_create,
            on_update=on_update,
            on_delete=on_delete,
            role=self.deploy_calls_role,
            install_latest_aws_sdk=False,
            log_group=self.deploy_calls_logs,
            policy=cr.AwsCustomResourcePolicy.from_statements(statements),
        )

    def _sms_log_group(self, construct_id: str, name: str) -> tuple[str, list[cr.AwsCustomResource]]:
        """A log group whose name SNS chooses (sns/<region>/<account>/...), made at deploy time.

        A LogGroup resource would fail the deploy with "already exists" whenever the group is there
        already, e.g. retained by a failed first deploy or created by SNS itself: the create call
        tolerates that, then the retention is set either way. The group is kept on stack delete, as
        the other log groups are. (Construct ids differ from the former LogGroup resources' ones:
        CloudFormation refuses to change a resource's type in place.) Returns the group's ARN and
        the calls, for dependencies."""
        arn = self.format_arn(service="logs", resource="log-group", resource_name=name,
                              arn_format=ArnFormat.COLON_RESOURCE_NAME)
        create = self._deploy_time_call(
            construct_id,
            on_create=cr.AwsSdkCall(
                service="CloudWatchLogs",
                action="createLogGroup",
                parameters={"logGroupName": name},
                physical_resource_id=cr.PhysicalResourceId.of(name),
                ignore_error_codes_matching=EXISTING_LOG_GROUP,
            ),
            statements=[iam.PolicyStatement(sid="CreateSmsLogGroup", actions=["logs:CreateLogGroup"], resources=[arn])],
        )
        retention = cr.AwsSdkCall(
            service="CloudWatchLogs",
            action="putRetentionPolicy",
            parameters={"logGroupName": name, "retentionInDays": self.config.log_retention_days},
            physical_resource_id=cr.PhysicalResourceId.of(f"{name}:retention"),
        )
        keep = self._deploy_time_call(
            f"{construct_id}Retention",
            on_create=retention,
            on_update=retention,
            statements=[
                iam.PolicyStatement(sid="SetSmsLogRetention", actions=["logs:PutRetentionPolicy"], resources=[arn])
            ],
        )
        keep.node.add_dependency(create)
        return arn, [create, keep]

    def _sms_settings(self) -> None:
        """Account SMS settings (no CloudFormation resource exists): Transactional, spend limit,
        sender id and delivery-status logging (into the two groups SNS names), set at deploy time."""
        self.deploy_calls_role, self.deploy_calls_logs = self._lambda_role(
            "SmsSettings",
            "Deploy-time calls: the account's SMS attributes, delivery-status log groups "
            "and default protect configuration",
        )
        prefix = f"sns/{self.region}/{self.account}/DirectPublishToPhoneNumber"
        delivery_arn, delivery_calls = self._sms_log_group("SmsDeliveryLogGroup", prefix)
        failure_arn, failure_calls = self._sms_log_group("SmsFailureLogGroup", f"{prefix}/Failure")
        self.sms_delivery_role = iam.Role(
            self,
            "SmsDeliveryStatusRole",
            assumed_by=iam.ServicePrincipal("sns.amazonaws.com"),
            description="SNS writes SMS delivery status (success and failure) to CloudWatch Logs",
            inline_policies={
                "delivery-status-logs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            sid="WriteSmsDeliveryStatus",
                            actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            resources=[f"{arn}:*" for arn in (delivery_arn, failure_arn)],
                        )
                    ]
                )
            },
        )
        attributes = {
            "DefaultSMSType": "Transactional",
            "MonthlySpendLimit": str(self.config.sms_monthly_spend_limit_usd),
            "DefaultSenderID": self.config.sms_sender_id,
            "DeliveryStatusIAMRole": self.sms_delivery_role.role_arn,
            "DeliveryStatusSuccessSamplingRate": "100",
        }
        call = cr.AwsSdkCall(
            service="SNS",
            action="setSMSAttributes",
            parameters={"attributes": attributes},
            physical_resource_id=cr.PhysicalResourceId.of(f"safe-connection-sms-{self.config.force}"),
        )
        self.sms_settings = self._deploy_time_call(
            "SmsSettings",
            on_create=call,
            on_update=call,
            statements=[
                # SetSMSAttributes is account-wide: IAM has no resource for it.
                iam.PolicyStatement(sid="SetSmsAttributes", actions=["sns:SetSMSAttributes"], resources=["*"]),
                iam.PolicyStatement(
                    sid="PassDeliveryStatusRole",
                    actions=["iam:PassRole"],
                    resources=[self.sms_delivery_role.role_arn],
                ),
            ],
        )
        # SNS starts logging delivery status as soon as this call succeeds: the groups come first.
        for group_call in delivery_calls + failure_calls:
            self.sms_settings.node.add_dependency(group_call)
        self.sms_settings_role = self.deploy_calls_role
        # CDK's provider function both references its role and depends on it (cfn-lint W3005).
        provider = self.node.find_child(_CUSTOM_RESOURCE_PROVIDER_ID).node.default_child
        if not isinstance(provider, CfnResource):
            raise TypeError(f"expected the custom resource provider's function, found {provider!r}")
        provider.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})

    def _sms_protect(self) -> None:
        """SMS to UK numbers only: an account-default protect configuration (the only kind SNS
        applies) allowing GB and blocking every other country. Countries a configuration does not
        list are allowed, so each is listed; a sergeant's number abroad (or a number typed wrong)
        is refused instead of paid for, and SMS pumping to premium destinations cannot run up the
        bill. Jersey, Guernsey and the Isle of Man (JE, GG, IM) have their own forces: blocked."""
        rules = [
            smsvoice.CfnProtectConfiguration.CountryRuleProperty(
                country_code=code, protect_status="ALLOW" if code in SMS_COUNTRIES else "BLOCK"
            )
            for code in iso3166.ALPHA_2
        ]
        self.sms_protect = smsvoice.CfnProtectConfiguration(
            self,
            "SmsProtectConfiguration",
            country_rule_set=smsvoice.CfnProtectConfiguration.CountryRuleSetProperty(sms=rules),
            # The console shows a protect configuration's Name tag as its name.
            tags=[CfnTag(key="Name", value=f"safe-connection-{self.config.force}-{self.config.stage}")],
        )
        make_default = cr.AwsSdkCall(
            service="PinpointSMSVoiceV2",
            action="setAccountDefaultProtectConfiguration",
            parameters={"ProtectConfigurationId": self.sms_protect.attr_protect_configuration_id},
            physical_resource_id=cr.PhysicalResourceId.of(f"safe-connection-sms-protect-{self.config.force}"),
        )
        self.sms_protect_default = self._deploy_time_call(
            "SmsProtectDefault",
            on_create=make_default,
            on_update=make_default,
            # Before CloudFormation deletes the configuration (nothing to do if none is set).
            on_delete=cr.AwsSdkCall(
                service="PinpointSMSVoiceV2",
                action="deleteAccountDefaultProtectConfiguration",
                ignore_error_codes_matching="ResourceNotFoundException",
            ),
            statements=[
                iam.PolicyStatement(sid="SetDefaultProtectConfiguration",
                                    actions=["sms-voice:SetAccountDefaultProtectConfiguration"],
                                    resources=[self.sms_protect.attr_arn]),
                # DeleteAccountDefaultProtectConfiguration has no resource in IAM.
                iam.PolicyStatement(sid="RemoveDefaultProtectConfiguration",
                                    actions=["sms-voice:DeleteAccountDefaultProtectConfiguration"],
                                    resources=["*"]),
            ],
        )
        # No SMS settings (and so no texts) before the country rules apply.
        self.sms_settings.node.add_dependency(self.sms_protect_default)

    def _lambda_role(self, name: str, description: str) -> tuple[iam.Role, logs.LogGroup]:
        """A function's own role and log group (with retention); the role may write only there."""
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=self.log_retention, removal_policy=RemovalPolicy.RETAIN
        )
        role = iam.Role(
            self, f"{name}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="OwnLogGroup",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        return role, log_group

    # ---- Cognito -------------------------------------------------------------------------

    def _user_pool(self) -> None:
        federation = self.config.federation
        custom_attributes = {
            # Set by the force's admins; users can never change their own force or number.
            "force": cognito.StringAttribute(min_len=2, max_len=32, mutable=False),
            "officer_id": cognito.StringAttribute(min_len=1, max_len=32, mutable=False),
        }
        if federation:
            # Mapped from the provider, so mutable (see FEDERATED_OFFICER_ID), and as long as Cognito
            # advises for a mapped attribute: a longer value would fail the sign-in with an error.
            custom_attributes[FEDERATED_OFFICER_ID] = cognito.StringAttribute(min_len=1, max_len=2048, mutable=True)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"safe-connection-{self.config.force}-{self.config.stage}",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            custom_attributes=custom_attributes,
            # Cognito cannot require MFA per group; required for every user (sergeants and
            # admins included), TOTP only so no SMS bill and no SIM-swap exposure. (A federated
            # sign-in is authenticated by the force's provider, which must require MFA itself.)
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            # chalicelib/domain/passwords.py states the same policy for the local pool and the pages
            # (tests/infra holds this template to it).
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            # "Forgotten password?" on the staff pages: a code to the verified email the registry
            # import sets. A new password alone signs nobody in: the TOTP code is still asked for.
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for role in ("officer", "sergeant", "admin", "auditor", "control_room"):
            cognito.CfnUserPoolGroup(
                self,
                f"Group{role.title().replace('_', '')}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=role,
                description=f"Safe Connection role: {role}",
            )
        self.identity_provider: (
            cognito.UserPoolIdentityProviderSaml | cognito.UserPoolIdentityProviderOidc | None
        ) = None
        self.sign_in_domain: cognito.UserPoolDomain | None = None
        federated_client: _FederatedClient = self._federated_sign_in(federation) if federation else {}
        self.user_pool_client = self.user_pool.add_client(
            "AppClient",
            # The staff pages sign in with USER_PASSWORD_AUTH (over TLS, straight to Cognito); SRP for other clients.
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(12),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(phone_number=True)
            .with_custom_attributes("force", "officer_id"),
            **federated_client,
        )
        if self.identity_provider:
            # CloudFormation would otherwise create the client first, naming a provider not there yet.
            self.user_pool_client.node.add_dependency(self.identity_provider)

    def _federated_sign_in(self, federation: Federation) -> _FederatedClient:
        """The force's own identity provider, the Cognito domain it answers to, and the app client's
        OAuth settings (returned, for the client). Mapped: the warrant number (to link the sign-in to
        the registry's user, see FEDERATED_OFFICER_ID) and optionally the email address, nothing
        else: the group (the role) and custom:force come from the registry's user alone."""
        mapping = cognito.AttributeMapping(
            email=cognito.ProviderAttribute.other(federation.email_claim) if federation.email_claim else None,
            custom={f"custom:{FEDERATED_OFFICER_ID}": cognito.ProviderAttribute.other(federation.officer_id_claim)},
        )
        if isinstance(federation, SamlFederation):
            self.identity_provider = cognito.UserPoolIdentityProviderSaml(
                self,
                "IdentityProvider",
                user_pool=self.user_pool,
                name=federation.name,
                metadata=cognito.UserPoolIdentityProviderSamlMetadata.url(federation.metadata_url),
                # Sign-ins start here (SP-initiated, with a request Cognito can match), never at the provider.
                idp_initiated=False,
                attribute_mapping=mapping,
            )
        else:
            self.identity_provider = cognito.UserPoolIdentityProviderOidc(
                self,
                "IdentityProvider",
                user_pool=self.user_pool,
                name=federation.name,
                issuer_url=federation.issuer_url,
                client_id=federation.client_id,
                # A dynamic reference: CloudFormation reads the secret at deploy time; the template
                # (and cdk.out) only ever hold its ARN.
                client_secret=SecretValue.secrets_manager(federation.client_secret_arn).unsafe_unwrap(),
                # The standard set (some providers release their extra claims with profile only);
                # Cognito keeps only the mapped claims.
                scopes=["openid", "email", "profile"],
                attribute_request_method=cognito.OidcAttributeRequestMethod.GET,
                attribute_mapping=mapping,
            )
        domain_prefix = self.config.sign_in_domain_prefix
        if domain_prefix is None:  # not reached: a force with a federation always has one
            raise ValueError(f"{self.config.force}: federated sign-in without a Cognito domain prefix")
        self.sign_in_domain = self.user_pool.add_domain(
            "SignInDomain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix),
            # The pages send staff straight to the force's provider (identity_provider=<name>), so
            # no Cognito sign-in page is shown; the newer managed login would need branding too.
            managed_login_version=cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
        )
        pages = [f"{self.config.public_base_url}{path}" for path in STAFF_PAGES]
        writable = cognito.ClientAttributes().with_custom_attributes(FEDERATED_OFFICER_ID)
        if federation.email_claim:
            writable = writable.with_standard_attributes(email=True)
        return {
            # The force's provider only: pool passwords still work through the API (the pages' current
            # sign-in, break-glass admins), but the Cognito sign-in page offers nothing else.
            "supported_identity_providers": [cognito.UserPoolClientIdentityProvider.custom(federation.name)],
            "o_auth": cognito.OAuthSettings(
                # Authorization code only: tokens never travel in a URL. The client has no secret (a
                # browser cannot keep one), so the pages must add PKCE; Cognito does not insist on it.
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                # The ID token with the readable attributes; no aws.cognito.signin.user.admin, so an
                # OAuth access token cannot change the user's own attributes.
                scopes=[cognito.OAuthScope.OPENID],
                callback_urls=pages,
                logout_urls=pages,
            ),
            # Cognito must be able to write what it maps (and, being set, no other attribute is writable).
            "write_attributes": writable,
        }

    # ---- the Chalice app -----------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        """Every variable chalicelib/settings.py reads (tests check none is missing)."""
        c, t = self.config, self.config.timings
        issuer = self.user_pool.user_pool_provider_url
        return {
            "POWERTOOLS_SERVICE_NAME": "safe-connection",
            "POWERTOOLS_METRICS_NAMESPACE": "SafeConnection",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "REGION": self.region,
            "VERIFICATIONS_TABLE": self.verifications_table.table_name,
            "REGISTRY_TABLE": self.registry_table.table_name,
            "IDEMPOTENCY_TABLE": self.idempotency_table.table_name,
            "AUDIT_BUCKET": self.audit_bucket.bucket_name,
            "PHOTOS_BUCKET": self.photos_bucket.bucket_name,
            "ALERTS_TOPIC_ARN": self.alerts_topic.topic_arn,
            "TOKEN_ISSUER": issuer,
            "TOKEN_AUDIENCE": self.user_pool_client.user_pool_client_id,
            "USER_POOL_ID": self.user_pool.user_pool_id,
            "JWKS_URL": Fn.join("", [issuer, "/.well-known/jwks.json"]),
            # Where the sergeant and officer pages sign in from the browser (USER_PASSWORD_AUTH).
            "COGNITO_ENDPOINT_URL": f"https://cognito-idp.{self.region}.amazonaws.com/",
            # The issuer of the TOTP entry staff add to their authenticator app at first sign-in.
            "AUTHENTICATOR_LABEL": c.display_name,
            "PUBLIC_BASE_URL": c.public_base_url,
            # The officer's page shows it as text for the citizen to type (SPEC §7.4).
            "CITIZEN_SITE": c.domain_name,
            # One force per stack: a citizen's request by officer number is looked up in it only.
            "SERVED_FORCES": c.force,
            "DEFAULT_LANGUAGE": c.default_language,
            "SMS_SENDER_ID": c.sms_sender_id,
            "CHIME_MEDIA_REGION": c.chime_media_region,
            "CHIME_BACKEND": "aws",
            "PHOTO_URL_SECONDS": "300",
            "PUBLIC_VIEW_HOURS": "24",
            "IDEMPOTENCY_SECONDS": "3600",
            "AUDIT_SIGNING_KEY_ID": self.audit_signing_key.key_arn,
            "AUDIT_DATA_KEY_ID": self.audit_data_key.key_arn,
            "PERSONAL_DATA_RETENTION_DAYS": str(c.personal_data_retention_days),
            # Scheduled runs stop well inside the 20 s function timeout; the next run continues.
            "ERASURE_BUDGET_SECONDS": "12",
            "ERASURE_MAX_CHECKS_PER_RUN": "2000",
            "AUDIT_RECONCILE_AFTER_SECONDS": "300",
            "AUDIT_RECONCILE_BUDGET_SECONDS": "12",
            "AUDIT_RECONCILE_MAX_CHAINS": "2000",
            "AUDIT_RETENTION_DAYS": str(c.audit_retention_days),
            "TIMERS_QUEUE_URL": self.timers_queue.queue_url,
            "WAVE_SIZE": str(t.wave_size),
            "WAVE_INTERVAL_SECONDS": str(t.wave_interval_seconds),
            "ANSWER_TIMEOUT_SECONDS": str(t.answer_timeout_seconds),
            "DECISION_TIMEOUT_SECONDS": str(t.decision_timeout_seconds),
            "MAX_STARTS_PER_HOUR": str(t.max_starts_per_hour),
            "PUBLIC_VIEWS_PER_MINUTE": str(t.public_views_per_minute),
            "CHECK_REQUESTS_PER_ADDRESS": "6",
            # The secret's ARN, never its value (RATE_LIMIT_KEY is for local runs and tests only).
            "RATE_LIMIT_KEY_SECRET_ARN": self.rate_limit_key.secret_arn,
            # Web Push to sergeants' pages (adapters/web_push.py): read on the first wave with a push.
            "PUSH_KEY_SECRET_ARN": self.push_key.secret_arn,
            "PUSH_SERVICES": ",".join(KNOWN_PUSH_SERVICES),
            "PUSH_CONTACT": c.public_base_url,  # VAPID's contact: the force's own site
            "PUSH_GRACE_SECONDS": str(PUSH_GRACE_SECONDS),
            # SPEC §7.2 allows a registry answer to be trusted for at most a minute.
            "REGISTRY_CACHE_SECONDS": "60",
            # No pydantic plugins are used: without this, the first model's validator scans every
            # installed distribution's entry points (~30 ms of each cold start, issue 17).
            "PYDANTIC_DISABLE_PLUGINS": "__all__",
        }

    def _event_source_environment(self) -> dict[str, str]:
        """Variables app.py reads at import to name its event sources.

        They are set on the functions after packaging, never while packaging: Python imports app.py
        once per process, so a value seen then (a CDK token of another force's app) would stick.
        The event sources themselves are overridden with the real stream and queue below."""
        return {
            "TIMERS_QUEUE_NAME": self.timers_queue_name,
            "VERIFICATIONS_STREAM_ARN": self._verifications_stream_arn,
        }

    @property
    def _verifications_stream_arn(self) -> str:
        """The verifications table's stream (the audit copier's event source; the table has one)."""
        arn = self.verifications_table.table_stream_arn
        if arn is None:
            raise ValueError("the verifications table has no stream")
        return arn

    def _app(self, build_dir: Path, bundle_dependencies: bool) -> None:
        source = stage_app_source(build_dir / "app", bundle_dependencies=bundle_dependencies)
        resources = permissions.AppResources(
            verifications_table_arn=self.verifications_table.table_arn,
            verifications_stream_arn=self._verifications_stream_arn,
            registry_table_arn=self.registry_table.table_arn,
            idempotency_table_arn=self.idempotency_table.table_arn,
            audit_bucket_arn=self.audit_bucket.bucket_arn,
            photos_bucket_arn=self.photos_bucket.bucket_arn,
            alerts_topic_arn=self.alerts_topic.topic_arn,
            alerts_key_arn=self.alerts_key.key_arn,
            timers_queue_arn=self.timers_queue.queue_arn,
            stream_failures_queue_arn=self.stream_failures_queue.queue_arn,
            audit_data_key_arn=self.audit_data_key.key_arn,
            audit_signing_key_arn=self.audit_signing_key.key_arn,
            user_pool_arn=self.user_pool.user_pool_arn,
            rate_limit_key_arn=self.rate_limit_key.secret_arn,
            push_key_arn=self.push_key.secret_arn,
        )
        self.function_roles: dict[str, iam.Role] = {}
        self.function_log_groups: dict[str, logs.LogGroup] = {}
        for name, statements in permissions.FUNCTION_POLICIES.items():
            role, log_group = self._lambda_role(name, f"Safe Connection {name}: only what this function does")
            for statement in statements(self, resources):
                role.add_to_policy(statement)
            self.function_roles[name] = role
            self.function_log_groups[name] = log_group

        stage_config = {
            "api_gateway_stage": API_STAGE,
            "api_gateway_endpoint_type": "REGIONAL",
            "manage_iam_role": False,
            # Replaced per function below; Chalice needs one to package without a policy file.
            "iam_role_arn": self.function_roles["APIHandler"].role_arn,
            "lambda_memory_size": 512,
            "lambda_timeout": 20,
            "xray": False,
            "environment_variables": self._environment(),
        }
        with packaging_scope(build_dir):
            self.chalice = ChaliceWithBytecode(self, "App", source_dir=str(source), stage_config=stage_config,
                                               runtime=LAMBDA_RUNTIME)

        for name, role in self.function_roles.items():
            function = self.chalice.get_resource(name)
            function.add_property_override("Role", role.role_arn)
            function.add_property_override("Runtime", LAMBDA_RUNTIME)
            function.add_property_override("LoggingConfig", {"LogGroup": self.function_log_groups[name].log_group_name})
            for key, value in self._event_source_environment().items():
                function.add_property_override(f"Environment.Variables.{key}", value)

        # Event sources: the real stream and queue (Chalice's decorators only know names).
        consumer = self.chalice.get_resource("CopyAuditEventsToS3")
        stream_event = "Events.CopyAuditEventsToS3DynamodbEventSource.Properties"
        consumer.add_property_override(f"{stream_event}.Stream", self.verifications_table.table_stream_arn)
        consumer.add_property_override(f"{stream_event}.BisectBatchOnFunctionError", True)
        consumer.add_property_override(f"{stream_event}.MaximumRetryAttempts", STREAM_MAX_RETRY_ATTEMPTS)
        consumer.add_property_override(f"{stream_event}.MaximumRecordAgeInSeconds", STREAM_MAX_RECORD_AGE_SECONDS)
        consumer.add_property_override(
            f"{stream_event}.DestinationConfig",
            {"OnFailure": {"Type": "SQS", "Destination": self.stream_failures_queue.queue_arn}},
        )
        timers = self.chalice.get_resource("RunTimers")
        timers_event = "Events.RunTimersSqsEventSource.Properties"
        timers.add_property_override(f"{timers_event}.Queue", self.timers_queue.queue_arn)
        self._reserve_concurrency(timers, consumer, f"{timers_event}.ScalingConfig")

    def _reserve_concurrency(self, timers: CfnResource, consumer: CfnResource, timers_scaling: str) -> None:
        """Concurrency of their own for the timers and the audit copier (see ReservedConcurrency).

        The timers queue invokes at most as many functions as are reserved: more pollers than that
        would be throttled, and every throttled receive brings a message nearer the DLQ."""
        reserved = self.config.reserved_concurrency
        timers.add_property_override("ReservedConcurrentExecutions", reserved.timers)
        timers.add_property_override(timers_scaling, {"MaximumConcurrency": reserved.timers})
        consumer.add_property_override("ReservedConcurrentExecutions", reserved.audit_copier)

    # ---- API Gateway: throttling, access logs, WAF ---------------------------------------

    def _api_protection(self) -> None:
        api = self.chalice.get_resource("RestAPI")
        self.api_access_logs = logs.LogGroup(
            self, "ApiAccessLogs", retention=self.log_retention, removal_policy=RemovalPolicy.RETAIN
        )
        api.add_property_override(
            "AccessLogSetting",
            {
                "DestinationArn": self.api_access_logs.log_group_arn,
                # No body, no query string, no Authorization header: ids, status, timings only.
                "Format": apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=False,
                ).to_string(),
            },
        )
        api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": self.config.api.rate_limit_per_second,
                    "ThrottlingBurstLimit": self.config.api.burst_limit,
                    "MetricsEnabled": True,
                    # Errors only, never request/response bodies (locations, tokens).
                    "LoggingLevel": "ERROR",
                    "DataTraceEnabled": False,
                }
            ],
        )
        # API Gateway writes logs through one role per account and region.
        gateway_logs_role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway (account setting) writes access and error logs",
        )
        gateway_logs_role.add_to_policy(
            iam.PolicyStatement(
                sid="ApiGatewayLogs",
                actions=[
                    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
                ],
                resources=[self.format_arn(service="logs", resource="log-group", resource_name="*",
                                           arn_format=ArnFormat.COLON_RESOURCE_NAME)],
            )
        )
        self.gateway_logs_role = gateway_logs_role
        gateway_account = apigw.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=gateway_logs_role.role_arn)
        api.node.add_dependency(gateway_account)

        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("safe-connection-waf"),
            rules=[
                _rate_rule("PublicRoutesRateLimit", 0, self.config.api.public_requests_per_5_minutes_per_ip,
                           scope_down=_public_routes()),
                _rate_rule("AllRoutesRateLimit", 1, 10 * self.config.api.public_requests_per_5_minutes_per_ip),
                _managed_rule("AWSManagedRulesAmazonIpReputationList", 2),
                _managed_rule("AWSManagedRulesCommonRuleSet", 3),
                _managed_rule("AWSManagedRulesKnownBadInputsRuleSet", 4),
            ],
        )
        # `RestAPI.Stage` is SAM's reference to the stage it generates.
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            web_acl_arn=self.web_acl.attr_arn,
            resource_arn=Fn.sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${RestAPI.Stage}"
            ),
        )
        waf_logs = logs.LogGroup(
            self,
            "WafLogs",
            log_group_name=Fn.join("-", [
                f"aws-waf-logs-safe-connection-{self.config.force}-{self.config.stage}", self._stack_instance_suffix(),
            ]),
            retention=self.log_retention,
            removal_policy=RemovalPolicy.RETAIN,
        )
        wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[
                Fn.select(0, Fn.split(":*", waf_logs.log_group_arn)),
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"}),
            ],
        )

    def _stack_instance_suffix(self) -> str:
        """The first 8 hex digits of this stack's own id (a new UUID for each stack created).

        A log group kept (RETAIN) after a failed first deploy keeps the old suffix, so deploying
        again does not collide with it."""
        stack_uuid = Fn.select(2, Fn.split("/", self.stack_id))
        return Fn.select(0, Fn.split("-", stack_uuid))

    # ---- the force's domain ---------------------------------------------------------------

    def _custom_domain(self) -> None:
        """The force's host name in front of the API, so SMS links https://<domain>/s/<id> work.

        Regional (as the API), TLS 1.2 at least, with the force's ACM certificate of this region;
        the `api` stage is mapped at the root, so paths are the app's own. With a hosted zone, the
        alias A record too; otherwise the force points its DNS at the `CustomDomainTarget` output."""
        c = self.config
        self.custom_domain = apigw.CfnDomainName(
            self,
            "CustomDomain",
            domain_name=c.domain_name,
            regional_certificate_arn=c.certificate_arn,
            endpoint_configuration=apigw.CfnDomainName.EndpointConfigurationProperty(types=["REGIONAL"]),
            security_policy=apigw.SecurityPolicy.TLS_1_2.value,
        )
        # `RestAPI.Stage` is SAM's reference to the stage it generates (and a dependency on it).
        apigw.CfnBasePathMapping(
            self,
            "CustomDomainMapping",
            domain_name=self.custom_domain.ref,
            rest_api_id=self.chalice.get_resource("RestAPI").ref,
            stage=Fn.sub("${RestAPI.Stage}"),
        )
        if c.hosted_zone_id:
            route53.CfnRecordSet(
                self,
                "CustomDomainRecord",
                hosted_zone_id=c.hosted_zone_id,
                name=c.domain_name,
                type="A",
                alias_target=route53.CfnRecordSet.AliasTargetProperty(
                    dns_name=self.custom_domain.attr_regional_domain_name,
                    hosted_zone_id=self.custom_domain.attr_regional_hosted_zone_id,
                ),
            )

    # ---- alarms --------------------------------------------------------------------------

    def _alarm(self, construct_id: str, metric: cloudwatch.Metric, threshold: float, description: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.alerts_topic))

    def _alarms(self) -> None:
        five_minutes = Duration.minutes(5)
        self._alarm(
            "Api5xxAlarm",
            cloudwatch.Metric(
                namespace="AWS/ApiGateway", metric_name="5XXError", statistic="Sum", period=five_minutes,
                dimensions_map={"ApiName": API_NAME, "Stage": API_STAGE},
            ),
            5,
            "The API answered 5xx at least 5 times in 5 minutes",
        )
        for name in permissions.FUNCTION_POLICIES:
            self._alarm(
                f"{name}ErrorsAlarm",
                cloudwatch.Metric(
                    namespace="AWS/Lambda", metric_name="Errors", statistic="Sum", period=five_minutes,
                    dimensions_map={"FunctionName": self.chalice.get_resource(name).ref},
                ),
                1,
                f"{name} failed (for the stream consumer: audit events are not reaching S3)",
            )
        self._alarm(
            "AuditStreamIteratorAgeAlarm",
            cloudwatch.Metric(
                namespace="AWS/Lambda", metric_name="IteratorAge", statistic="Maximum", period=five_minutes,
                dimensions_map={"FunctionName": self.chalice.get_resource("CopyAuditEventsToS3").ref},
            ),
            STREAM_ITERATOR_AGE_ALARM_MS,
            "Audit events are more than 5 minutes behind on their way to S3",
        )
        for construct_id, queue in (
            ("TimersDlqDepthAlarm", self.timers_dlq),
            ("AuditStreamFailuresDepthAlarm", self.stream_failures_queue),
        ):
            self._alarm(
                construct_id,
                queue.metric_approximate_number_of_messages_visible(period=five_minutes, statistic="Maximum"),
                1,
                "Messages that failed for good are waiting: investigate and replay",
            )
        self._alarm(
            "SmsFailuresAlarm",
            cloudwatch.Metric(
                namespace="AWS/SNS", metric_name="NumberOfNotificationsFailed", statistic="Sum",
                period=five_minutes, dimensions_map={"PhoneNumber": "PhoneNumberDirect"},
            ),
            3,
            "SMS to sergeants are failing (spend limit reached, sandbox, or carrier errors)",
        )

    # ---- outputs -------------------------------------------------------------------------

    def _outputs(self) -> None:
        CfnOutput(self, "ApiUrl", value=Fn.sub(
            "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + API_STAGE + "/"
        ))
        CfnOutput(self, "PublicUrl", value=self.config.public_base_url,
                  description="The force's address of the service: SMS links and the citizen URL")
        CfnOutput(self, "CustomDomainTarget", value=self.custom_domain.attr_regional_domain_name,
                  description="Point the force's DNS name here (alias or CNAME) when it is not in Route 53")
        CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        if self.identity_provider and self.sign_in_domain:
            self._federation_outputs()
        CfnOutput(self, "AuditBucketName", value=self.audit_bucket.bucket_name)
        CfnOutput(self, "PhotosBucketName", value=self.photos_bucket.bucket_name)
        # What `registry import` run against AWS needs (with UserPoolId and PhotosBucketName).
        CfnOutput(self, "RegistryTableName", value=self.registry_table.table_name)
        CfnOutput(self, "VerificationsTableName", value=self.verifications_table.table_name)
        CfnOutput(self, "AlertsTopicArn", value=self.alerts_topic.topic_arn)

    def _federation_outputs(self) -> None:
        """What the force's identity-provider administrators and the registry import need."""
        if not (self.identity_provider and self.sign_in_domain and self.config.federation):
            raise AssertionError("federation outputs need the identity provider, the sign-in domain and the federation")
        base = self.sign_in_domain.base_url()
        CfnOutput(self, "SignInDomain", value=base,
                  description="The user pool's Cognito domain (sign-in starts at <this>/oauth2/authorize)")
        CfnOutput(self, "IdentityProviderName", value=self.identity_provider.provider_name,
                  description="identity_provider=<this> on /oauth2/authorize; ProviderName when linking users")
        CfnOutput(self, "FederatedLinkAttribute", value=f"custom:{FEDERATED_OFFICER_ID}",
                  description="ProviderAttributeName for AdminLinkProviderForUser (value: the warrant number)")
        if isinstance(self.config.federation, SamlFederation):
            CfnOutput(self, "SamlEntityId", value=Fn.join("", ["urn:amazon:cognito:sp:", self.user_pool.user_pool_id]),
                      description="Identifier (Entity ID) of the force's enterprise application")
            CfnOutput(self, "SamlReplyUrl", value=Fn.join("", [base, "/saml2/idpresponse"]),
                      description="Reply URL (Assertion Consumer Service URL) of the force's enterprise application")
        else:
            CfnOutput(self, "OidcRedirectUri", value=Fn.join("", [base, "/oauth2/idpresponse"]),
                      description="Redirect URI to register with the force's OpenID Connect provider")


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _path_contains(text: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint="CONTAINS",
            search_string=text,
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")],
        )
    )


def _public_routes() -> wafv2.CfnWebACL.StatementProperty:
    """The unauthenticated routes: the citizen's JSON view and pages (by reference)."""
    return wafv2.CfnWebACL.StatementProperty(
        or_statement=wafv2.CfnWebACL.OrStatementProperty(
            statements=[_path_contains("/public/"), _path_contains("/v/"), _path_contains("/verify")]
        )
    )


def _rate_rule(name: str, priority: int, limit: int,
               scope_down: wafv2.CfnWebACL.StatementProperty | None = None) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit, aggregate_key_type="IP", scope_down_statement=scope_down
            )
        ),
        visibility_config=_visibility(name),
    )


def _managed_rule(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name
            )
        ),
        visibility_config=_visibility(name),
    )
