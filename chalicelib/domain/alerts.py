"""Control-room alerts as records (SPEC §7.3): raised once, acknowledged once, erased with their chain."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import InvalidTransition, NotFound


class AlertKind(enum.StrEnum):
    VERIFICATION_NOT_CONFIRMED = "verification_not_confirmed"
    VERIFICATION_UNANSWERED = "verification_unanswered"
    VERIFICATION_EXPIRED = "verification_expired"
    OFFICER_NOT_SERVING = "officer_not_serving"
    RATE_LIMITED = "rate_limited"
    TIMER_FAILED = "timer_failed"
    # Issue 16 (the citizen's own channel) raises these; listed here because SPEC §7.3 lists them.
    CITIZEN_UNSAFE = "citizen_unsafe"
    CITIZEN_REQUEST = "citizen_request"


@dataclass(frozen=True)
class Alert:
    """One alert the control room must see and acknowledge.

    `chain_id` is the audit chain the alert is about (a verification id, or a refusal chain): its
    acknowledgement is audited there, and erasing that chain erases the alert's personal data.
    """

    alert_id: str
    kind: AlertKind
    force: str
    chain_id: str
    raised_at: datetime
    verification_id: str | None = None
    reference: str | None = None
    officer: dict[str, Any] | None = None  # {officer_id, rank, given_name, family_name}
    location: dict[str, Any] | None = None  # {lat, lon, accuracy_m}
    area: str | None = None
    # A citizen's own words about where she is (citizen_request, citizen_unsafe), or None.
    where: str | None = None
    acknowledged_by: dict[str, Any] | None = None  # {officer_id, rank, family_name}
    acknowledged_at: datetime | None = None
    note: str | None = None
    erased: bool = False

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def acknowledge(self, force: str, by: dict[str, Any], at: datetime, note: str | None) -> Alert:
        """Once only, and only by the alert's own force (another force's alert does not exist)."""
        if force != self.force:
            raise NotFound("No such alert.")
        if self.acknowledged or self.erased:
            raise InvalidTransition("This alert has already been acknowledged.")
        return dataclasses.replace(self, acknowledged_by=by, acknowledged_at=at, note=note)

    def redacted(self) -> Alert:
        """What is left once the chain's personal data is erased: which alert, when, by whom handled."""
        officer = None
        if self.officer is not None:
            officer = {**self.officer, "given_name": None, "family_name": None}
        return dataclasses.replace(self, officer=officer, location=None, area=None, where=None, note=None,
                                   erased=True)


def board_order(alerts: list[Alert]) -> list[Alert]:
    """Unacknowledged first, newest first within each (SPEC §7.3)."""
    return sorted(alerts, key=lambda a: (not a.acknowledged, a.raised_at, a.alert_id), reverse=True)
