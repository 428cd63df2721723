"""Warm latency per route in-process (moto), versus the floor of the route's own AWS calls.

Candidate: the route through the real Chalice app (`chalice.test.Client`): token verification,
pydantic, the domain, audit hashing and sealing, serialisation, logging and metrics.
Floor: the same AWS calls issued directly with boto3 on the same in-process moto - recorded from
the candidate's own request (every one is justified in `calls.py`), replayed with their conditions
dropped and verification-table keys moved aside so each replay writes as much as the route did -
plus a PyJWT decode of the same token with the same checks for authenticated routes (the JWKS is
held in memory on both sides; a warm container caches it).
So the ratio is what the app adds on top of the calls it must make.

Each round times the candidate, then the floor replaying exactly the calls the candidate made
(reads of the same items; writes land on keys of their own). If anything that order favours the
floor (moto has just touched those items). Both are timed with the garbage collector off, as
`timeit` does. Each route reports median and p99 of both, over the rounds.

    python bench/latency.py [--rounds 40] [--quick]
"""

from __future__ import annotations

import argparse
import copy
import gc
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import median, percentile, quiet_stdout, save_result, table
from bench.inprocess import BenchStack, build

OFFICER, OTHER_OFFICER, SERGEANT, ADMIN = "MP4721", "MP5102", "MP2001", "MP0001"
OFF_DUTY_SERGEANT = "MP2004"
START_BODY = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 10}, "area": "Camden High St"}
OFFICER_RECORD = {"given_name": "Sam", "family_name": "Jones", "rank": "PC", "status": "serving",
                  "role": "officer", "phone": None, "photo": "photos/met/MP4721.png", "duty": None}
_floor_ids = itertools.count(1)


class Recorder:
    """Records the AWS calls made while `recording` (service, operation, deep-copied params)."""

    def __init__(self, counter: Any) -> None:
        self.recording = False
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        # Listen through the bench's counter, which was on the session before any client was made
        # (registering on the session now would miss the timers' SQS client, built with the stack).
        counter.listeners.append(self._seen)

    def _seen(self, model: Any = None, params: Any = None, context: Any = None, **_: Any) -> None:
        if self.recording:
            service = model.service_model.service_id.hyphenize()
            # A presigned photo link is computed locally, but it is still the route's boto3 work.
            presign = (context or {}).get("is_presign_request")
            self.calls.append((f"{service}-presign" if presign else service, model.name, copy.deepcopy(params)))

    def capture(self, action: Callable[[], Any]) -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
        self.calls, self.recording = [], True
        try:
            return action(), self.calls
        finally:
            self.recording = False


def _aside(item: dict[str, Any], tag: str) -> dict[str, Any]:
    """Move a verifications-table item to a key of its own (and out of the sergeants' queue)."""
    moved = dict(item)
    for name in ("pk", "gsi1pk"):
        if name in moved and "S" in moved[name]:
            moved[name] = {"S": f"{tag}{moved[name]['S']}"}
    return moved


def _unconditional(params: dict[str, Any], table_name: str, tag: str) -> dict[str, Any]:
    """The same write with its condition dropped and verification-table keys set aside."""
    params = dict(params)
    condition = params.pop("ConditionExpression", None)
    if condition is not None:
        used = params.get("UpdateExpression", "")
        for field in ("ExpressionAttributeValues", "ExpressionAttributeNames"):
            if field in params:
                kept = {k: v for k, v in params[field].items() if k in used}
                params.pop(field)
                if kept:
                    params[field] = kept
    if params.get("TableName") == table_name:
        for field in ("Item", "Key"):
            if field in params:
                params[field] = _aside(params[field], tag)
    return params


def _replayable(service: str, operation: str, params: dict[str, Any], table_name: str) -> dict[str, Any]:
    if service != "dynamodb":
        return params
    tag = f"FLOOR{next(_floor_ids)}#"
    if operation == "TransactWriteItems":
        items = []
        for entry in params["TransactItems"]:
            (kind, body), = entry.items()
            items.append({kind: _unconditional(body, table_name, tag)})
        return {**params, "TransactItems": items}
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return _unconditional(params, table_name, tag)
    return params


