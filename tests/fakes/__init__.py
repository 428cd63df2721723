"""In-memory fakes of the ports in chalicelib/ports.py; tests/contract keeps each one honest."""

from tests.fakes.audit import FakeAuditLog, FakeEnvelope
from tests.fakes.limits import FakeRateLimiter
from tests.fakes.messaging import FakeAlertPublisher, FakeMeetings, FakeSergeantNotifier, FakeTimers
from tests.fakes.photos import FakePhotoLinks, FakePhotoStore
from tests.fakes.registry import FakeRegistry
from tests.fakes.verifications import FakeVerificationStore

__all__ = [
    "FakeAlertPublisher",
    "FakeAuditLog",
    "FakeEnvelope",
    "FakeMeetings",
    "FakePhotoLinks",
    "FakePhotoStore",
    "FakeRateLimiter",
    "FakeRegistry",
    "FakeSergeantNotifier",
    "FakeTimers",
    "FakeVerificationStore",
]
