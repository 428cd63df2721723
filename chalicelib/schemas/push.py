"""Web Push (issue 17): a sergeant's push subscription, and the receipt their phone posts back."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from .base import _Strict
from .patterns import OFFICER_ID

B64URL = r"^[A-Za-z0-9_-]+={0,2}$"


class PushKeysIn(_Strict):
    p256dh: Annotated[str, StringConstraints(min_length=86, max_length=88, pattern=B64URL)]
    auth: Annotated[str, StringConstraints(min_length=22, max_length=24, pattern=B64URL)]


class PushSubscriptionRequest(_Strict):
    """`PUT /me/push-subscription`: what the browser's `PushSubscription.toJSON()` gives. The
    endpoint must be at a known browser push service (domain/push.py checks it)."""

    endpoint: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    keys: PushKeysIn
    expirationTime: int | float | None = None  # the browser's own field name (camelCase)


class PushReceiptRequest(_Strict):
    """`POST /push/receipts`: the sergeant page's service worker says the push reached the phone."""

    verification_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    sergeant: Annotated[str, StringConstraints(pattern=OFFICER_ID)]
    receipt: Annotated[str, StringConstraints(min_length=43, max_length=43, pattern=B64URL)]
