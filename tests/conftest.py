"""Shared fixtures. Fake AWS credentials are set before anything imports boto3.

Layers: tests/unit (pure domain), tests/integration (adapters on moto / Stubber), tests/api (the
real Chalice routing via chalice.test.Client on moto), tests/e2e (HTTP against `make run`'s stack).
"""

from __future__ import annotations

import os
from typing import Any

for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_REGION": "eu-west-2",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_METRICS_NAMESPACE": "SafeConnection",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402

from tests.support.iam import CallerIdentity, session_with_identity  # noqa: E402
from tests.support.tokens import TokenFactory  # noqa: E402

# Who the shared boto3 session signs as: a Lambda function's role while it runs, else the harness.
IDENTITY = CallerIdentity()


class FakeClock:
    """A controllable clock: call it for now, `advance()` to move time."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 28, 2, 47, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    """Real RS256 ID tokens signed by a key generated for this test session."""
    return TokenFactory(issuer="https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_TEST", audience="test-client")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def aws():
    """A fresh in-process moto for one test: nothing leaks between tests."""
    from moto import mock_aws

    from tests.support import moto_speedups

    with moto_speedups.active(), mock_aws():
        yield


@pytest.fixture
def settings(tokens: TokenFactory):
    return make_settings(tokens)


def make_settings(tokens: TokenFactory):
    """The settings every `stack` runs with (also for a module's own world, see test_iam_roles)."""
    from chalicelib.settings import Settings

    return Settings(
        region="eu-west-2",
        verifications_table="test-verifications",
        registry_table="test-registry",
        idempotency_table="test-idempotency",
        audit_bucket="test-audit",
        photos_bucket="test-photos",
        token_issuer=tokens.issuer,
        token_audience=tokens.audience,
        public_base_url="https://verify.police.example",
        chime_backend="standin",
    )


@pytest.fixture(scope="session")
def boto_session():
    """One boto3 Session for the whole run: service models load once (clients stay per test).

    moto is imported first: it registers its request interceptor for sessions created after it.
    Its credentials follow IDENTITY, so IAM-enforced stacks sign as the function that runs.
    """
    import moto  # noqa: F401

    return session_with_identity(IDENTITY, "eu-west-2")


@pytest.fixture
def stack(aws, settings, clock, tokens, boto_session):
    """Resources created and seeded on moto, Dependencies wired to them, and overridden globally.

    Every Lambda function's calls run under its role from the synthesised template, IAM enforced."""
    from tests.support.stack import build_stack

    built = build_stack(settings, clock, tokens, boto_session, identity=IDENTITY)
    yield built
    built.close()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Poll until `predicate()` is truthy; returns its value or raises AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
