"""Every key the DynamoDB tables use, in one place: the table layout.

Verifications table (single-table design, `pk` / `sk`, stream NEW_IMAGE):
  V#{id} / META                the verification (status, people, meeting, end of its audit chain)
  V#{id} / EVENT#{seq:06d}     one audit event (the outbox the stream consumer copies to S3)
  A#{chain} / EVENT#{seq:06d}  an audit chain that created no verification: a registry read or
                               import, or a caller's refusals of one day (chain id
                               `refusals-{force}-{officer id}-{day}`, see refusal_chain_id), or
                               the citizens' requests for one officer's check on one day
                               (`requests-{force}-{officer id}-{day}`, see check_request_chain_id)
  REF#{reference} / REF        reference -> verification id (uniqueness + public look-up by GetItem)
  ACTIVE#{force}#{officer} / ACTIVE   at most one non-terminal verification per officer
  STARTS#{force}#{officer} / STARTS   the officer's recent start times (the hourly limit)
  DATAKEY#{chain} / DATAKEY    the KMS-wrapped data key sealing that chain's personal data
  RETAIN#{day} / {chain}       the chains created on `day`: due for erasure together
  AUDITLOG#{force}#{day} / {object key}   what the audit consumer wrote to S3 that day (digest input)
  AUDITFORCES#{day} / {force}  which forces had anything written that day
  ALERTS#{chain} / ALERT#{token}   a control-room alert raised about that chain (alert id
                               `{chain}.{token}`, see alert_key); its chain is a verification id or
                               an attempt chain id, so erasure finds a chain's alerts by one Query
  GSI `by_force_status`: gsi1pk = "{force}#{status}", gsi1sk = created_at (a sergeant's queue);
      alerts: gsi1pk = "{force}#alerts", gsi1sk = "U#{raised_at}#{alert id}" until acknowledged,
      then "A#{raised_at}#{alert id}" (the control room's board: one descending Query per prefix;
      erasure removes both keys, so an erased alert leaves the board).
  Sparse GSI `audit_awaiting_copy`: (awaiting_copy, recorded_at), the outbox events not yet in S3.

Registry table (`force`, `officer_id`): one item per person.
  Sparse GSI `available_sergeants`: available_in_force, set only while the person can be texted.

Idempotency table (`id`, TTL `expiration`): Powertools Idempotency records, and short-lived items:
  viewed#{verification id}#{force}#{officer}   a consultation mark (who had `verification.viewed`
                                               logged, until when)
  ratelimit#{key}#{window}    a fixed-window request counter, e.g. key public-miss#{address pseudonym}
                              or check-request#{address pseudonym}
  lookuppass#{pseudonym}      an (address, reference) pair that may keep watching a check
  alertfold#{force}#{officer}#{kind}   the open alert window of one caller and alert kind (also
                              of the citizens' requests for one officer: kind citizen_request)

Nothing here touches a table: these are the strings, so every adapter (and erasure) agrees on them.
"""

from __future__ import annotations

import hashlib
import re

# ---- verifications table ----------------------------------------------------------------------

STATUS_INDEX = "by_force_status"
# Every outbox event carries these until a copier has put it in S3 (or quarantined it): the sparse
# GSI on them is the backlog the reconciler copies and erasure waits for (adapters/audit_outbox.py).
AWAITING_COPY_INDEX = "audit_awaiting_copy"
AWAITING_COPY = "awaiting_copy"
RECORDED_AT = "recorded_at"

META = "META"
EVENT_PREFIX = "EVENT#"


def verification_pk(verification_id: str) -> str:
    return f"V#{verification_id}"


def meta_key(verification_id: str) -> dict[str, str]:
    return {"pk": verification_pk(verification_id), "sk": META}


def attempt_pk(chain_id: str) -> str:
    return f"A#{chain_id}"


def event_sk(seq: int) -> str:
    return f"{EVENT_PREFIX}{seq:06d}"


def chain_of_pk(pk: str) -> str | None:
    """The chain id an audit event's partition key names (V#{id} or A#{chain}), or None."""
    for prefix in ("V#", "A#"):
        if pk.startswith(prefix) and len(pk) > len(prefix):
            return pk[len(prefix):]
    return None


def seq_of_sk(sk: str) -> int | None:
    """The seq an audit event's sort key names (EVENT#nnnnnn), or None."""
    digits = sk.removeprefix(EVENT_PREFIX)
    return int(digits) if sk.startswith(EVENT_PREFIX) and len(digits) == 6 and digits.isdigit() else None


def reference_key(reference: str) -> dict[str, str]:
    return {"pk": f"REF#{reference}", "sk": "REF"}


