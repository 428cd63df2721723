"""Dependencies whose every adapter is an in-memory fake: the use cases run without AWS or moto.

The adapters are cached properties, so the fakes are set on the instance. Building any real client
is refused, so a use case reaching for an adapter that has no fake fails loudly, never silently
talks to moto or AWS.
"""

from __future__ import annotations

import itertools
from typing import Any

from chalicelib.bootstrap import Dependencies
from chalicelib.domain.registry import RegistryRecord
from tests.fakes.accounts import FakeUserDirectory
from tests.fakes.alerts import FakeAlertStore
from tests.fakes.audit import FakeAuditLog, FakeEnvelope
from tests.fakes.limits import FakeAddressPseudonyms, FakeAlertFolds, FakeLookupPasses, FakeRateLimiter
from tests.fakes.messaging import FakeAlertPublisher, FakeMeetings, FakeSergeantNotifier, FakeTimers, FakeWebPush
from tests.fakes.outbox import FakeAuditIndex, FakeAuditOutbox, FakeDigestSigner
from tests.fakes.photos import FakePhotoLinks, FakePhotoStore
from tests.fakes.registry import FakeRegistry
from tests.fakes.verifications import FakeVerificationStore


class FakeDependencies(Dependencies):
    """Dependencies that never build an AWS client."""

    def _client(self, service: str, max_attempts: int | None = None) -> Any:
        raise AssertionError(f"a use case on fakes asked for a real {service} client: give it a fake")


def fake_dependencies(settings: Any, clock: Any, records: list[RegistryRecord] | None = None) -> FakeDependencies:
    ids = itertools.count(1)
    deps = FakeDependencies(settings, clock=clock, new_id=lambda: f"id-{next(ids):04d}")
    store = FakeVerificationStore()
    deps.verifications = store
    deps.registry = FakeRegistry(records or [])
    deps.sms = FakeSergeantNotifier()
    deps.web_push = FakeWebPush()
    deps.alerts = FakeAlertPublisher()
    deps.alert_store = FakeAlertStore()
    deps.meetings = FakeMeetings()
    deps.timers = FakeTimers()
    deps.audit_log = FakeAuditLog()
    deps.audit_outbox = FakeAuditOutbox(store)
    deps.audit_index = FakeAuditIndex()
    deps.digest_signer = FakeDigestSigner()
    deps.envelope = FakeEnvelope()
    deps.photos = FakePhotoLinks()
    deps.photo_store = FakePhotoStore()
    deps.users = FakeUserDirectory()
    deps.rate_limiter = FakeRateLimiter()
    deps.alert_folds = FakeAlertFolds()
    deps.lookup_passes = FakeLookupPasses()
    deps.client_address_keys = FakeAddressPseudonyms()
    return deps
