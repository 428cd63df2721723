"""Web Push (RFC 8030) with VAPID (RFC 8292) and an encrypted payload (RFC 8291, aes128gcm).

The payload is encrypted by http-ece, the library pywebpush itself uses; the VAPID signature is an
ES256 JWT made with PyJWT (already shipped). pywebpush is not used because it imports aiohttp and
requests on import, which a cold start would pay for on every wave (issue 17).

Both keys come from one secret (PUSH_KEY): the VAPID signing key (a P-256 key derived from it, so
CDK can generate the secret and no key file is handled by hand) and the HMAC key of the receipts
the sergeant's service worker posts back. Changing the secret invalidates every subscription
(browsers subscribed to the old public key): sergeants opt in again, and are texted meanwhile.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from functools import cached_property
from typing import Any

from ..domain.push import PushSubscription, PushSubscriptionGone, b64url, b64url_decode

# A push service answers in well under a second; the wave must not wait on a stuck one.
SEND_TIMEOUT_SECONDS = 3.0
# VAPID allows at most 24 hours; a token is reused for an hour per push service.
TOKEN_SECONDS = 12 * 3600
TOKEN_REUSE_SECONDS = 3600

# (url, body, headers, timeout) -> HTTP status. Raises urllib.error.HTTPError for 4xx/5xx.
Post = Callable[[str, bytes, dict[str, str], float], int]


class PushRefused(Exception):
    """The push service did not take the message (any status but 201/202 and 404/410)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A push service never redirects; following one would let an endpoint send us elsewhere.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - endpoint checked against the known push services when stored
    with _opener.open(request, timeout=timeout) as response:
        return int(response.status)


class VapidWebPush:
    """Sends one encrypted, VAPID-signed message per call; keys derived once per container."""

    def __init__(self, secret: bytes, contact: str, post: Post = http_post,
                 clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._contact = contact
        self._post = post
        self._clock = clock
        self._tokens: dict[str, tuple[float, str]] = {}

    @cached_property
    def _signing_key(self) -> Any:
        from cryptography.hazmat.primitives.asymmetric import ec

        # P-256's order; a scalar in [1, n-1] derived from the secret (HMAC: a one-way, keyed step).
        order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
        digest = hmac.new(self._secret, b"safe-connection vapid signing key", hashlib.sha512).digest()
        return ec.derive_private_key(int.from_bytes(digest, "big") % (order - 1) + 1, ec.SECP256R1())

    @cached_property
    def _receipt_key(self) -> bytes:
        return hmac.new(self._secret, b"safe-connection push receipts", hashlib.sha256).digest()

    def application_server_key(self) -> str:
        """The VAPID public key, as `PushManager.subscribe({applicationServerKey})` wants it."""
        return self._public_key

    @cached_property
    def _public_key(self) -> str:  # in every push's Authorization header: encoded once
        from cryptography.hazmat.primitives import serialization

        point = self._signing_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def receipt(self, verification_id: str, sergeant_id: str) -> str:
        message = f"{verification_id}\n{sergeant_id}".encode()
        return b64url(hmac.new(self._receipt_key, message, hashlib.sha256).digest())

    def receipt_matches(self, verification_id: str, sergeant_id: str, receipt: str) -> bool:
        return hmac.compare_digest(self.receipt(verification_id, sergeant_id).encode(), receipt.encode())

    def send(self, subscription: PushSubscription, message: dict[str, str], ttl_seconds: int) -> None:
        body = self._encrypt(subscription, json.dumps(message, separators=(",", ":")).encode())
        headers = {
            "TTL": str(ttl_seconds),
            "Urgency": "high",
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": f"vapid t={self._token(subscription.origin)}, k={self.application_server_key()}",
        }
        try:
            status = self._post(subscription.endpoint, body, headers, SEND_TIMEOUT_SECONDS)
        except urllib.error.HTTPError as error:
            if error.code in (404, 410):
                raise PushSubscriptionGone(f"push_service_{error.code}") from None
            raise PushRefused(f"push_service_{error.code}") from None
        if status not in (200, 201, 202):
            raise PushRefused(f"push_service_{status}")

    def _encrypt(self, subscription: PushSubscription, plaintext: bytes) -> bytes:
        import os

        import http_ece
        from cryptography.hazmat.primitives.asymmetric import ec

        return bytes(http_ece.encrypt(
            plaintext,
            salt=os.urandom(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),  # one ephemeral key per message
            dh=b64url_decode(subscription.p256dh),
            auth_secret=b64url_decode(subscription.auth),
            version="aes128gcm",
        ))

    def _token(self, audience: str) -> str:
        now = self._clock()
        cached = self._tokens.get(audience)
        if cached is not None and now - cached[0] < TOKEN_REUSE_SECONDS:
            return cached[1]
        import jwt

        token = jwt.encode(
            {"aud": audience, "exp": int(now) + TOKEN_SECONDS, "sub": self._contact},
            self._signing_key, algorithm="ES256",
        )
        self._tokens[audience] = (now, token)
        return token
