"""Fuzzing (issue 7): schemathesis generates requests from the OpenAPI document the stack serves and
sends them to the stack `make run` starts.

Who calls: two times in three someone the operation allows (a real Cognito token of that role,
possibly of another force), otherwise anyone - every role, a suspended officer, an off-duty
sergeant, another force, nobody, or a forged token. Path ids are three times in four ones that
really exist (checks waiting and accepted, started afresh for each operation as earlier ones end
them; seeded officers; the served assets), so accept, decide and cancel reach real states. A quarter of the
requests are deliberately invalid where the operation has something to break. Checked on every answer: no
5xx, and status, content type, headers and body are all as documented; no stack trace in any body.

`make test` runs FUZZ_EXAMPLES (default 12) examples per operation, derandomised; `make fuzz` runs
200 with fresh randomness (FUZZ_RANDOM=1).
"""

from __future__ import annotations

import json
import os
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.api.openapi import OPERATIONS, openapi_document
from chalicelib.api.pages import ASSET_TYPES
from chalicelib.domain.registry import Role
from chalicelib.local.seed import DEMO_PEOPLE

from .conftest import _run_stack

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]

# Anyone: each kind of seeded user, nobody, and a token signed by someone else.
ANYONE = ["MP4721", "MP5102", "MP3390", "MP2001", "MP2002", "MP2004", "WP3001", "WP1187", "MP0001", "MP0002",
          "anonymous", "forged"]
FORGED = "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.eyJzdWIiOiJ4IiwiY29nbml0bzpncm91cHMiOlsiYWRtaW4iXX0.c2ln"
# Allowed by role (the other force included: authorisation must still refuse its records).
BY_ROLE = {"officer": ["MP4721", "MP5102", "WP1187"], "sergeant": ["MP2001", "MP2002", "WP3001"],
           "admin": ["MP0001", "WP0101"], "auditor": ["MP0002"],
           # Whoever `make run` seeds in the control room (SPEC §7.3), if anyone yet.
           "control_room": [p.officer_id for p in DEMO_PEOPLE if p.role is Role.CONTROL_ROOM and p.force == "met"]}
OPERATION_IDS = [f"{op.method.upper()} {op.path}" for op in OPERATIONS]
SEEN: dict[str, set[int]] = {}  # statuses answered, per operation (for the last test)


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory):
    # Generous limits: the fuzzer would otherwise spend its examples on (documented) 429s.
    yield from _run_stack(tmp_path_factory.mktemp("fuzz-stack"),
                          {"MAX_STARTS_PER_HOUR": "1000", "PUBLIC_VIEWS_PER_MINUTE": "10000",
                           "CHECK_REQUESTS_PER_ADDRESS": "1000"})


@pytest.fixture(scope="module")
def fuzz(fuzz_stack):
    """The schema the stack serves (it must be the generated one) and ids that really exist."""
    with urllib.request.urlopen(fuzz_stack.api + "/openapi.json", timeout=15) as response:
        served = json.loads(response.read())
    assert served == json.loads(json.dumps(openapi_document())), "the stack serves another document"
    schema = schemathesis.openapi.from_dict(served)
    known: dict[str, list[str]] = {"verification_id": [], "reference": [], "asset": sorted(ASSET_TYPES),
                                   "officer_id": ["MP4721", "MP2001", "MP3390", "WP1187", "MP9999"]}
    # Everyone signs in before the fuzzing: a fuzzed PUT /officers/{id} that suspends someone also
    # disables their Cognito account (SPEC §7.1), after which they could not sign in at all.
    for caller in sorted({*ANYONE, *(who for people in BY_ROLE.values() for who in people)} - {"anonymous", "forged"}):
        fuzz_stack.sign_in(caller)
    # MP5102 and WP1187 are left free, so that fuzzed starts can succeed (one check in progress each).
    assert _replenish(fuzz_stack, known, (("MP4721", "MP2002"), ("WP1450", "WP3001"))) == 2
    return schema, known, fuzz_stack


def _replenish(live, known: dict[str, list[str]],
               who: tuple[tuple[str, str | None], ...] = (("MP4721", "MP2002"), ("MP5102", None), ("WP1187", None)),
               ) -> int:
    """A check in progress for each officer who has none (earlier operations end them): accepted by
    a sergeant the fuzzer calls as (when they can still accept), or waiting. Returns how many were
    started."""
    started = 0
    for officer, sergeant in who:
        status, body = live.call("POST", "/verifications", officer,
                                 {"location": {"lat": 51.5, "lon": -0.14}, "area": "Camden"})
        if status in (403, 409):
            continue  # one already in progress, or the fuzzed registry no longer lists them as serving
        assert status == 201, body
        started += 1
        known["verification_id"].append(body["verification_id"])
        known["reference"].append(body["reference"])
        if sergeant:
            # Fuzzed duty and registry changes may have stood this sergeant down: put them back on
            # duty. If they still cannot accept, the check simply stays waiting (also useful).
            live.call("PUT", "/me/duty", sergeant, {"status": "available"})
            live.call("POST", f"/verifications/{body['verification_id']}/accept", sergeant, {})
    return started


