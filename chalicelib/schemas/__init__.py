"""The API contract of SPEC §4: request models (pydantic) and response shapes, one module per use.

- `base`: what every request model shares (strictness, free text, `parse`);
- `start`: `POST /verifications`; `decisions`: accept, cancel, outcome, radio confirmation;
  `registry`: officer records and duty; `control`: acknowledging an alert; `citizen`: what the
  public sends; `push`: a sergeant's Web Push subscription and its receipts;
- `views`: the response shapes; `patterns`: identifier patterns (neither loads pydantic).

A cold start pays only for the models its first request needs (issue 17): importing this package
imports none of them, and `from chalicelib.schemas import X` imports only the module that defines X.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import parse
    from .citizen import CheckRequestIn, UnsafeReportRequest
    from .control import AcknowledgeRequest
    from .decisions import EmptyRequest, OutcomeRequest, RadioConfirmationRequest
    from .patterns import valid_officer_id
    from .push import PushReceiptRequest, PushSubscriptionRequest
    from .registry import DutyRequest, OfficerRecordRequest
    from .start import LocationIn, StartVerificationRequest
    from .views import (
        alert_view,
        decider_view,
        location_view,
        meeting_view,
        officer_summary_view,
        registry_record_view,
        verification_view,
    )

_HOMES = {
    "parse": "base",
    "CheckRequestIn": "citizen", "UnsafeReportRequest": "citizen",
    "AcknowledgeRequest": "control",
    "EmptyRequest": "decisions", "OutcomeRequest": "decisions", "RadioConfirmationRequest": "decisions",
    "valid_officer_id": "patterns",
    "PushReceiptRequest": "push", "PushSubscriptionRequest": "push",
    "DutyRequest": "registry", "OfficerRecordRequest": "registry",
    "LocationIn": "start", "StartVerificationRequest": "start",
    "alert_view": "views", "decider_view": "views", "location_view": "views", "meeting_view": "views",
    "officer_summary_view": "views", "registry_record_view": "views", "verification_view": "views",
}

__all__ = [
    "AcknowledgeRequest", "CheckRequestIn", "DutyRequest", "EmptyRequest", "LocationIn", "OfficerRecordRequest",
    "OutcomeRequest", "PushReceiptRequest", "PushSubscriptionRequest", "RadioConfirmationRequest",
    "StartVerificationRequest", "UnsafeReportRequest",
    "alert_view", "decider_view", "location_view", "meeting_view", "officer_summary_view", "parse",
    "registry_record_view", "valid_officer_id", "verification_view",
]


def __getattr__(name: str) -> Any:
    """`chalicelib.schemas.X`: imported from the module that defines it, on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
