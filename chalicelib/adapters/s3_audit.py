"""S3: the audit log (each event one object, written once, never overwritten) and registry photos."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from ..domain.registry import PhotoObject


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
            body: bytes = self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
            return body
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

    def url_for(self, key: str | None, version_id: str | None = None) -> str | None:
        """A link to `key`; with `version_id`, to that version only, so a later upload under the same
        key cannot change what the link shows (the audit names the version, SPEC §7.5)."""
        if not key:
            return None
        params = {"Bucket": self._bucket, "Key": key, **({"VersionId": version_id} if version_id else {})}
        url: str = self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=self._expires)
        return url


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
        version_id: str | None = response.get("VersionId")
        return version_id

    def current(self, key: str, max_bytes: int) -> PhotoObject | None:
        """The version now at `key`, its SHA-256 hashed from its bytes, or None if there is no object
        this function may read (S3 answers 403, not 404, to a role without s3:ListBucket).

        Hashing the bytes, not trusting a stored checksum, names exactly what a link to that version
        shows, however it was uploaded. An object of `max_bytes` or more is not read (sha256 None)."""
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "AccessDenied", "403"):
                return None
            raise
        body, size = response["Body"], int(response.get("ContentLength", 0))
        digest = hashlib.sha256()
        try:
            if size < max_bytes:
                for chunk in iter(lambda: body.read(64 * 1024), b""):
                    digest.update(chunk)
        finally:
            body.close()
        return PhotoObject(response.get("VersionId"), digest.hexdigest() if size < max_bytes else None, size)
