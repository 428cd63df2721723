"""Fuzzing (issue 7): schemathesis generates requests from the OpenAPI document and sends them to
the stack `make run` starts, each with a valid token of a role the operation allows. No 5xx, and
every answer - status, content type and body - is one the document promises.

`make test` runs a bounded number of examples per operation; `make fuzz` (FUZZ_EXAMPLES) runs more.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.api.openapi import OPERATIONS, openapi_document

from .conftest import _run_stack

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# Who calls each role's operations (seeded users of the Met).
CALLER = {"officer": "MP4721", "sergeant": "MP2001", "admin": "MP0001", "auditor": "MP0002"}
ROLES = {(op.method.upper(), op.path): op.roles for op in OPERATIONS}


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory):
    # Generous limits: the fuzzer would otherwise spend its examples on (documented) 429s.
    yield from _run_stack(tmp_path_factory.mktemp("fuzz-stack"),
                          {"MAX_STARTS_PER_HOUR": "1000", "PUBLIC_VIEWS_PER_MINUTE": "10000"})


@pytest.fixture(scope="module")
def api_schema():
    return schemathesis.openapi.from_dict(openapi_document())


# Driven through Hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
@pytest.mark.parametrize("method, path", [(op.method.upper(), op.path) for op in OPERATIONS],
                         ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS])
def test_no_server_error_and_every_answer_is_documented(api_schema, fuzz_stack, method, path):
    operation = api_schema[path][method]
    roles = ROLES[(method, path)]
    headers = {"Authorization": f"Bearer {fuzz_stack.sign_in(CALLER[roles[0]])}"} if roles else {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def call(case):
        case.call_and_validate(
            base_url=fuzz_stack.api, headers=headers, timeout=30,
            checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                    response_schema_conformance],
        )

    call()
