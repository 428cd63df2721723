"""`registry import` (SPEC §7.1): a force's registry file becomes records, photos and sign-in accounts.

1. The whole file is checked first (domain/registry_import.py) and so is what it would do to the
   pool (an account under a row's sign-in name that belongs to someone else): any problem refuses
   the import before anything is written anywhere.
2. What is there is read in bulk: the force's registry partition (one Query, page by page) and
   the accounts (domain/sign_in.py, adapters/cognito_users.py), never one read per row.
3. Each person whose record, photo or account differs goes through `apply_registry_change`, the
   same path as `PUT /officers/{id}`; records and audit events are batched 25 per BatchWriteItem.
   A photo is uploaded only when its SHA-256 differs from the one the record holds.

People in the registry but not in the file are left as they are: a partial file (one borough, one
new intake) must not suspend everyone else. An empty `duty` keeps a sergeant's current duty (a new
sergeant starts off duty); an empty `photo` keeps the current photo.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.audit import Actor
from ..domain.registry import MAX_PHOTO_BYTES, Duty, OfficerStatus, RegistryRecord, Role, changed_fields
from ..domain.registry_import import (
    ImportRow,
    PhotoFile,
    PhotoLookup,
    Problem,
    check_photo_bytes,
    validate,
)
from ..domain.sign_in import AccountChange, SignInAccount, account_changes, username_for
from .registry import BatchedWrites, RegistryChange, apply_registry_change

if TYPE_CHECKING:
    from ..bootstrap import Dependencies

# Who the audit log names for an import: the operator's AWS identity is in CloudTrail, not here.
IMPORT_ACTOR = Actor(role="registry_import", officer_id=None)

Progress = Callable[[int, int], None]  # (rows done, rows in the file)
# People changed at once. Each change is a few calls in a row (create, group; or sign out, disable),
# so one at a time leaves Cognito idle between round trips; a few at once use the quota better,
# and botocore's adaptive mode (one rate limiter per client, shared by the workers) slows all of
# them down when Cognito or DynamoDB throttle.
WORKERS = 4


class ImportRefused(Exception):
    """The file (or what it would do) has problems: nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    disabled: int = 0  # accounts disabled by this run (people also counted as created or updated)

    def count(self, created: bool, changed: bool, disabled: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1
        self.disabled += int(disabled)

    def __str__(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, disabled {self.disabled}"


@dataclass(frozen=True)
class _Step:
    """One row's planned change (`after` lacks the photo's version until it is uploaded)."""

    row: ImportRow
    before: RegistryRecord | None
    after: RegistryRecord
    account: SignInAccount | None
    upload: bool
    fields: tuple[str, ...]
    account_changes: tuple[AccountChange, ...]

    @property
    def changed(self) -> bool:
        return self.before is None or bool(self.fields) or bool(self.account_changes)


def photo_folder(directory: Path) -> PhotoLookup:
    """Photo files looked up by name in `directory`: checked by size and content, hashed."""

    def lookup(name: str) -> PhotoFile | str:
        path = directory / name
        if not path.exists():
            return "no such file in the photo folder"
        if not path.is_file():
            return "not a file"
        size = path.stat().st_size
        if size >= MAX_PHOTO_BYTES:
            return check_photo_bytes(name, size, b"", "")
        data = path.read_bytes()
        return check_photo_bytes(name, len(data), data[:16], hashlib.sha256(data).hexdigest())

    return lookup


def photo_key(force: str, officer_id: str, photo: PhotoFile) -> str:
    """One stable key per officer (and kind): a changed photo is a new version of the same object."""
    return f"photos/{force}/{officer_id}.{photo.extension}"


def import_registry(
    deps: Dependencies,
    force: str,
    data: bytes,
    photos: Path | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check the whole file, then bring the registry and the pool in line with it (unless `dry_run`).

    Raises ImportRefused, having written nothing, if any row is invalid."""
    rows, problems = validate(data, photo_folder(photos) if photos is not None else None)
    if problems:
        raise ImportRefused(problems)
    existing = {record.officer_id: record for record in deps.registry.in_force(force)}
    accounts = deps.users.accounts(username_for(row.officer_id) for row in rows)
    steps, problems = _plan(force, rows, existing, accounts)
    if problems:
        raise ImportRefused(problems)

    summary = ImportSummary()
    todo: list[_Step] = []
    for step in steps:
        if dry_run or not step.changed:
            summary.count(step.before is None, step.changed, AccountChange.DISABLED in step.account_changes)
        else:
            todo.append(step)
    done = len(steps) - len(todo)
    if progress is not None:
        progress(done, len(steps))
    if not todo:
        return summary
    for shared in ("registry", "verifications", "users", "photo_store"):
        getattr(deps, shared)  # built before the workers share them (clients are thread-safe, building is not)
    writes = BatchedWrites(deps)
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="registry-import")
    try:
        for change in pool.map(lambda step: _apply(deps, step, photos, writes), todo):
            summary.count(change.created, change.changed, change.disabled)
            done += 1
            if progress is not None:
                progress(done, len(steps))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # the people already started finish; no more start
        raise
    finally:
        pool.shutdown(wait=True)
        writes.flush()  # every change made so far is stored and audited, even when the run stops
    return summary


def _apply(deps: Dependencies, step: _Step, photos: Path | None, writes: BatchedWrites) -> RegistryChange:
    after = step.after
    if step.upload:
        if step.row.photo is None or photos is None or after.photo is None:
            raise AssertionError("a planned photo upload needs the row's photo, the photo folder and the new photo key")
        body = (photos / step.row.photo.name).read_bytes()
        version = deps.photo_store.put(after.photo, body, step.row.photo.content_type, step.row.photo.sha256)
        after = dataclasses.replace(after, photo_version_id=version)
    return apply_registry_change(deps, IMPORT_ACTOR, step.before, after, email=step.row.email,
                                 account=step.account, writes=writes)


def _plan(force: str, rows: list[ImportRow], existing: dict[str, RegistryRecord],
          accounts: dict[str, SignInAccount]) -> tuple[list[_Step], list[Problem]]:
    steps: list[_Step] = []
    problems: list[Problem] = []
    for row in rows:
        before = existing.get(row.officer_id)
        after, upload = _desired(force, row, before)
        account = accounts.get(username_for(row.officer_id))
        if account is not None and not account.belongs_to(force, row.officer_id):
            problems.append(Problem(row.line, "officer_id", f"the sign-in name {account.username} is already "
                                    "another person's account in the user pool"))
            continue
        steps.append(_Step(row, before, after, account, upload, tuple(changed_fields(before, after)),
                           tuple(account_changes(account, after, row.email))))
    return steps, problems


def _desired(force: str, row: ImportRow, before: RegistryRecord | None) -> tuple[RegistryRecord, bool]:
    """The record the row asks for, and whether its photo must be uploaded."""
    duty: Duty | None = None
    if row.role is Role.SERGEANT:
        kept = before.duty if before is not None and before.role is Role.SERGEANT else None
        duty = row.duty or kept or Duty.OFF_DUTY
    photo, version, sha256, upload = (before.photo, before.photo_version_id, before.photo_sha256, False) \
        if before is not None else (None, None, None, False)
    if row.photo is not None:
        key = photo_key(force, row.officer_id, row.photo)
        if not (photo == key and sha256 == row.photo.sha256):
            photo, version, sha256, upload = key, None, row.photo.sha256, True
    return RegistryRecord(
        force=force,
        officer_id=row.officer_id,
        given_name=row.given_name,
        family_name=row.family_name,
        rank=row.rank,
        status=row.status,
        role=row.role,
        phone=row.phone,
        photo=photo,
        duty=duty,
        last_notified_at=before.last_notified_at if before is not None else None,
        last_seen_at=before.last_seen_at if before is not None else None,
        last_accepted_at=before.last_accepted_at if before is not None else None,
        # The sergeant's own push subscription survives an import while they serve in the same role.
        push=before.push if before is not None and row.status is OfficerStatus.SERVING and row.role is before.role
        else None,
        photo_version_id=version,
        photo_sha256=sha256,
    ), upload
