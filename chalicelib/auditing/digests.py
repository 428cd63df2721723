"""Writing the daily signed digest for one force and day (scheduled, or `audit digest` on demand)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ..domain import digest as d

LOOKBACK_DAYS = 31


class DigestExists(Exception):
    """That digest key is already in the bucket (digests are written once, never replaced)."""


def read_object(s3: Any, bucket: str, key: str) -> bytes | None:
    try:
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            return None
        raise


def latest_digest_key(s3: Any, bucket: str, force: str, day: date) -> str | None:
    """The newest digest of that day or, failing that, of the closest earlier day (within the lookback)."""
    for back in range(0, LOOKBACK_DAYS + 1):
        prefix = d.digest_prefix(force, day - timedelta(days=back))
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        keys: list[str] = [o["Key"] for page in pages for o in page.get("Contents", [])]
        if keys:
            return max(keys, key=lambda k: k.rsplit("/", 1)[1])  # by creation time in the name
    return None


def previous_digest(s3: Any, bucket: str, force: str, day: date) -> tuple[str | None, str]:
    key = latest_digest_key(s3, bucket, force, day)
    body = read_object(s3, bucket, key) if key else None
    return (key, d.object_hash(body)) if body is not None else (None, d.GENESIS)


def write_digest(
    s3: Any, bucket: str, index: Any, signer: Any, force: str, day: date, now: datetime
) -> tuple[str, dict[str, Any]]:
    """Sign and store the digest of everything written for `force` on `day` so far."""
    key = d.digest_key(force, day, now)
    previous_key, previous_hash = previous_digest(s3, bucket, force, day)
    document = d.unsigned_digest(
        force, day, index.written(force, day.isoformat()), previous_key, previous_hash, signer.key_id, now
    )
    document = d.with_signature(document, signer.sign(d.message_digest(document)))
    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=d.canonical(document),
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",
            IfNoneMatch="*",
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
            raise DigestExists(key) from None
        raise
    return key, document
