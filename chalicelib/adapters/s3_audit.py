"""S3: the audit log (each event one object, written once, never overwritten) and registry photos."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError


class S3AuditLog:
    """`write` is idempotent: a redelivered event finds its key taken and writes nothing."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def write(self, key: str, body: bytes) -> bool:
        """True if this call created the object, False if it was already there."""
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                ChecksumAlgorithm="SHA256",
                IfNoneMatch="*",
            )
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
                return False
            raise

    def read(self, key: str) -> bytes | None:
        """The object's bytes, or None if nothing is written at `key` (the copiers' record of the
        chain already written: only they may write under `audit/`)."""
        try:
            return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise


class S3PhotoLinks:
    """Short-lived links to registry photos, so a photo is never public for longer than needed."""

    def __init__(self, client: Any, bucket: str, expires_seconds: int) -> None:
        self._client = client
        self._bucket = bucket
        self._expires = expires_seconds
        self._origin: str | None = None

    def origin(self) -> str:
        """Scheme and host the links point at (for the pages' Content-Security-Policy). Presigning
        is local computation (no request); done once per container."""
        if self._origin is None:
            parts = urlsplit(self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": "origin"}, ExpiresIn=60))
            self._origin = f"{parts.scheme}://{parts.netloc}"
        return self._origin

    def url_for(self, key: str | None) -> str | None:
        if not key:
            return None
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=self._expires,
        )


class S3PhotoStore:
    """Registry photos in the (versioned) photos bucket: each upload of a key is a new version."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, body: bytes, content_type: str, sha256_hex: str) -> str | None:
        """Store a photo; returns the new version id. S3 checks the bytes against `sha256_hex`
        (BadDigest otherwise), so what is stored is exactly what was validated."""
        response = self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii"),
        )
        return response.get("VersionId")
