"""A push service and the phones behind it, for the local stack and the tests (no browser vendor's
push service is reachable from here).

As a push service it takes what the app's Web Push adapter POSTs, and checks it as one would:
the VAPID token (ES256, signed by the key in `k`, for this origin, not expired), TTL and
Content-Encoding headers, a subscription that exists (410 otherwise). As a phone it decrypts the
message with the device's own keys (so a wrong encryption fails here, as it would on a phone) and,
if the device is online, does what the sergeant page's service worker does: shows it (the inbox
line) and posts the receipt back to the API. A device can be offline: its pushes arrive nowhere, so
the app texts that sergeant after the grace period.

`receive` is the adapter's `post` for in-process use; `serve()` puts it behind HTTP for `make run`.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..domain.push import b64url, b64url_decode


@dataclass
class Device:
    """One phone with the sergeant page's service worker, subscribed to this push service."""

    device_id: str
    private_key: Any
    auth: bytes
    online: bool = True
    messages: list[dict[str, Any]] = field(default_factory=list)


class PushServiceStandIn:
    """Devices by id; `deliver(message)` is what the service worker does with a message (post the
    receipt). Thread-safe: pushes arrive from request threads."""

    def __init__(self, origin: str, deliver: Callable[[dict[str, Any]], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.origin = origin.rstrip("/")
        self.deliver = deliver
        self._clock = clock
        self._devices: dict[str, Device] = {}
        self._lock = threading.Lock()
        self.refused: list[str] = []  # why requests were refused (for tests and the inbox)

    def new_device(self, online: bool = True) -> dict[str, Any]:
        """A phone subscribing: the subscription JSON its browser would give the sergeant page."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        device = Device(secrets.token_urlsafe(16), key, os.urandom(16), online)
        with self._lock:
            self._devices[device.device_id] = device
        point = key.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{device.device_id}", "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(device.auth)}}

    def device(self, endpoint: str) -> Device | None:
        with self._lock:
            return self._devices.get(endpoint.rstrip("/").rsplit("/", 1)[-1])

    def forget(self, endpoint: str) -> None:
        """The browser unsubscribed: the push service answers 410 from now on."""
        with self._lock:
            self._devices.pop(endpoint.rstrip("/").rsplit("/", 1)[-1], None)

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [m for d in self._devices.values() for m in d.messages]

    def receive(self, url: str, body: bytes, headers: dict[str, str], timeout: float = 0) -> int:
        """Take one push as a push service does: 201, or raise urllib's HTTPError as urlopen would."""
        device = self.device(url) if url.startswith(f"{self.origin}/push/") else None
        if device is None:
            self._refuse(url, 410, "no such subscription")
        lower = {k.lower(): v for k, v in headers.items()}
        problem = self._vapid_problem(lower.get("authorization", ""))
        if problem is None and not lower.get("ttl", "").isdigit():
            problem = "TTL header missing"
        if problem is None and lower.get("content-encoding") != "aes128gcm":
            problem = "Content-Encoding must be aes128gcm"
        if problem is not None:
            self._refuse(url, 400 if "header" in problem else 403, problem)
        assert device is not None  # noqa: S101 - _refuse raised otherwise
        import http_ece

        try:
            plaintext = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth,
                                         version="aes128gcm")
        except Exception:  # noqa: BLE001 - a phone cannot read it: the sender encrypted it wrongly
            self._refuse(url, 400, "payload does not decrypt for this subscription")
        message = json.loads(plaintext)
        with self._lock:
            device.messages.append(message)
        if device.online and self.deliver is not None:
            self.deliver(message)
        return 201

    def _vapid_problem(self, authorization: str) -> str | None:
        import jwt
        from cryptography.hazmat.primitives.asymmetric import ec

        if not authorization.startswith("vapid "):
            return "Authorization is not VAPID"
        parts = dict(p.strip().split("=", 1) for p in authorization[len("vapid "):].split(",") if "=" in p)
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(parts["k"]))
            claims = jwt.decode(parts["t"], public, algorithms=["ES256"], audience=self.origin,
                                options={"require": ["exp", "aud", "sub"]})
        except (KeyError, ValueError, jwt.PyJWTError) as error:
            return f"VAPID token refused: {type(error).__name__}"
        if claims["exp"] > self._clock() + 24 * 3600:
            return "VAPID token valid for more than 24 hours"
        return None

    def _refuse(self, url: str, status: int, why: str) -> None:
        self.refused.append(why)
        raise urllib.error.HTTPError(url, status, why, Message(), None)

    def serve(self, host: str, port: int = 0) -> ThreadingHTTPServer:
        """Behind HTTP (for `make run`), on its own thread; port 0 picks a free one."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    status = standin.receive(f"{standin.origin}{self.path}", body, dict(self.headers.items()))
                except urllib.error.HTTPError as error:
                    status = error.code
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer((host, port), Handler)
        if not self.origin:
            self.origin = f"http://{host}:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, name="local-push-service", daemon=True).start()
        return server


def receipt_poster(api_url: str, delay_seconds: float = 0.2) -> Callable[[dict[str, Any]], None]:
    """What the service worker does on a push: post the receipt (on its own thread, a moment later,
    as a phone would; the local API serves one request at a time and the push came from one)."""
    import urllib.request

    def post(message: dict[str, Any]) -> None:
        def run() -> None:
            time.sleep(delay_seconds)
            body = json.dumps({k: message[k] for k in ("verification_id", "sergeant", "receipt")}).encode()
            request = urllib.request.Request(f"{api_url}/push/receipts", data=body, method="POST",  # noqa: S310 - the local API
                                             headers={"Content-Type": "application/json"})
            try:
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - the local API
            except OSError:
                return  # the stack is stopping; a real phone would retry, this one need not

        threading.Thread(target=run, name="local-push-receipt", daemon=True).start()

    return post

