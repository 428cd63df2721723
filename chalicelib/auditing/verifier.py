"""`audit verify`: prove that a force's audit log is intact, or name every object that is not.

Checks, in order: every object version (delete markers and overwrites are visible even though the
current listing hides them), every event's own hash and position, every verification's hash chain,
that no chain lacks its tail (given what DynamoDB records: each verification's `audit_seq` and the
outbox events awaiting copy; issue 13, finding 6), every digest's signature and its link to the
previous digest, and that every event is listed, with the same hash, in a signed digest (events
written today are reported as pending, not as problems; so are events recorded in the last minutes
and still on their way to S3).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from ..domain import digest as d
from ..domain.audit import GENESIS_HASH, canonical_bytes, event_hash
from .recorded import RecordedChain

_EVENT_KEY = re.compile(
    r"^audit/force=(?P<force>[^/]+)/date=(?P<date>\d{4}-\d{2}-\d{2})/(?P<chain>[^/]+)/(?P<seq>\d{6})\.json$"
)
# An event recorded this recently and not in S3 yet is on its way (the stream is seconds behind).
IN_TRANSIT = timedelta(minutes=15)
_DIGEST_KEY = re.compile(
    r"^digests/force=(?P<force>[^/]+)/date=(?P<date>\d{4}-\d{2}-\d{2})/digest-\d{8}T\d{12}Z\.json$"
)


@dataclass(frozen=True)
class Problem:
    key: str
    what: str

    def __str__(self) -> str:
        return f"{self.key}: {self.what}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    events: int = 0
    chains: int = 0
    digests: int = 0
    pending: list[str] = field(default_factory=list)
    in_transit: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "INTACT" if self.intact else f"{len(self.problems)} PROBLEM(S)"
        pending = f", {len(self.pending)} written today and not yet in a digest" if self.pending else ""
        if self.in_transit:
            pending += f", {len(self.in_transit)} recorded in the last minutes and not yet copied"
        return f"{verdict}: {self.events} events in {self.chains} chains, {self.digests} digests checked{pending}"


class DigestSigner(Protocol):
    """The force's digest signing key (adapters/kms_signer.py): only its signatures are trusted."""

    key_id: str

    def verify(self, message_digest: bytes, signature: bytes, key_id: str | None = None) -> bool: ...


class RecordedChains(Protocol):
    """What DynamoDB records of each chain (auditing/recorded.py)."""

    def verifications(self, force: str, start: date | None, end: date | None) -> Iterable[RecordedChain]: ...

    def awaiting_copy(self, force: str, start: date | None, end: date | None) -> dict[str, datetime]: ...


@dataclass
class _Versions:
    current: dict[str, Any] | None = None
    object_versions: int = 0
    delete_markers: int = 0
    last_modified: datetime | None = None