CLIENT_NAMES = {"cognito-identity-provider": "cognito-idp", "secrets-manager": "secretsmanager"}


class FloorRun:
    """The floor's replay: calling it issues the calls; `refused` collects (method, error code) of the
    replays AWS refused (still requests made)."""

    def __init__(self, replay: Callable[[list[tuple[str, str]]], None]) -> None:
        self._replay = replay
        self.refused: list[tuple[str, str]] = []

    def __call__(self) -> None:
        self._replay(self.refused)


# A route's request: (method, path, who (None: no token), body (None: none), expected status).
Request = tuple[str, str, str | None, Any, int]
# (name, prepare, after): prepare() sets the stage and returns the request to time; after(), if
# given, reads the response body.
Route = tuple[str, Callable[[], Request], Callable[[dict[str, Any]], None] | None]


def floor_for(bench: BenchStack, calls: list[tuple[str, str, dict[str, Any]]],
              token: str | None) -> tuple[FloorRun, Callable[[], None]]:
    """(run, clean_up): `run` issues the recorded calls directly (and the PyJWT decode, if
    authenticated); `clean_up` (untimed) deletes the items its writes set aside, so the table the
    next requests snapshot is the same size for both sides."""
    import jwt
    from botocore import xform_name
    from botocore.exceptions import ClientError

    deps = bench.deps
    clients = {"dynamodb": deps.dynamodb, "sns": deps.sns, "s3": deps.s3, "kms": deps.kms,
               "sqs": deps.timers._client, "chime-sdk-meetings": deps.meetings._client}
    # Any other service a route calls (Cognito for the registry gate, Secrets Manager for the
    # rate-limit key): the recorder names it by its event id, botocore's client by its own name.
    for service_id, client_name in CLIENT_NAMES.items():
        clients.setdefault(service_id, deps._client(client_name))
    table_name = deps.settings.verifications_table
    key = bench.stack.tokens.private_key.public_key()
    settings = deps.settings
    # Prepared before timing starts: the floor is the calls themselves, not the rewriting of them.
    replays = [(service, xform_name(operation), params if service.endswith("-presign")
                else _replayable(service, operation, params, table_name)) for service, operation, params in calls]

    def replay(refused: list[tuple[str, str]]) -> None:
        if token is not None:
            jwt.get_unverified_header(token)
            jwt.decode(token, key, algorithms=["RS256"], audience=settings.token_audience, issuer=settings.token_issuer,
                       options={"require": ["exp", "iss", "aud", "sub", "token_use"]}, leeway=30)
        for service, method, params in replays:
            if service.endswith("-presign"):
                deps.s3.generate_presigned_url(method, Params=params, ExpiresIn=settings.photo_url_seconds)
                continue
            try:
                getattr(clients[service], method)(**params)
            except ClientError as error:  # e.g. deleting the meeting the route already deleted:
                refused.append((method, error.response["Error"]["Code"]))  # still a request made

    def clean_up() -> None:
        keys = {(k["pk"]["S"], k["sk"]["S"]): k for k in _set_aside_keys(replays, table_name)}
        for key_item in keys.values():
            deps.dynamodb.delete_item(TableName=table_name, Key=key_item)

    return FloorRun(replay), clean_up


def _set_aside_keys(replays: list[tuple[str, str, dict[str, Any]]], table_name: str) -> list[dict[str, Any]]:
    """The verifications-table keys a replay wrote to (all moved aside by `_replayable`)."""
    bodies: list[dict[str, Any]] = []
    for service, method, params in replays:
        if service != "dynamodb":
            continue
        if method == "transact_write_items":
            bodies += [body for entry in params["TransactItems"] for body in entry.values()]
        elif method in ("put_item", "update_item", "delete_item"):
            bodies.append(params)
    return [{"pk": item["pk"], "sk": item["sk"]} for body in bodies if body.get("TableName") == table_name
            for item in (body.get("Item") or body.get("Key"),) if item and "pk" in item and "sk" in item]


