"""In-memory fakes of the ports in chalicelib/ports.py; tests/contract keeps each one honest."""

from tests.fakes.accounts import FakeUserDirectory
from tests.fakes.alerts import FakeAlertStore
from tests.fakes.audit import FakeAuditLog, FakeEnvelope
from tests.fakes.dependencies import FakeDependencies, fake_dependencies
from tests.fakes.limits import FakeAddressPseudonyms, FakeAlertFolds, FakeLookupPasses, FakeRateLimiter
from tests.fakes.messaging import FakeAlertPublisher, FakeMeetings, FakeSergeantNotifier, FakeTimers, FakeWebPush
from tests.fakes.outbox import FakeAuditIndex, FakeAuditOutbox, FakeDigestSigner
from tests.fakes.photos import FakePhotoLinks, FakePhotoStore
from tests.fakes.registry import FakeRegistry
from tests.fakes.verifications import FakeVerificationStore

__all__ = [
    "FakeAddressPseudonyms",
    "FakeAlertFolds",
    "FakeAlertPublisher",
    "FakeAlertStore",
    "FakeAuditIndex",
    "FakeAuditLog",
    "FakeAuditOutbox",
    "FakeDependencies",
    "FakeDigestSigner",
    "FakeEnvelope",
    "FakeLookupPasses",
    "FakeMeetings",
    "FakePhotoLinks",
    "FakePhotoStore",
    "FakeRateLimiter",
    "FakeRegistry",
    "FakeSergeantNotifier",
    "FakeTimers",
    "FakeUserDirectory",
    "FakeVerificationStore",
    "FakeWebPush",
    "fake_dependencies",
]
