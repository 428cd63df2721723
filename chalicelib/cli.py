"""Command line for auditors: `python -m chalicelib.cli audit show VERIFICATION_ID`.

Reads the S3 audit log (not DynamoDB), checks the verification's hash chain and prints its timeline.
`--stack .local/stack.json` points it at the local stack started by `make run`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from .domain.audit import verify_chain


def _use_local_stack(stack_file: Path) -> str:
    details = json.loads(stack_file.read_text())
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": details["aws_endpoint_url"],
            "AWS_DEFAULT_REGION": details["region"],
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    return details["audit_bucket"]


def load_events(s3: Any, bucket: str, verification_id: str) -> list[dict[str, Any]]:
    """Every audit object of one verification, found by listing the `audit/` partitions."""
    events = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="audit/"):
        for item in page.get("Contents", []):
            if f"/{verification_id}/" in item["Key"]:
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                events.append(json.loads(body))
    return sorted(events, key=lambda event: event["seq"])


def _describe(data: dict[str, Any]) -> str:
    parts = []
    for key, value in data.items():
        if value is None or value == [] or value == {}:
            continue
        if isinstance(value, dict):
            value = ",".join(f"{k}={v}" for k, v in value.items() if v is not None)
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    return " ".join(parts)


def show(events: list[dict[str, Any]], verification_id: str, out: TextIO) -> int:
    if not events:
        print(f"No audit events for {verification_id}.", file=out)
        return 1
    problems = verify_chain(events)
    state = "chain intact" if not problems else f"CHAIN BROKEN ({len(problems)} problems)"
    print(f"Verification {verification_id} (force {events[0]['force']}): {len(events)} events, {state}", file=out)
    for event in events:
        actor = event["actor"]
        who = f"{actor['role']} {actor['officer_id']}" if actor.get("officer_id") else actor["role"]
        print(f"  #{event['seq']:<3} {event['at']}  {event['type']:<28} {who:<18} {_describe(event['data'])}", file=out)
    for problem in problems:
        print(f"  ! {problem}", file=out)
    return 0 if not problems else 2


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli", description=__doc__)
    parser.add_argument("--stack", type=Path, help="use the local stack described by this stack.json")
    commands = parser.add_subparsers(dest="area", required=True)
    audit = commands.add_parser("audit", help="read the S3 audit log").add_subparsers(dest="command", required=True)
    show_cmd = audit.add_parser("show", help="one verification's timeline, with its chain checked")
    show_cmd.add_argument("verification_id")
    args = parser.parse_args(argv)

    bucket = _use_local_stack(args.stack) if args.stack else None
    from .settings import Settings

    settings = Settings.from_env()
    import boto3

    s3 = boto3.session.Session().client("s3", region_name=settings.region)
    events = load_events(s3, bucket or settings.audit_bucket, args.verification_id)
    return show(events, args.verification_id, out)


if __name__ == "__main__":
    sys.exit(main())