def routes(bench: BenchStack) -> list[Route]:
    """Each route as (name, prepare, after) where prepare() sets the stage and returns the request to time."""
    state: dict[str, Any] = {}

    def start() -> Request:
        return "POST", "/verifications", OFFICER, START_BODY, 201

    def after_start(result: dict[str, Any]) -> None:
        state["vid"], state["reference"] = result["verification_id"], result["reference"]

    def push_subscription() -> dict[str, Any]:
        assert bench.stack.push_service is not None
        subscription: dict[str, Any] = bench.stack.push_service.new_device()
        return subscription

    def cancel_setup() -> Request:
        status, body = bench.call("POST", "/verifications", OTHER_OFFICER, START_BODY)
        assert status == 201, body
        return "POST", f"/verifications/{body['verification_id']}/cancel", OTHER_OFFICER, {}, 200

    return [
        ("POST /verifications (start)", start, after_start),
        ("GET /verifications/{id}", lambda: ("GET", f"/verifications/{state['vid']}", OFFICER, None, 200), None),
        ("GET /verifications?status=",
         lambda: ("GET", "/verifications?status=awaiting_sergeant", SERGEANT, None, 200), None),
        ("POST /verifications/{id}/accept",
         lambda: ("POST", f"/verifications/{state['vid']}/accept", SERGEANT, {}, 200), None),
        ("POST /verifications/{id}/outcome",
         lambda: ("POST", f"/verifications/{state['vid']}/outcome", SERGEANT, {"outcome": "confirmed"}, 200), None),
        ("POST /verifications/{id}/cancel", cancel_setup, None),
        ("GET /public/verifications/{ref}",
         lambda: ("GET", f"/public/verifications/{state['reference']}", None, None, 200), None),
        ("PUT /me/duty", lambda: ("PUT", "/me/duty", SERGEANT, {"status": "available"}, 200), None),
        # Web Push opt-in (issue 17) by the off-duty sergeant, so no start's wave pushes to her.
        ("PUT /me/push-subscription",
         lambda: ("PUT", "/me/push-subscription", OFF_DUTY_SERGEANT, push_subscription(), 200), None),
        ("GET /me/push-subscription", lambda: ("GET", "/me/push-subscription", OFF_DUTY_SERGEANT, None, 200), None),
        ("GET /officers/{id}", lambda: ("GET", f"/officers/{OFFICER}", ADMIN, None, 200), None),
        ("PUT /officers/{id}", lambda: ("PUT", f"/officers/{OFFICER}", ADMIN, OFFICER_RECORD, 200), None),
    ]


def _empty_verifications_table(bench: BenchStack) -> None:
    """Between rounds (untimed): moto snapshots every table on each transaction (for rollback), so a
    growing table would make every write slower round by round, on both sides alike."""
    dynamodb = bench.plain_session.client("dynamodb")
    table_name = bench.deps.settings.verifications_table
    keys = [{"pk": i["pk"], "sk": i["sk"]} for page in dynamodb.get_paginator("scan").paginate(
        TableName=table_name, ProjectionExpression="pk, sk") for i in page["Items"]]
    for start in range(0, len(keys), 25):
        dynamodb.batch_write_item(
            RequestItems={table_name: [{"DeleteRequest": {"Key": k}} for k in keys[start:start + 25]]}
        )
    _forget_stream_records(table_name)