def _token(live, caller: str) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    if caller == "forged":
        return {"Authorization": FORGED}
    return {"Authorization": f"Bearer {live.sign_in(caller)}"}


def _can_be_invalid(operation) -> bool:
    """Negative data needs something to break: a body or a parameter."""
    definition = operation.definition.raw
    return "requestBody" in definition or bool(definition.get("parameters"))


def _no_stack_trace(ctx, response, case) -> None:
    text = response.text or ""
    assert "Traceback" not in text and 'File "' not in text, "a stack trace reached the client"


# Driven through Hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
@pytest.mark.parametrize("op", OPERATIONS, ids=OPERATION_IDS)
def test_no_server_error_and_every_answer_is_documented(fuzz, op):
    schema, known, live = fuzz
    if "{verification_id}" in op.path:
        _replenish(live, known)
    operation = schema[op.path][op.method.upper()]
    path_names = [name for name in known if "{" + name + "}" in op.path]
    allowed = [who for role in op.roles for who in BY_ROLE[role]]
    # Mostly someone allowed and ids that exist, so that requests get past authorisation and reach
    # real states; the rest tries everyone and anything.
    callers = st.sampled_from(ANYONE)
    if allowed:
        callers = st.integers(0, 2).flatmap(lambda n: st.sampled_from(allowed) if n else st.sampled_from(ANYONE))
    can_be_invalid = _can_be_invalid(operation)

    @st.composite
    def cases(draw):
        real = {name: draw(st.sampled_from(known[name])) for name in path_names if draw(st.integers(0, 3))}
        invalid = can_be_invalid and draw(st.integers(0, 3)) == 0
        mode = GenerationMode.NEGATIVE if invalid else GenerationMode.POSITIVE
        return draw(operation.as_strategy(generation_mode=mode, path_parameters=real or None))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(case=cases(), caller=callers)
    def call(case, caller):
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        headers = _token(live, caller)
        response = case.call(base_url=live.api, headers=headers, allow_redirects=False, timeout=30)
        SEEN.setdefault(f"{op.method.upper()} {op.path}", set()).add(response.status_code)
        case.validate_response(response, checks=CHECKS, additional_checks=[_no_stack_trace], headers=headers)
        if op.path == "/verifications" and op.method == "post" and response.status_code == 201:
            # Withdrawn at once, so the officer can start again: more starts get past the 409 (and
            # the ids that later operations draw from stay mostly ones still in progress).
            # (409: the 201 was the replay of an Idempotency-Key the fuzzer had used before.)
            started = response.json()
            assert live.call("POST", f"/verifications/{started['verification_id']}/cancel", caller, {})[0] in (200, 409)

    call()


# Operations whose success needs a value no generated input can be: why, for each (tested elsewhere).
SUCCESS_OUT_OF_REACH = {
    "PUT /me/push-subscription": "the endpoint must be a URL at the one push service this stack accepts, with a "
                                 "65-byte P-256 point as its key (tests/api/test_web_push.py subscribes for real)",
}


def test_fuzzing_reached_past_authorisation():
    """Guard against fuzzing that only ever hears 401 or 404, which would prove little: with real
    ids and allowed callers, authenticated operations must also succeed - most of them within
    `make test`'s few examples, every one of them in `make fuzz`."""
    if len(SEEN) < len(OPERATIONS) or EXAMPLES < 12:
        pytest.skip("runs after the fuzzing of every operation, with at least 12 examples each")
    guarded = [f"{op.method.upper()} {op.path}" for op in OPERATIONS if op.roles
               and f"{op.method.upper()} {op.path}" not in SUCCESS_OUT_OF_REACH]
    never = [label for label in guarded if not any(200 <= status < 300 for status in SEEN[label])]
    # With make test's 12 examples, an operation whose success needs one caller in one state (the
    # accepting sergeant's outcome, the officer's own cancel, an admin's whole record, an alert id
    # from the board) hits it only by chance, and which ones do varies with the stack's timing: up to
    # a third may miss there (4 of 14 did on a loaded 2-core CI run). `make fuzz` requires every one.
    allowed_to_miss = 0 if EXAMPLES >= 100 else len(guarded) // 3
    assert len(never) <= allowed_to_miss, (never, {label: sorted(statuses) for label, statuses in SEEN.items()})
    everything = set().union(*SEEN.values())
    assert {400, 401, 403, 404} <= everything
