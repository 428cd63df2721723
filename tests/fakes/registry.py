"""In-memory Registry."""

from __future__ import annotations

import dataclasses

from chalicelib.domain.push import PushSubscription
from chalicelib.domain.registry import Duty, OfficerStatus, RegistryRecord, Role


class FakeRegistry:
    """Records by (force, officer id), as the registry table keys them."""

    def __init__(self, records: list[RegistryRecord] | None = None) -> None:
        self.records: dict[tuple[str, str], RegistryRecord] = {}
        self.put_many(records or [])

    def get(self, force: str, officer_id: str) -> RegistryRecord | None:
        return self.records.get((force, officer_id))

    def in_force(self, force: str) -> list[RegistryRecord]:
        return sorted((r for r in self.records.values() if r.force == force), key=lambda r: r.officer_id)

    def put(self, record: RegistryRecord) -> None:
        self.records[(record.force, record.officer_id)] = record

    def put_many(self, records: list[RegistryRecord]) -> None:
        for record in records:
            self.put(record)

    def pin_photo(self, record: RegistryRecord) -> bool:
        stored = self.records.get((record.force, record.officer_id))
        if stored is None or stored.photo != record.photo or stored.photo_sha256 is not None:
            return False
        self.put(dataclasses.replace(
            stored, photo_version_id=record.photo_version_id, photo_sha256=record.photo_sha256
        ))
        return True

    def available_sergeants(self, force: str) -> list[RegistryRecord]:
        return [r for r in self.in_force(force) if r.is_available_sergeant]

    def mark_notified(self, force: str, officer_ids: list[str], at: str) -> None:
        for officer_id in officer_ids:
            record = self.records.get((force, officer_id))
            if record is not None:
                self.put(dataclasses.replace(record, last_notified_at=at))

    def mark_seen(self, force: str, officer_id: str, at: str, unless_since: str) -> bool:
        return self._set_if_older(force, officer_id, "last_seen_at", at, unless_since)

    def mark_accepted(self, force: str, officer_id: str, at: str) -> bool:
        return self._set_if_older(force, officer_id, "last_accepted_at", at, at)

    def _set_if_older(self, force: str, officer_id: str, name: str, at: str, older_than: str) -> bool:
        """As DynamoDB's conditional update: only an existing record whose value is missing or older."""
        record = self.records.get((force, officer_id))
        stored = getattr(record, name) if record is not None else None
        if record is None or (stored is not None and stored >= older_than):
            return False
        self.put(dataclasses.replace(record, **{name: at}))
        return True

    def set_duty(self, force: str, officer_id: str, duty: Duty) -> bool:
        record = self.records.get((force, officer_id))
        if record is None or record.role is not Role.SERGEANT or record.status is not OfficerStatus.SERVING:
            return False
        self.put(dataclasses.replace(record, duty=duty))
        return True

    def set_push(self, force: str, officer_id: str, subscription: PushSubscription | None,
                 only_if_endpoint: str | None = None) -> bool:
        record = self.records.get((force, officer_id))
        if record is None:
            return False
        if subscription is None and only_if_endpoint is not None:
            if record.push is None or record.push.endpoint != only_if_endpoint:
                return False
        elif record.role is not Role.SERGEANT or record.status is not OfficerStatus.SERVING:
            return False
        self.put(dataclasses.replace(record, push=subscription))
        return True