def active_key(force: str, officer_id: str) -> dict[str, str]:
    return {"pk": f"ACTIVE#{force}#{officer_id}", "sk": "ACTIVE"}


def starts_key(force: str, officer_id: str) -> dict[str, str]:
    return {"pk": f"STARTS#{force}#{officer_id}", "sk": "STARTS"}


def status_partition(force: str, status: str) -> str:
    """gsi1pk of `by_force_status`."""
    return f"{force}#{status}"


ALERTS_STATUS = "alerts"
UNACKNOWLEDGED = "U#"
ACKNOWLEDGED = "A#"
_ALERT_SEPARATOR = "."


def alerts_pk(chain_id: str) -> str:
    return f"ALERTS#{chain_id}"


def alert_id(chain_id: str, token: str) -> str:
    """Alert ids name their chain: chain ids and tokens never contain a dot."""
    return f"{chain_id}{_ALERT_SEPARATOR}{token}"


def alert_key(alert_id: str) -> dict[str, str] | None:
    """The item of an alert id, or None for a string that is no alert id (a 404, never a Scan)."""
    chain_id, separator, token = alert_id.rpartition(_ALERT_SEPARATOR)
    if not separator or not _PLAIN_ID.match(chain_id) or not _PLAIN_ID.match(token):
        return None
    return {"pk": alerts_pk(chain_id), "sk": f"ALERT#{token}"}


def alert_board_sk(acknowledged: bool, raised_at: str, alert_id: str) -> str:
    """gsi1sk of an alert: descending, unacknowledged ("U#") come before acknowledged ("A#")."""
    return f"{ACKNOWLEDGED if acknowledged else UNACKNOWLEDGED}{raised_at}#{alert_id}"


def data_key_key(chain_id: str) -> dict[str, str]:
    return {"pk": f"DATAKEY#{chain_id}", "sk": "DATAKEY"}


def retention_pk(day: str) -> str:
    return f"RETAIN#{day}"


def retention_key(day: str, chain_id: str) -> dict[str, str]:
    return {"pk": retention_pk(day), "sk": chain_id}


def audit_log_pk(force: str, day: str) -> str:
    return f"AUDITLOG#{force}#{day}"


def audit_forces_pk(day: str) -> str:
    return f"AUDITFORCES#{day}"


_PLAIN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def _readable(force: str, officer_id: str) -> list[str]:
    return [part if _PLAIN.match(part) else "h" + hashlib.sha256(part.encode()).hexdigest()[:16]
            for part in (force, officer_id)]


def refusal_chain_id(force: str, officer_id: str, day: str) -> str:
    """The chain of one caller's refusals on one UTC day (YYYY-MM-DD), readable in the bucket."""
    parts = _readable(force, officer_id)
    return f"refusals-{parts[0]}-{parts[1]}-{day}"


def check_request_chain_id(force: str, officer_id: str, day: str) -> str:
    """The chain of the citizens' requests, on one UTC day, that this officer start a check."""
    parts = _readable(force, officer_id)
    return f"requests-{parts[0]}-{parts[1]}-{day}"


# ---- registry table ---------------------------------------------------------------------------

AVAILABLE_SERGEANTS_INDEX = "available_sergeants"


def registry_key(force: str, officer_id: str) -> dict[str, str]:
    return {"force": force, "officer_id": officer_id}


# ---- idempotency table (short-lived items) ----------------------------------------------------


def reader(force: str, officer_id: str) -> str:
    """Who consulted a verification, as a consultation mark names them."""
    return f"{force}#{officer_id}"


def consultation_mark_key(verification_id: str, reader: str) -> dict[str, str]:
    return {"id": f"viewed#{verification_id}#{reader}"}


def rate_limit_id(key: str, window: int) -> str:
    return f"ratelimit#{key}#{window}"


def public_miss_budget(address_pseudonym: str) -> str:
    """The rate-limit key of an address's public look-ups that found nothing."""
    return f"public-miss#{address_pseudonym}"


def check_request_budget(address_pseudonym: str) -> str:
    """The rate-limit key of an address's requests for a check by officer number."""
    return f"check-request#{address_pseudonym}"


def lookup_pass_key(pseudonym: str) -> dict[str, str]:
    return {"id": f"lookuppass#{pseudonym}"}


def refusal_fold(force: str, officer_id: str, kind: str) -> str:
    """The alert-fold key of one caller's refusals of one kind."""
    return f"{force}#{officer_id}#{kind}"


def alert_fold_key(key: str) -> dict[str, str]:
    return {"id": f"alertfold#{key}"}


def citizen_unsafe_budget(verification_id: str) -> str:
    """The rate-limit key of the "I feel unsafe" alerts one check may raise."""
    return f"citizen-unsafe#{verification_id}"
