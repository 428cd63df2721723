"""Load: N verifications over HTTP against the stack `make run` starts, `--concurrency` at a time.

Each verification has its own officer and its own accepting sergeant (created for the run in the
local Cognito pool and registry), and a second sergeant races it to accept. Checked: zero errors,
exactly one winner per verification, and every audit chain complete in S3 (numbered from 1, hashes
chained, ending in `verification.confirmed`). Prints throughput and p50/p99 per step.

The local stack runs one app invocation at a time (moto is not thread-safe), like one Lambda
container: throughput here is that single container's, not what a deployment scales to.

    python bench/load.py [--verifications 200] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, save_result, table

PASSWORD = "Load-Passw0rd!"  # noqa: S105 - throwaway users of a local stack made just for this run


def _create_people(stack: Any, count: int) -> dict[str, str]:
    """Officer LO{i} and sergeant LS{i} (available) in the Met, in Cognito (enrolled in TOTP MFA)
    and in the registry; returns each one's TOTP secret."""
    from chalicelib.adapters.dynamodb import DynamoRegistry
    from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role
    from chalicelib.local.sign_in import enrol_totp

    cognito = stack.client("cognito-idp")
    pool = stack.details["cognito"]["user_pool_id"]
    client_id = stack.details["cognito"]["client_id"]
    secrets: dict[str, str] = {}
    records = []
    for i in range(count + 1):  # one spare sergeant: the last verification's challenger
        for prefix, role in (("LO", Role.OFFICER), ("LS", Role.SERGEANT)):
            officer_id = f"{prefix}{i:04d}"
            cognito.admin_create_user(UserPoolId=pool, Username=officer_id.lower(), MessageAction="SUPPRESS",
                                      UserAttributes=[{"Name": "custom:force", "Value": "met"},
                                                      {"Name": "custom:officer_id", "Value": officer_id}])
            cognito.admin_set_user_password(UserPoolId=pool, Username=officer_id.lower(), Password=PASSWORD,
                                            Permanent=True)
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=officer_id.lower(), GroupName=role.value)
            # The pool requires MFA: each enrols in TOTP once, like the seeded users.
            secrets[officer_id] = enrol_totp(cognito, client_id, officer_id.lower(), PASSWORD)
            sergeant = role is Role.SERGEANT
            records.append(RegistryRecord(
                force="met", officer_id=officer_id, given_name="Load", family_name=f"Test{i}",
                rank="PS" if sergeant else "PC",
                status=OfficerStatus.SERVING, role=role, phone=f"+4477009{10000 + i:05d}" if sergeant else None,
                photo=None, duty=Duty.AVAILABLE if sergeant else None,
            ))
    DynamoRegistry(stack.client("dynamodb"), stack.details["tables"]["registry"]).put_many(records)
    return secrets


def _token(stack: Any, officer_id: str, totp_secret: str) -> str:
    from chalicelib.local.sign_in import sign_in

    token: str = sign_in(stack.client("cognito-idp"), stack.details["cognito"]["client_id"], officer_id.lower(),
                         PASSWORD, totp_secret)["IdToken"]
    return token


def _call(api: str, method: str, path: str, token: str, body: Any) -> tuple[int, Any, float]:
    request = urllib.request.Request(  # noqa: S310 - `api` is the local stack's own http://127.0.0.1 URL
        api + path, method=method, data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - to the local stack, as above
            return response.status, json.loads(response.read()), time.perf_counter() - began
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), time.perf_counter() - began