class AuditVerifier:
    def __init__(self, s3: Any, bucket: str, signer: DigestSigner, progress: Callable[[str], None] | None = None,
                 today: date | None = None, records: RecordedChains | None = None,
                 now: datetime | None = None) -> None:
        """`records` (auditing/recorded.py) is what DynamoDB says each chain holds: without it only
        the bucket is checked, and a chain that lost its last events looks like one that ended."""
        self._s3 = s3
        self._bucket = bucket
        self._signer = signer
        self._progress = progress or (lambda message: None)
        self._now = now or datetime.now(UTC)
        self._today = today or self._now.date()
        self._records = records

    # ---- listing -------------------------------------------------------------------------

    def _versions(self, prefix: str) -> dict[str, _Versions]:
        found: dict[str, _Versions] = defaultdict(_Versions)
        paginator = self._s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                entry = found[version["Key"]]
                entry.object_versions += 1
                if version.get("IsLatest"):
                    entry.current = version
                    entry.last_modified = version.get("LastModified")
            for marker in page.get("DeleteMarkers", []):
                found[marker["Key"]].delete_markers += 1
        return found

    def _read(self, key: str, version_id: str) -> bytes:
        body: bytes = self._s3.get_object(Bucket=self._bucket, Key=key, VersionId=version_id)["Body"].read()
        return body

    # ---- the whole check -----------------------------------------------------------------

    def verify(self, force: str, start: date | None = None, end: date | None = None) -> Report:
        report = Report()

        def in_range(day: date) -> bool:
            return (start is None or day >= start) and (end is None or day <= end)

        all_versions = self._versions(f"audit/force={force}/")
        placed = {
            key: m for key in all_versions
            if (m := _EVENT_KEY.match(key)) and in_range(date.fromisoformat(m["date"]))
        }
        event_versions = {key: all_versions[key] for key in placed}
        self._progress(f"checking {len(event_versions)} audit objects for force {force}")
        chains: dict[str, dict[int, tuple[str, dict[str, Any]]]] = defaultdict(dict)
        current_hash: dict[str, str] = {}
        for position, (key, versions) in enumerate(sorted(event_versions.items()), start=1):
            if position % 250 == 0:
                self._progress(f"  {position}/{len(event_versions)} objects checked")
            match = placed[key]
            event = self._check_event_object(key, match, versions, report)
            if event is not None:
                chains[match["chain"]][int(match["seq"])] = (key, event)
                current_hash[key] = event.get("hash", "")
        report.events = len(event_versions)
        report.chains = len(chains)
        for _chain_id, events in sorted(chains.items()):
            self._check_chain(events, report)
        if self._records is not None:
            self._check_tails(force, start, end, chains, report)

        listed = self._check_digests(force, start, end, report)
        for key, versions in sorted(event_versions.items()):
            if key in listed:
                if key in current_hash and listed[key][1] != current_hash[key]:
                    report.problems.append(Problem(key, f"differs from the hash in digest {listed[key][0]}"))
            elif versions.last_modified is not None and versions.last_modified.date() >= self._today:
                report.pending.append(key)
            else:
                report.problems.append(
                    Problem(key, "not listed in any signed digest (inserted, or omitted by a digest)")
                )
        for key, (digest_key, _) in sorted(listed.items()):
            listed_match = _EVENT_KEY.match(key)
            if listed_match and in_range(date.fromisoformat(listed_match["date"])) and key not in event_versions:
                report.problems.append(Problem(key, f"listed in digest {digest_key} but missing from the bucket"))
        return report

    def _check_event_object(
        self, key: str, match: re.Match[str], versions: _Versions, report: Report
    ) -> dict[str, Any] | None:
        """`match` is `key` parsed by _EVENT_KEY."""
        if versions.delete_markers:
            report.problems.append(Problem(key, "deleted: a delete marker hides this event"))
        if versions.object_versions > 1:
            report.problems.append(Problem(key, f"overwritten: {versions.object_versions} versions exist"))
        if versions.current is None:
            return None
        body = self._read(key, versions.current["VersionId"])
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            report.problems.append(Problem(key, "not a JSON event"))
            return None
        if not isinstance(event, dict):
            report.problems.append(Problem(key, "not a JSON event"))
            return None
        if event.get("hash") != event_hash(event):
            report.problems.append(Problem(key, "content changed: hash does not match the event"))
        elif body != canonical_bytes(event):
            report.problems.append(Problem(key, "stored bytes are not the canonical serialisation"))
        if event.get("seq") != int(match["seq"]) or event.get("verification_id") != match["chain"]:
            report.problems.append(
                Problem(key, f"misplaced: the event says seq {event.get('seq')} of {event.get('verification_id')}")
            )
        if event.get("force") != match["force"]:
            report.problems.append(Problem(key, f"misplaced: the event belongs to force {event.get('force')}"))
        return event

    @staticmethod
    def _check_chain(events: dict[int, tuple[str, dict[str, Any]]], report: Report) -> None:
        previous_hash: str | None = GENESIS_HASH
        expected = 1
        for seq in sorted(events):
            key, event = events[seq]
            if seq != expected:
                report.problems.append(Problem(key, f"gap: seq {expected}..{seq - 1} missing before this event"))
                previous_hash = None  # unknown after a gap
            if previous_hash is not None and event.get("prev_hash") != previous_hash:
                report.problems.append(Problem(key, "chain broken: prev_hash does not match the previous event"))
            # An event without a hash breaks the link to the next one (None means unknown: only after a gap).
            stored_hash = event.get("hash")
            previous_hash = stored_hash if isinstance(stored_hash, str) else ""
            expected = seq + 1

    def _check_tails(self, force: str, start: date | None, end: date | None,
                     chains: dict[str, dict[int, tuple[str, dict[str, Any]]]], report: Report) -> None:
        """Each chain must reach, in S3, the last event DynamoDB records for it."""
        if self._records is None:
            return
        waiting = self._records.awaiting_copy(force, start, end)
        recorded: dict[str, tuple[int, str]] = {}
        for chain in self._records.verifications(force, start, end):
            recorded[chain.chain_id] = (chain.seq, chain.folder)
        for key in waiting:
            folder, name = key.rsplit("/", 1)
            chain_id, seq = folder.rsplit("/", 1)[1], int(name.removesuffix(".json"))
            if seq > recorded.get(chain_id, (0, ""))[0]:
                recorded[chain_id] = (seq, folder)
        for chain_id, (seq, folder) in sorted(recorded.items()):
            found = max(chains.get(chain_id, {}), default=0)
            if seq <= found:
                continue
            missing = [f"{folder}/{n:06d}.json" for n in range(found + 1, seq + 1)]
            if all(key in waiting and self._now - waiting[key] < IN_TRANSIT for key in missing):
                report.in_transit.extend(missing)
                continue
            last = f"the bucket ends at seq {found}" if found else "the bucket has none of them"
            report.problems.append(Problem(missing[0], f"missing chain tail: seq {found + 1}..{seq} recorded in "
                                                       f"DynamoDB, {last}"))

    def _check_digests(
        self, force: str, start: date | None, end: date | None, report: Report
    ) -> dict[str, tuple[str, str]]:
        """Verify every digest of the force; return event key -> (digest key, hash) for all listed events."""
        listed: dict[str, tuple[str, str]] = {}
        versions = {k: v for k, v in self._versions(f"digests/force={force}/").items() if _DIGEST_KEY.match(k)}
        bodies: dict[str, bytes] = {}
        for key, entry in sorted(versions.items()):
            if entry.delete_markers:
                report.problems.append(Problem(key, "digest deleted: a delete marker hides it"))
            if entry.object_versions > 1:
                report.problems.append(Problem(key, f"digest overwritten: {entry.object_versions} versions exist"))
            if entry.current is not None:
                bodies[key] = self._read(key, entry.current["VersionId"])
        for key, body in sorted(bodies.items()):
            report.digests += 1
            try:
                document = json.loads(body)
                signature = d.signature_of(document)
            except (ValueError, TypeError):
                report.problems.append(Problem(key, "digest is not a signed JSON document"))
                continue
            # Only the force's own signing key is trusted, whatever key the document claims.
            if document.get("signing_key_id") != self._signer.key_id:
                report.problems.append(
                    Problem(key, f"digest claims an untrusted signing key {document.get('signing_key_id')}")
                )
                continue
            if not self._signer.verify(d.message_digest(document), signature):
                report.problems.append(Problem(key, "digest signature is not valid"))
                continue  # an unverified digest vouches for nothing
            previous_key = document.get("previous_digest_key")
            if previous_key is not None:
                previous = bodies.get(previous_key)
                if previous is None:
                    report.problems.append(Problem(key, f"previous digest {previous_key} is missing"))
                elif d.object_hash(previous) != document.get("previous_digest_hash"):
                    report.problems.append(Problem(key, f"previous digest {previous_key} was changed"))
            for entry in document.get("events", []):
                listed[entry["key"]] = (key, entry["hash"])
        return listed
