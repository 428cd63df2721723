"""Which audit outbox items may join the log in S3 (issue 13, findings 6 and 7).

Outbox items are written by whoever can write the verifications table, and a compromised function
could add its own. So the copier trusts nothing an item says about itself: an event is copied only
if it is a well-formed event at its own place (its item key, its S3 key and its content agree), its
hash recomputes, and it extends the chain already written in S3 for its verification (seq 1 starts
from the genesis hash; seq N links to the hash of seq N-1 as written). S3 is the record of "the
chain already written": only the copiers may write under `audit/`, and Object Lock keeps it.

An event whose predecessor is not in S3 is not necessarily forged: the predecessor may be waiting
in the outbox (a stream batch that gave up, a batch still being retried). It then waits too, and is
judged once its predecessor has been copied. Only when the predecessor is nowhere (neither written
nor waiting at its place) can the event never extend the chain: then it is quarantined.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .audit import event_hash

# SPEC §5's key, with the parts the copier checks against the event.
AUDIT_KEY = re.compile(
    r"^audit/force=(?P<force>[a-z0-9-]{1,32})/date=(?P<date>\d{4}-\d{2}-\d{2})/(?P<chain>[A-Za-z0-9_-]{1,64})/(?P<seq>\d{6})\.json$"
)
QUARANTINE_PREFIX = "quarantine/"


class Reason:
    """Why an outbox item was quarantined: stable codes for alerts, the audit event and Athena."""

    NOT_AN_EVENT = "not_an_event"  # not a JSON object with the SPEC §5 fields
    HASH_MISMATCH = "hash_mismatch"  # its hash does not recompute from its content
    MISPLACED = "misplaced"  # its item key, S3 key and content disagree on force, chain or seq
    CHAIN_MISMATCH = "chain_mismatch"  # prev_hash is not the hash of the event written before it
    PREDECESSOR_MISSING = "predecessor_missing"  # seq N-1 is neither in S3 nor waiting in the outbox
    PREDECESSOR_QUARANTINED = "predecessor_quarantined"  # seq N-1 was itself quarantined
    CONFLICTS_WITH_WRITTEN = "conflicts_with_written"  # another event is already written at its key


@dataclass(frozen=True)
class OutboxItem:
    """One `audit_event` item as stored (or as the stream delivered it): strings only, unparsed.

    `pk`/`sk` are the item's key as found (the fingerprint, the writes back); `key_chain`/`key_seq`
    are what that key claims, decoded by the adapter (adapters/dynamodb/keys.py owns the format),
    None when it is not an audit-event key."""

    pk: str
    sk: str
    audit_key: str | None
    event_json: str | None
    awaiting_copy: bool = False
    quarantined: bool = False
    key_chain: str | None = None
    key_seq: int | None = None

    @property
    def seq_from_key(self) -> int:
        """The seq its item key claims (ordering only; 0 when it claims none)."""
        return self.key_seq or 0

    def fingerprint(self) -> str:
        """SHA-256 of exactly what was found: names the quarantined copy, so redelivery finds it."""
        found = {"pk": self.pk, "sk": self.sk, "audit_key": self.audit_key, "event_json": self.event_json}
        return hashlib.sha256(json.dumps(found, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Checked:
    """A well-formed event at its own place, ready to be judged against the written chain."""

    event: dict[str, Any]
    key: str

    @property
    def seq(self) -> int:
        return int(self.event["seq"])

    @property
    def predecessor_key(self) -> str:
        return predecessor_key(self.key)


def check_item(item: OutboxItem) -> tuple[Checked | None, str | None]:
    """The event if the item is well formed and in its own place; else why not (a Reason)."""
    try:
        event = json.loads(item.event_json or "")
    except ValueError:
        return None, Reason.NOT_AN_EVENT
    required = ("event_id", "verification_id", "force", "seq", "type", "at", "actor", "data", "prev_hash", "hash")
    if not isinstance(event, dict) or any(name not in event for name in required):
        return None, Reason.NOT_AN_EVENT
    if not isinstance(event["seq"], int) or isinstance(event["seq"], bool) or event["seq"] < 1:
        return None, Reason.NOT_AN_EVENT
    if event["hash"] != event_hash(event):
        return None, Reason.HASH_MISMATCH
    match = AUDIT_KEY.match(item.audit_key or "")
    chain, seq = event["verification_id"], event["seq"]
    if (
        match is None
        or (item.key_chain, item.key_seq) != (chain, seq)
        or (match["force"], match["chain"], int(match["seq"])) != (event["force"], chain, seq)
    ):
        return None, Reason.MISPLACED
    return Checked(event, item.audit_key or ""), None


def predecessor_key(key: str) -> str:
    """The S3 key of the event before the one at `key` (same force, date and chain)."""
    folder, name = key.rsplit("/", 1)
    return f"{folder}/{int(name.removesuffix('.json')) - 1:06d}.json"


def quarantine_key(item: OutboxItem) -> str:
    """Where a refused item is kept for investigation: outside `audit/`, so never in a chain."""
    return f"{QUARANTINE_PREFIX}{item.fingerprint()}.json"


def claimed_place(item: OutboxItem) -> dict[str, Any]:
    """What a refused item claims to be (for the alert and the audit event): force, chain, seq.

    Each part is kept only if it has the shape of a real one, so nothing odd reaches an alert or a key."""
    try:
        event = json.loads(item.event_json or "")
    except ValueError:
        event = None
    event = event if isinstance(event, dict) else {}
    match = AUDIT_KEY.match(item.audit_key or "")
    force = event.get("force") if isinstance(event.get("force"), str) else (match["force"] if match else None)
    chain = event.get("verification_id") if isinstance(event.get("verification_id"), str) else None
    seq = event.get("seq") if isinstance(event.get("seq"), int) else item.seq_from_key or None
    return {
        "force": force if force and re.fullmatch(r"[a-z0-9-]{1,32}", force) else None,
        "verification_id": chain if chain and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", chain) else None,
        "seq": seq,
    }
