"""Contract suites: each test runs against the in-memory fake and the real adapter (moto or Stubber).

A fixture parametrised with BACKENDS builds one or the other; moto starts only for "real".
"""

from __future__ import annotations

from typing import Any

import pytest

BACKENDS = ["fake", "real"]


@pytest.fixture
def dynamodb(request: pytest.FixtureRequest, settings: Any, boto_session: Any) -> Any:
    """A moto DynamoDB client with the app's tables (only the real backends ask for it)."""
    from chalicelib.local import resources

    request.getfixturevalue("aws")
    client = boto_session.client("dynamodb")
    resources.create_tables(client, settings)
    return client
