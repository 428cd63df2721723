"""Command line for a force's administrators, auditors and professional standards.

  python -m chalicelib.cli audit verify --force met [--from 2026-11-01 --to 2026-11-30]
  python -m chalicelib.cli audit digest --force met --date 2026-11-27
  python -m chalicelib.cli audit show VERIFICATION_ID
  python -m chalicelib.cli registry import --force met officers.csv [--photos DIR] [--dry-run]

`verify` and `show` read the S3 audit log (and ask KMS to check digest signatures); `verify` also
reads, from the verifications table, each check's recorded audit_seq and the events awaiting copy. `digest`
writes one day's signed digest on demand (the deployed app does it daily at 00:15 UTC).
`registry import` checks the whole file, then upserts the force's registry records, photos and
Cognito accounts (SPEC §7.1); any invalid row: exit 2, `line N: field: message` on stderr, nothing
written. `--stack .local/stack.json` points any of them at the local stack started by `make run`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from .domain.audit import verify_chain

# A registry import makes tens of thousands of calls: botocore's adaptive mode slows the client down
# when Cognito or DynamoDB throttle (and retries), instead of failing the run. Reads get longer: a
# 1 MB page of the registry partition is quick in AWS, but takes seconds on the local moto server.
BULK_CLIENT_OPTIONS = {"retries": {"mode": "adaptive", "max_attempts": 10}, "read_timeout": 120}
PROGRESS_FROM_ROWS = 100  # files with more rows show a progress bar on stderr


def _use_local_stack(stack_file: Path) -> dict[str, Any]:
    details: dict[str, Any] = json.loads(stack_file.read_text())
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": details["aws_endpoint_url"],
            "AWS_DEFAULT_REGION": details["region"],
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AUDIT_BUCKET": details["audit_bucket"],
            "AUDIT_SIGNING_KEY_ID": details.get("audit_signing_key_id", ""),
            "AUDIT_DATA_KEY_ID": details.get("audit_data_key_id", ""),
            "VERIFICATIONS_TABLE": details["tables"]["verifications"],
            "REGISTRY_TABLE": details["tables"].get("registry", ""),
            "PHOTOS_BUCKET": details.get("photos_bucket", ""),
            "USER_POOL_ID": details.get("cognito", {}).get("user_pool_id", ""),
            # An import that suspends a sergeant hands their checks back (SPEC §7.2): it texts the
            # next wave, arms its timers and alerts the control room, as the app would.
            "ALERTS_TOPIC_ARN": details.get("alerts_topic_arn", ""),
            "TIMERS_QUEUE_URL": details.get("timers_queue_url", ""),
            "PUBLIC_BASE_URL": details.get("api_url", ""),
        }
    )
    return details


def load_events(s3: Any, bucket: str, verification_id: str) -> list[dict[str, Any]]:
    """Every audit object of one verification, found by listing the `audit/` partitions."""
    events = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="audit/"):
        for item in page.get("Contents", []):
            if f"/{verification_id}/" in item["Key"]:
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                events.append(json.loads(body))
    return sorted(events, key=lambda event: event["seq"])


def _reveal(data: dict[str, Any], chain_id: str, envelope: Any) -> dict[str, Any]:
    """Decrypt sealed personal data for display, or mark it erased (the stored event is unchanged)."""
    from .adapters.envelope import DataKeyErased, is_sealed

    shown = {}
    for key, value in data.items():
        if is_sealed(value):
            try:
                value = envelope.open(chain_id, value) if envelope else "[sealed]"
            except DataKeyErased:
                value = "[erased]"
        shown[key] = value
    return shown


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


def show(events: list[dict[str, Any]], verification_id: str, out: TextIO, envelope: Any = None) -> int:
    if not events:
        print(f"No audit events for {verification_id}.", file=out)
        return 1
    problems = verify_chain(events)
    state = "chain intact" if not problems else f"CHAIN BROKEN ({len(problems)} problems)"
    print(f"Verification {verification_id} (force {events[0]['force']}): {len(events)} events, {state}", file=out)
    for event in events:
        actor = event["actor"]
        who = f"{actor['role']} {actor['officer_id']}" if actor.get("officer_id") else actor["role"]
        data = _reveal(event["data"], verification_id, envelope)
        print(f"  #{event['seq']:<3} {event['at']}  {event['type']:<28} {who:<18} {_describe(data)}", file=out)
    for problem in problems:
        print(f"  ! {problem}", file=out)
    return 0 if not problems else 2


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", type=Path, help="use the local stack described by this stack.json")
    commands = parser.add_subparsers(dest="area", required=True)
    audit = commands.add_parser("audit", help="the S3 audit log").add_subparsers(dest="command", required=True)
    verify_cmd = audit.add_parser("verify", help="check every chain, object version and signed digest")
    verify_cmd.add_argument("--force", required=True)
    verify_cmd.add_argument("--from", dest="start", type=_day, help="first creation date to check")
    verify_cmd.add_argument("--to", dest="end", type=_day, help="last creation date to check")
    digest_cmd = audit.add_parser("digest", help="sign a digest of one day's writes so far (nightly: the day before)")
    digest_cmd.add_argument("--force", required=True)
    digest_cmd.add_argument("--date", required=True, type=_day)
    show_cmd = audit.add_parser("show", help="one verification's timeline, with its chain checked")
    show_cmd.add_argument("verification_id")
    registry = commands.add_parser("registry", help="the force registry").add_subparsers(dest="command", required=True)
    import_cmd = registry.add_parser("import", help="upsert registry records, photos and sign-in accounts from a CSV")
    import_cmd.add_argument("--force", required=True, type=_force)
    import_cmd.add_argument("file", type=Path, metavar="FILE.csv")
    import_cmd.add_argument("--photos", type=Path, metavar="DIR", help="the folder the photo column's files are in")
    import_cmd.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    argv = list(sys.argv[1:] if argv is None else argv)
    if "show" in argv:
        # Older ids may start with '-': everything after `show` is the id, never an option.
        position = argv.index("show")
        if position + 1 < len(argv) and argv[position + 1] not in ("--", "-h", "--help"):
            argv.insert(position + 1, "--")
    args = parser.parse_args(argv)

    details = _use_local_stack(args.stack) if args.stack else None
    from .bootstrap import Dependencies
    from .settings import Settings

    if args.area == "registry":
        return registry_import(args, details, out, err)
    deps = Dependencies(Settings.from_env())
    bucket = deps.settings.audit_bucket
    if args.command == "show":
        envelope = deps.envelope if deps.settings.audit_data_key_id else None
        return show(load_events(deps.s3, bucket, args.verification_id), args.verification_id, out, envelope)
    if args.command == "digest":
        from .auditing.digests import DigestExists
        from .services.auditing import write_digest_of_day

        try:
            key, document = write_digest_of_day(deps, args.force, args.date)
        except DigestExists as exists:
            print(f"{exists} already exists; digests are never replaced. Try again in a second.", file=err)
            return 1
        print(f"Wrote {key}: {document['event_count']} events, signed with {document['signing_key_id']}", file=out)
        return 0
    from .auditing.recorded import DynamoRecordedChains
    from .auditing.verifier import AuditVerifier

    # What DynamoDB records for each chain shows a chain whose last events never reached S3.
    records = DynamoRecordedChains(deps.dynamodb, deps.settings.verifications_table)
    verifier = AuditVerifier(deps.s3, bucket, deps.digest_signer,
                             progress=lambda line: print(line, file=err, flush=True),
                             records=records, now=deps.clock())
    report = verifier.verify(args.force, args.start, args.end)
    for problem in report.problems:
        print(str(problem), file=out)
    print(report.summary(), file=out)
    return 0 if report.intact else 1


def _force(text: str) -> str:
    from .domain.registry_import import valid_force

    if not valid_force(text):
        raise argparse.ArgumentTypeError(f"not a force name (2-32 lower-case letters, digits or '-'): {text}")
    return text


def registry_import(args: argparse.Namespace, stack: dict[str, Any] | None, out: TextIO, err: TextIO) -> int:
    """`registry import`: exit 0 imported, 2 refused (nothing written), 1 stopped by AWS part-way."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .adapters.cognito_users import InvitationFile
    from .bootstrap import Dependencies
    from .services.registry_import import ImportRefused, import_registry
    from .settings import Settings

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=err)
        return 2
    if args.photos is not None and not args.photos.is_dir():
        print(f"--photos {args.photos} is not a folder", file=err)
        return 2
    invitations = None
    if stack is not None:
        # No mail leaves the local stack: invitations land in a file `make run` prints.
        invitations = InvitationFile(Path(stack.get("invitations_file") or args.stack.parent / "invitations.jsonl"))
    deps = Dependencies(Settings.from_env(), invitations=invitations, client_options=BULK_CLIENT_OPTIONS)
    bar = _ProgressBar(err)
    try:
        summary = import_registry(deps, args.force, data, args.photos, dry_run=args.dry_run, progress=bar.show)
    except ImportRefused as refused:
        for problem in refused.problems:
            print(str(problem), file=err)
        print(f"{args.file}: {len(refused.problems)} problem(s); nothing was written", file=out)
        return 2
    except (ClientError, BotoCoreError) as error:
        bar.end()
        code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
        print(f"registry import stopped by AWS ({code}) after {bar.done} of {bar.total} rows; "
              "run the same file again to finish (done rows count as unchanged)", file=err)
        return 1
    bar.end()
    if args.dry_run:
        print("dry run: nothing was written", file=out)
    print(str(summary), file=out)
    return 0


class _ProgressBar:
    """`[#####.....]  15000/30000 rows` on stderr, redrawn in place; only for files over 100 rows."""

    WIDTH = 30

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self.done = self.total = 0
        self._drawn = -1

    def show(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if total <= PROGRESS_FROM_ROWS:
            return
        filled = done * self.WIDTH // total
        if filled == self._drawn and done != total:
            return
        self._drawn = filled
        print(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:>{len(str(total))}}/{total} rows",
              end="", file=self._err, flush=True)

    def end(self) -> None:
        if self._drawn >= 0:
            print(file=self._err, flush=True)
            self._drawn = -1


if __name__ == "__main__":
    sys.exit(main())
