"""Web Push to the sergeant page: a free first channel before the SMS (issue 17).

A sergeant who opts in on their page gives the browser's push subscription (an endpoint at the
browser's push service and the two keys the payload is encrypted to, RFC 8291). A wave then sends
that sergeant a push instead of a text; their page's service worker shows the request and posts a
receipt back. Whoever has not sent a receipt within `PUSH_GRACE_SECONDS` is texted after all (once:
a sergeant is never texted twice for one check), so a phone that is off or offline costs a few
seconds, never the request. Pure rules; services/push.py applies them, adapters/web_push.py sends.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import ValidationFailed

# How long a push has to reach the phone before that sergeant is texted instead. A push service
# delivers to an online phone in well under a second; SQS delays are whole seconds.
PUSH_GRACE_SECONDS = 5
# A push not delivered within this is dropped by the push service (the SMS has gone by then).
PUSH_TTL_SECONDS = 60
MAX_ENDPOINT_LENGTH = 1000

# The push services of the browsers sergeants use (Chrome/Edge/Samsung via FCM, Firefox, Safari,
# Windows). A subscription elsewhere is refused: the server POSTs to the endpoint, so any other
# host would let a caller make the service send requests where they like.
KNOWN_PUSH_SERVICES = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://*.notify.windows.com",
)

_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


@dataclass(frozen=True)
class PushSubscription:
    """What the browser's `PushSubscription.toJSON()` gives: where to send, and to whom to encrypt."""

    endpoint: str
    p256dh: str  # the browser's P-256 public key, uncompressed point, base64url
    auth: str  # the 16-byte authentication secret, base64url

    def as_dict(self) -> dict[str, str]:
        return {"endpoint": self.endpoint, "p256dh": self.p256dh, "auth": self.auth}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PushSubscription | None:
        if not data or not data.get("endpoint"):
            return None
        return cls(str(data["endpoint"]), str(data.get("p256dh") or ""), str(data.get("auth") or ""))

    @property
    def origin(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_subscription(body: Any, allowed_origins: tuple[str, ...]) -> PushSubscription:
    """A subscription from a request body, or ValidationFailed naming the field (nothing stored).

    `allowed_origins`: scheme://host of the push services accepted; `*.` matches one or more labels.
    """
    if not isinstance(body, dict):
        raise ValidationFailed("body: must be a push subscription object")
    endpoint = body.get("endpoint")
    keys = body.get("keys")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise ValidationFailed("endpoint: must be the push service URL the browser gave")
    parts = urlsplit(endpoint)
    if parts.username or parts.password or not _origin_allowed(f"{parts.scheme}://{parts.netloc}", allowed_origins):
        raise ValidationFailed("endpoint: not at a known browser push service")
    if not isinstance(keys, dict):
        raise ValidationFailed("keys: must hold p256dh and auth")
    p256dh = _key(keys.get("p256dh"), "keys.p256dh", 65)
    auth = _key(keys.get("auth"), "keys.auth", 16)
    if p256dh[0] != 0x04:
        raise ValidationFailed("keys.p256dh: must be an uncompressed P-256 point")
    return PushSubscription(endpoint, b64url(p256dh), b64url(auth))


def _key(value: Any, field: str, length: int) -> bytes:
    if not isinstance(value, str) or not _B64URL.match(value):
        raise ValidationFailed(f"{field}: must be base64url")
    try:
        raw = b64url_decode(value)
    except (binascii.Error, ValueError):
        raise ValidationFailed(f"{field}: must be base64url") from None
    if len(raw) != length:
        raise ValidationFailed(f"{field}: must be {length} bytes")
    return raw


def _origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    origin = origin.lower()
    for pattern in allowed:
        pattern = pattern.lower().rstrip("/")
        if "://*." in pattern:
            scheme, host = pattern.split("://*.", 1)
            rest = origin[len(scheme) + 3:]
            if origin.startswith(f"{scheme}://") and rest.endswith(f".{host}") and "/" not in rest:
                return True
        elif origin == pattern:
            return True
    return False


def push_message(title: str, body: str, link: str, verification_id: str, sergeant_id: str,
                 receipt: str) -> dict[str, str]:
    """The encrypted payload (only the sergeant's browser can read it): what the notification
    shows, the page to open, and what the service worker posts back as its receipt."""
    return {"title": title, "body": body, "url": link, "verification_id": verification_id,
            "sergeant": sergeant_id, "receipt": receipt}


class PushSubscriptionGone(Exception):
    """The push service says this subscription no longer exists (HTTP 404 or 410): the browser
    unsubscribed or the sergeant cleared the site's data. The subscription is dropped."""