def _forget_stream_records(table_name: str) -> None:
    """moto keeps every stream record of a table in memory and deep-copies them with the table for
    each transaction, so transactions would slow down round by round (to ~100 ms after 20 rounds).
    DynamoDB's own cost does not grow with its stream; nothing here reads the stream, so drop them."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-west-2"].tables[table_name].stream_shard
    if shard is not None:
        shard.items.clear()


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """Seconds taken by `action()`, with the garbage collector kept off during it (as `timeit`
    does): moto's deep copies make garbage in bulk, and a full collection of this process's large
    heap costs more than a whole request, landing on either side by chance. The young generations
    are collected first (cheap); a full collection before every sample took minutes."""
    gc.collect(1)
    gc.disable()
    try:
        started = time.perf_counter()
        result = action()
        return result, time.perf_counter() - started
    finally:
        gc.enable()


def measure(rounds: int) -> dict[str, Any]:
    from moto import mock_aws

    with mock_aws(), quiet_stdout():
        bench = build()
        recorder = Recorder(bench.counter)
        client = bench.stack.client
        samples: dict[str, dict[str, list[float]]] = {}
        calls_per_route: dict[str, int] = {}
        refused: dict[str, set[tuple[str, str]]] = {}
        try:
            for round_number in range(rounds + 1):  # round 0 warms up (JWKS, first-use models)
                for name, prepare, after in routes(bench):
                    method, path, who, body, expected = prepare()
                    headers = bench.stack.headers(who) if who else {"Content-Type": "application/json"}
                    token = headers.get("Authorization", " ").split(" ", 1)[1] or None
                    payload = None if body is None else json.dumps(body)

                    # Bound now (default arguments): the call must use this iteration's request.
                    def candidate(method: str = method, path: str = path, headers: dict[str, str] = headers,
                                  payload: str | None = payload) -> Any:
                        return getattr(client.http, method.lower())(path, headers=headers, body=payload)

                    # The floor replays the calls the candidate has just made, so its reads find the
                    # same items (a replay of an earlier round's calls would read items already
                    # deleted, which moto answers faster, and flatter the floor).
                    (response, calls), candidate_seconds = _timed(lambda: recorder.capture(candidate))
                    assert response.status_code == expected, (name, response.status_code, response.body)
                    if after:
                        after(json.loads(response.body))
                    run_floor, clean_up = floor_for(bench, calls, token)
                    _, floor_seconds = _timed(run_floor)
                    clean_up()
                    refused.setdefault(name, set()).update(run_floor.refused)
                    if round_number == 0:
                        calls_per_route[name] = len(calls)
                        continue
                    entry = samples.setdefault(name, {"candidate": [], "floor": []})
                    entry["candidate"].append(candidate_seconds)
                    entry["floor"].append(floor_seconds)
                _empty_verifications_table(bench)
        finally:
            bench.close()
    result: dict[str, Any] = {"rounds": rounds, "routes": {}}
    for name, entry in samples.items():
        result["routes"][name] = {
            "calls": calls_per_route[name],
            "candidate_p50_ms": round(median(entry["candidate"]) * 1000, 2),
            "candidate_p99_ms": round(percentile(entry["candidate"], 0.99) * 1000, 2),
            "floor_p50_ms": round(median(entry["floor"]) * 1000, 2),
            "floor_p99_ms": round(percentile(entry["floor"], 0.99) * 1000, 2),
            "ratio": round(median(entry["candidate"]) / median(entry["floor"]), 2),
            "floor_refused": sorted(f"{method}: {code}" for method, code in refused.get(name, ())),
        }
    worst = max(result["routes"].items(), key=lambda kv: kv[1]["ratio"])
    result["worst_route"], result["worst_ratio"] = worst[0], worst[1]["ratio"]
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="3 rounds (a smoke test, not a measurement)")
    args = parser.parse_args(argv)
    result = measure(3 if args.quick else args.rounds)
    rows = [[name, r["calls"], f"{r['candidate_p50_ms']:.2f}", f"{r['candidate_p99_ms']:.2f}",
             f"{r['floor_p50_ms']:.2f}", f"{r['floor_p99_ms']:.2f}", f"{r['ratio']:.2f}x"]
            for name, r in result["routes"].items()]
    print(table(["route", "AWS calls", "p50 ms", "p99 ms", "floor p50", "floor p99", "ratio"], rows))
    print(f"worst route latency ratio: {result['worst_ratio']:.2f}x  ({result['worst_route']}; "
          f"target <= 1.2x on every route, {result['rounds']} rounds)")
    for name, r in result["routes"].items():
        if r["floor_refused"]:
            print(f"  {name}: the floor's replay was refused ({', '.join(r['floor_refused'])}): still a request made")
    save_result("latency", result)
    return result


if __name__ == "__main__":
    main()
