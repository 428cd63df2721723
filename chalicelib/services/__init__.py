"""Use cases, one function each: start, view, list, accept, decide, cancel, duty, registry, public,
timers and the audit pipeline. Each module below is one area; this package exposes them all.

Each takes the Dependencies (bootstrap.py) and a verified Principal, and returns domain results
(a Verification, or a small result such as starting.Started); chalicelib/api/presenters.py makes
the HTTP bodies. State changes go through unit_of_work.py: read, let the domain decide, write
conditionally with the chained audit events, re-read on a lost race. Side effects on other services
(SMS, Chime, alerts, timers: side_effects.py) happen after the state is safely stored.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auditing import copy_audit_events, write_daily_digests
    from .deciding import accept_verification, cancel_verification, confirm_by_radio, record_outcome
    from .erasure import erase_personal_data
    from .notifying import send_wave
    from .public import public_view
    from .reading import get_verification, list_verifications
    from .registry import get_officer, put_officer, set_duty
    from .starting import start_verification, start_verification_once
    from .timers import handle_timer

# Re-exported lazily (PEP 562): a Lambda function imports the use-case modules its handler calls
# (chalicelib/api/ names them), not every use case through this package; tests may use the names here.
_DEFINED_IN = {
    "copy_audit_events": "auditing", "write_daily_digests": "auditing",
    "accept_verification": "deciding", "cancel_verification": "deciding", "record_outcome": "deciding",
    "confirm_by_radio": "deciding",
    "erase_personal_data": "erasure", "public_view": "public",
    "get_verification": "reading", "list_verifications": "reading",
    "get_officer": "registry", "put_officer": "registry", "set_duty": "registry",
    "send_wave": "notifying", "start_verification": "starting", "start_verification_once": "starting",
    "handle_timer": "timers",
}

__all__ = [
    "accept_verification", "cancel_verification", "confirm_by_radio", "copy_audit_events", "erase_personal_data",
    "get_officer", "get_verification", "handle_timer", "list_verifications", "public_view",
    "put_officer", "record_outcome", "send_wave", "set_duty", "start_verification",
    "start_verification_once", "write_daily_digests",
]


def __getattr__(name: str) -> Any:
    if name in _DEFINED_IN:
        return getattr(import_module(f".{_DEFINED_IN[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
