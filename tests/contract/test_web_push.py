"""WebPush contract: the fake and the VAPID adapter (against the push-service stand-in, which
checks the VAPID token and decrypts with the device's keys as a browser's push service and phone do)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.adapters.web_push import PushRefused
from chalicelib.domain.push import PushSubscription, PushSubscriptionGone, b64url_decode, parse_subscription
from chalicelib.ports import WebPush
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeWebPush

ORIGIN = "https://push.example.test"
MESSAGE = {"title": "Identity check request", "body": "b", "url": "https://x/s/v1", "verification_id": "v1",
           "sergeant": "MP2002", "receipt": "r"}


class Backend:
    """A WebPush and the means to make subscriptions that work, are gone, or fail, and read what arrived."""

    def __init__(self, push: WebPush, subscribe: Callable[[], PushSubscription], delivered: Callable[[], list[Any]],
                 make_gone: Callable[[PushSubscription], None], make_failing: Callable[[PushSubscription], None]):
        self.push, self.subscribe, self.delivered = push, subscribe, delivered
        self.make_gone, self.make_failing = make_gone, make_failing


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "fake":
        fake = FakeWebPush()
        counter = iter(range(1_000_000))

        def subscribe() -> PushSubscription:
            return PushSubscription(f"{ORIGIN}/push/{next(counter)}", "p", "a")

        return Backend(fake, subscribe, lambda: [m for _, m in fake.sent],
                       lambda s: fake.gone.add(s.endpoint), lambda s: fake.failing.add(s.endpoint))
    from chalicelib.adapters.web_push import VapidWebPush
    from chalicelib.local.push_standin import PushServiceStandIn

    service = PushServiceStandIn(ORIGIN)
    failing: set[str] = set()

    def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        if url in failing:
            return 503
        return service.receive(url, body, headers, timeout)

    return Backend(VapidWebPush(b"contract-test-key" * 3, "mailto:ops@police.example", post=post),
                   lambda: parse_subscription(service.new_device(), (ORIGIN,)), service.messages,
                   lambda s: service.forget(s.endpoint), lambda s: failing.add(s.endpoint))


def test_a_message_sent_arrives_whole(backend: Backend) -> None:
    subscription = backend.subscribe()
    backend.push.send(subscription, MESSAGE, 60)
    assert backend.delivered() == [MESSAGE]


def test_a_subscription_that_is_gone_raises_gone_and_delivers_nothing(backend: Backend) -> None:
    subscription = backend.subscribe()
    backend.make_gone(subscription)
    with pytest.raises(PushSubscriptionGone):
        backend.push.send(subscription, MESSAGE, 60)
    assert backend.delivered() == []


def test_a_push_service_that_refuses_raises(backend: Backend) -> None:
    subscription = backend.subscribe()
    backend.make_failing(subscription)
    with pytest.raises(PushRefused):
        backend.push.send(subscription, MESSAGE, 60)


def test_a_receipt_matches_its_own_check_and_sergeant_only(backend: Backend) -> None:
    receipt = backend.push.receipt("v1", "MP2002")
    assert len(receipt) == 43 and receipt == backend.push.receipt("v1", "MP2002")
    assert backend.push.receipt_matches("v1", "MP2002", receipt)
    assert not backend.push.receipt_matches("v1", "MP2001", receipt)
    assert not backend.push.receipt_matches("v2", "MP2002", receipt)


def test_the_application_server_key_is_an_uncompressed_p256_point(backend: Backend) -> None:
    key = b64url_decode(backend.push.application_server_key())
    assert len(key) == 65 and key[0] == 4
