"""In-memory registry photos: versioned objects, and links that name the version."""

from __future__ import annotations

import hashlib
import itertools

from chalicelib.domain.registry import PhotoObject


class FakePhotoStore:
    """`versions` maps key -> [(version id, bytes)], newest last."""

    def __init__(self) -> None:
        self.versions: dict[str, list[tuple[str, bytes]]] = {}
        self._ids = itertools.count(1)

    def put(self, key: str, body: bytes, content_type: str, sha256_hex: str) -> str | None:
        if hashlib.sha256(body).hexdigest() != sha256_hex:
            raise ValueError("BadDigest")  # S3 refuses bytes that do not match their checksum
        version_id = f"v{next(self._ids)}"
        self.versions.setdefault(key, []).append((version_id, bytes(body)))
        return version_id

    def current(self, key: str, max_bytes: int) -> PhotoObject | None:
        if not self.versions.get(key):
            return None
        version_id, body = self.versions[key][-1]
        digest = hashlib.sha256(body).hexdigest() if len(body) < max_bytes else None
        return PhotoObject(version_id, digest, len(body))


class FakePhotoLinks:
    """Links of the form https://photos.example/{key}?versionId=... (never fetched)."""

    def origin(self) -> str:
        return "https://photos.example"

    def url_for(self, key: str | None, version_id: str | None = None) -> str | None:
        if not key:
            return None
        return f"https://photos.example/{key}" + (f"?versionId={version_id}" if version_id else "")
