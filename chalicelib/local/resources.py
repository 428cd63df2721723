"""Create the AWS resources the app needs (tables, buckets, topic, queue) on moto.

Used by the `make run` stack and by the tests, so both run against the same definitions.
The CDK stack in infra/ declares the same tables, keys, indexes and stream for AWS.
"""

from __future__ import annotations

from typing import Any

from ..settings import Settings

AUDIT_RETENTION_DAYS = 7 * 365


def create_tables(dynamodb: Any, settings: Settings) -> None:
    dynamodb.create_table(
        TableName=settings.verifications_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "gsi1pk", "AttributeType": "S"},
            {"AttributeName": "gsi1sk", "AttributeType": "S"},
            {"AttributeName": "awaiting_copy", "AttributeType": "S"},
            {"AttributeName": "recorded_at", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_force_status",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                # The outbox events not yet in S3 (adapters/audit_outbox.py): keys and S3 key only.
                "IndexName": "audit_awaiting_copy",
                "KeySchema": [
                    {"AttributeName": "awaiting_copy", "KeyType": "HASH"},
                    {"AttributeName": "recorded_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["audit_key"]},
            },
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    dynamodb.create_table(
        TableName=settings.registry_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "force", "AttributeType": "S"},
            {"AttributeName": "officer_id", "AttributeType": "S"},
            {"AttributeName": "available_in_force", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "force", "KeyType": "HASH"},
            {"AttributeName": "officer_id", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "available_sergeants",
                "KeySchema": [
                    {"AttributeName": "available_in_force", "KeyType": "HASH"},
                    {"AttributeName": "officer_id", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    dynamodb.create_table(
        TableName=settings.idempotency_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    dynamodb.update_time_to_live(
        TableName=settings.idempotency_table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )


def create_buckets(s3: Any, settings: Settings, retention_days: int = AUDIT_RETENTION_DAYS) -> None:
    location = {"LocationConstraint": settings.region}
    s3.create_bucket(
        Bucket=settings.audit_bucket,
        CreateBucketConfiguration=location,
        ObjectLockEnabledForBucket=True,
    )
    s3.put_object_lock_configuration(
        Bucket=settings.audit_bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": retention_days}},
        },
    )
    s3.create_bucket(Bucket=settings.photos_bucket, CreateBucketConfiguration=location)
    # Versioned as in AWS: a changed registry photo is a new version, the one shown is named by its id.
    s3.put_bucket_versioning(Bucket=settings.photos_bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(
        Bucket=settings.photos_bucket, LifecycleConfiguration={"Rules": [photo_versions_rule(retention_days)]}
    )


def photo_versions_rule(retention_days: int) -> dict[str, Any]:
    """Replaced photos are kept as long as the audit log that names them (SPEC §7.5): a version
    becomes noncurrent when it is replaced, after the last disclosure that could name it, so keeping
    it `retention_days` from then outlasts every locked audit object pointing at it."""
    return {
        "ID": "KeepReplacedPhotosAsLongAsTheAuditLog",
        "Status": "Enabled",
        "Filter": {},
        "NoncurrentVersionExpiration": {"NoncurrentDays": retention_days},
    }


def create_alerts(sns: Any, sqs: Any, topic_name: str, queue_name: str) -> tuple[str, str]:
    """The control-room topic, and a queue subscribed to it so alerts can be read locally."""
    topic_arn = sns.create_topic(Name=topic_name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return topic_arn, queue_url


def create_timers_queue(sqs: Any, queue_name: str) -> str:
    """Escalation timers: messages delayed per message with DelaySeconds (SPEC §3 escalation)."""
    queue_url: str = sqs.create_queue(QueueName=queue_name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    return queue_url


def create_signing_key(kms: Any) -> str:
    """The asymmetric key that signs daily audit digests (RSASSA_PSS_SHA_256)."""
    metadata = kms.create_key(
        KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY", Description="Safe Connection audit digest signing"
    )["KeyMetadata"]
    arn: str = metadata["Arn"]
    return arn


def create_data_key(kms: Any) -> str:
    """The symmetric key that wraps each verification's data key (envelope encryption)."""
    arn: str = kms.create_key(Description="Safe Connection audit personal data")["KeyMetadata"]["Arn"]
    return arn


def create_push_key(secretsmanager: Any, name: str = "safe-connection-push-key") -> str:
    """The Web Push key (adapters/web_push.py), generated as the CDK stack generates it; its ARN."""
    import secrets

    arn: str = secretsmanager.create_secret(Name=name, SecretString=secrets.token_urlsafe(48))["ARN"]
    return arn


def create_rate_limit_key(secretsmanager: Any, name: str = "safe-connection-rate-limit-key") -> str:
    """The public rate limits' HMAC key, made fresh for this stack as the CDK stack makes it in AWS
    (a generated Secrets Manager secret); returns the secret's ARN (RATE_LIMIT_KEY_SECRET_ARN)."""
    import secrets

    arn: str = secretsmanager.create_secret(Name=name, SecretString=secrets.token_urlsafe(48))["ARN"]
    return arn