def _one(api: str, tokens: dict[str, str], i: int) -> dict[str, Any]:
    officer, sergeant, challenger = f"LO{i:04d}", f"LS{i:04d}", f"LS{i + 1:04d}"
    timings: dict[str, float] = {}
    status, started, timings["start"] = _call(api, "POST", "/verifications", tokens[officer],
                                              {"location": {"lat": 51.5, "lon": -0.12}, "area": f"Load {i}"})
    if status != 201:
        return {"error": f"start {status} {started}"}
    vid = started["verification_id"]
    first, _, timings["accept"] = _call(api, "POST", f"/verifications/{vid}/accept", tokens[sergeant], {})
    second, second_body, _ = _call(api, "POST", f"/verifications/{vid}/accept", tokens[challenger], {})
    winners = [code for code in (first, second) if code == 200]
    if first != 200 or second != 409 or second_body["error"]["code"] != "already_accepted":
        return {"error": f"accept {first}/{second}", "vid": vid, "winners": len(winners)}
    status, decided, timings["outcome"] = _call(api, "POST", f"/verifications/{vid}/outcome", tokens[sergeant],
                                                {"outcome": "confirmed"})
    if status != 200 or decided["status"] != "confirmed":
        return {"error": f"outcome {status}", "vid": vid, "winners": len(winners)}
    return {"vid": vid, "day": started["created_at"][:10], "winners": len(winners), "timings": timings}


def _chains_complete(stack: Any, results: list[dict[str, Any]], wait_seconds: float = 120) -> list[str]:
    """Problems in the S3 audit chains (empty: every chain whole), waiting for the stream to catch up."""
    from chalicelib.domain.audit import verify_chain

    s3 = stack.client("s3")
    bucket = stack.details["audit_bucket"]
    deadline = time.monotonic() + wait_seconds
    while True:
        problems = []
        for result in results:
            prefix = f"audit/force=met/date={result['day']}/{result['vid']}/"
            events = [json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read())
                      for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
            types = [e["type"] for e in sorted(events, key=lambda e: e["seq"])]
            if "verification.confirmed" not in types:
                problems.append(f"{result['vid']}: no verification.confirmed yet ({len(events)} events)")
            problems += [f"{result['vid']}: {p}" for p in verify_chain(events)]
        if not problems or time.monotonic() > deadline:
            return problems
        time.sleep(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verifications", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()

    from tests.e2e.conftest import _run_stack

    state = Path(tempfile.mkdtemp(prefix="load-stack-"))
    running = _run_stack(state, {"MAX_STARTS_PER_HOUR": "1000", "WAVE_SIZE": "3"})
    stack = next(running)
    try:
        secrets = _create_people(stack, args.verifications)
        ids = [f"{p}{i:04d}" for i in range(args.verifications + 1) for p in ("LO", "LS")]
        with ThreadPoolExecutor(args.concurrency) as pool:
            tokens = dict(zip(ids, pool.map(lambda officer_id: _token(stack, officer_id, secrets[officer_id]), ids),
                              strict=True))
            began = time.perf_counter()
            results = list(pool.map(lambda i: _one(stack.api, tokens, i), range(args.verifications)))
            elapsed = time.perf_counter() - began
        errors = [r["error"] for r in results if "error" in r]
        done = [r for r in results if "error" not in r]
        problems = _chains_complete(stack, done)
    finally:
        next(running, None)

    rows = []
    for step in ("start", "accept", "outcome"):
        values = [r["timings"][step] for r in done]
        if values:
            rows.append([step, f"{percentile(values, 0.5) * 1000:.0f} ms", f"{percentile(values, 0.99) * 1000:.0f} ms"])
    print(table(["step", "p50", "p99"], rows))
    throughput = len(done) / elapsed if elapsed else 0.0
    print(f"verifications: {len(done)}/{args.verifications} in {elapsed:.1f} s ({throughput:.2f}/s, "
          f"{args.concurrency} at a time)")
    print(f"errors: {len(errors)}  exactly one winner: {sum(r['winners'] == 1 for r in done)}/{len(done)}  "
          f"incomplete audit chains: {len(problems)}")
    for line in (errors + problems)[:10]:
        print(f"  {line}")
    save_result("load", {"verifications": args.verifications, "concurrency": args.concurrency, "completed": len(done),
                         "errors": len(errors), "chain_problems": len(problems), "seconds": elapsed,
                         "throughput_per_second": throughput})
    return 0 if not errors and not problems and len(done) == args.verifications else 1


if __name__ == "__main__":
    sys.exit(main())
