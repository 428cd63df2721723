"""The daily digest document: pure construction and the bytes that are hashed and signed."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from typing import Any

from .clock import iso_z

FORMAT = "safe-connection-audit-digest/1"
SIGNING_ALGORITHM = "RSASSA_PSS_SHA_256"
GENESIS = "0" * 64


def digest_key(force: str, day: date, created_at: datetime) -> str:
    """One day can have several digests (on demand, then the nightly one); each lists everything
    written that day up to its creation, so later ones supersede earlier ones. The full creation
    time (UTC) in the name keeps them in order even when the nightly one is made the next day."""
    return f"digests/force={force}/date={day.isoformat()}/digest-{created_at.strftime('%Y%m%dT%H%M%S%f')}Z.json"


def digest_prefix(force: str, day: date | None = None) -> str:
    return f"digests/force={force}/" + (f"date={day.isoformat()}/" if day else "")


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signed_bytes(document: dict[str, Any]) -> bytes:
    """What the signature covers: the whole digest except the signature itself."""
    return canonical({k: v for k, v in document.items() if k != "signature"})


def message_digest(document: dict[str, Any]) -> bytes:
    """SHA-256 of the signed bytes (KMS signs digests, so any number of events fits)."""
    return hashlib.sha256(signed_bytes(document)).digest()


def object_hash(body: bytes) -> str:
    """How one digest refers to the previous one: the SHA-256 of its stored bytes."""
    return hashlib.sha256(body).hexdigest()


def unsigned_digest(
    force: str,
    day: date,
    events: list[tuple[str, str]],
    previous_key: str | None,
    previous_hash: str,
    key_id: str,
    created_at: datetime,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "force": force,
        "date": day.isoformat(),
        "created_at": iso_z(created_at),
        "events": [{"key": key, "hash": digest} for key, digest in sorted(events)],
        "event_count": len(events),
        "previous_digest_key": previous_key,
        "previous_digest_hash": previous_hash,
        "signing_key_id": key_id,
        "signing_algorithm": SIGNING_ALGORITHM,
    }


def with_signature(document: dict[str, Any], signature: bytes) -> dict[str, Any]:
    return {**document, "signature": base64.b64encode(signature).decode("ascii")}


def signature_of(document: dict[str, Any]) -> bytes:
    return base64.b64decode(document.get("signature", ""), validate=True)
