"""In-memory VerificationStore with the DynamoDB adapter's conditional semantics."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import AlreadyConsulted, ConsultationMark, ReferenceTaken
from chalicelib.domain.clock import iso_z
from chalicelib.domain.errors import ActiveVerificationExists, ConcurrentUpdate
from chalicelib.domain.verification import Status, Verification
from tests.fakes.errors import transaction_cancelled

AuditEvent = tuple[str, dict[str, Any]]


class FakeVerificationStore:
    """Each write checks every condition first, then applies all of it: one transaction, like the real one."""

    def __init__(self) -> None:
        self.verifications: dict[str, Verification] = {}
        self.references: dict[str, str] = {}
        self.active: dict[tuple[str, str], str] = {}
        # chain pk ("V#id" / "A#id") -> seq -> (audit key, event)
        self.chains: dict[str, dict[int, AuditEvent]] = {}
        self.starts: dict[tuple[str, str], tuple[list[str], int]] = {}
        self.marks: dict[tuple[str, str], int] = {}

    # ---- reads ----------------------------------------------------------------------------

    def get(self, verification_id: str) -> Verification | None:
        return self.verifications.get(verification_id)

    def find_id_by_reference(self, reference: str) -> str | None:
        return self.references.get(reference)

    def active_verification_id(self, force: str, officer_id: str) -> str | None:
        return self.active.get((force, officer_id))

    def list_by_status(self, force: str, status: Status, limit: int = 50) -> list[Verification]:
        matching = [v for v in self.verifications.values() if v.force == force and v.status is status]
        return sorted(matching, key=lambda v: iso_z(v.created_at) or "")[:limit]

    def events(self, verification_id: str) -> list[dict[str, Any]]:
        """Test helper (the real adapter has it too): the verification's audit events in order."""
        return self._chain_events(f"V#{verification_id}")

    def attempt_events(self, attempt_id: str) -> list[dict[str, Any]]:
        return self._chain_events(f"A#{attempt_id}")

    def _chain_events(self, pk: str) -> list[dict[str, Any]]:
        chain = self.chains.get(pk, {})
        return [chain[seq][1] for seq in sorted(chain)]

    def recent_starts(self, force: str, officer_id: str) -> tuple[list[str], int]:
        starts, version = self.starts.get((force, officer_id), ([], 0))
        return list(starts), version

    def consultation_logged(self, verification_id: str, reader: str, now_epoch: int) -> bool:
        return self.marks.get((verification_id, reader), 0) > now_epoch

    def last_attempt_event(self, attempt_id: str) -> dict[str, Any] | None:
        events = self.attempt_events(attempt_id)
        return events[-1] if events else None

    # ---- writes ---------------------------------------------------------------------------

    def _events_free(self, pk: str, events: list[AuditEvent]) -> bool:
        chain = self.chains.get(pk, {})
        return not any(event["seq"] in chain for _, event in events)

    def _put_events(self, pk: str, events: list[AuditEvent]) -> None:
        chain = self.chains.setdefault(pk, {})
        for key, event in events:
            chain[event["seq"]] = (key, event)

    def create(
        self,
        verification: Verification,
        events: list[AuditEvent],
        recent_starts: tuple[list[str], int] | None = None,
    ) -> None:
        vid = verification.verification_id
        slot = (verification.force, verification.officer.officer_id)
        if slot in self.active:
            raise ActiveVerificationExists(self.active[slot])
        if verification.reference in self.references:
            raise ReferenceTaken(verification.reference)
        stored_starts = self.starts.get(slot)
        if (
            vid in self.verifications
            or not self._events_free(f"V#{vid}", events)
            or (recent_starts is not None and stored_starts is not None and stored_starts[1] != recent_starts[1])
        ):
            raise ConcurrentUpdate(vid)
        self.verifications[vid] = verification
        self.active[slot] = vid
        self.references[verification.reference] = vid
        self._put_events(f"V#{vid}", events)
        if recent_starts is not None:
            starts, version = recent_starts
            self.starts[slot] = (list(starts), version + 1)

    def save_transition(
        self,
        before: Verification,
        after: Verification,
        events: list[AuditEvent],
        consultation: ConsultationMark | None = None,
    ) -> None:
        vid = after.verification_id
        if consultation is not None and self.consultation_logged(vid, consultation.reader, consultation.now_epoch):
            raise AlreadyConsulted(vid)
        stored = self.verifications.get(vid)
        slot = (after.force, after.officer.officer_id)
        releases = after.status.is_terminal and not before.status.is_terminal
        if (
            stored is None
            or stored.status is not before.status
            or stored.audit_seq != before.audit_seq
            or not self._events_free(f"V#{vid}", events)
            or (releases and self.active.get(slot, vid) != vid)
        ):
            raise ConcurrentUpdate(vid)
        self.verifications[vid] = after
        self._put_events(f"V#{vid}", events)
        if releases:
            self.active.pop(slot, None)
        if consultation is not None:
            self.marks[(vid, consultation.reader)] = consultation.until_epoch

    def delete_personal_copy(self, verification: Verification) -> None:
        self.verifications.pop(verification.verification_id, None)
        self.references.pop(verification.reference, None)
        chain = self.chains.get(f"V#{verification.verification_id}", {})
        for seq in range(1, verification.audit_seq):
            chain.pop(seq, None)

    def append_attempt_event(self, attempt_id: str, key: str, event: dict[str, Any]) -> None:
        if not self._events_free(f"A#{attempt_id}", [(key, event)]):
            raise ConcurrentUpdate(attempt_id)
        self._put_events(f"A#{attempt_id}", [(key, event)])

    def record_attempt(self, attempt_id: str, events: list[AuditEvent]) -> None:
        """One transaction of conditional puts: a taken seq cancels it all, and the real adapter lets
        the TransactionCanceledException through (services/audit_quarantine.py relies on it)."""
        chain = self.chains.get(f"A#{attempt_id}", {})
        reasons = ["ConditionalCheckFailed" if event["seq"] in chain else "None" for _, event in events]
        if "ConditionalCheckFailed" in reasons:
            raise transaction_cancelled(reasons)
        self._put_events(f"A#{attempt_id}", events)

    def record_attempts(self, chains: list[tuple[str, list[AuditEvent]]]) -> None:
        for chain_id, events in chains:
            self._put_events(f"A#{chain_id}", events)
