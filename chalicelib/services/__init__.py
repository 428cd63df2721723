"""Use cases, one function each: start, view, list, accept, decide, cancel, duty, registry, public,
timers and the audit pipeline. Each module below is one area; this package exposes them all.

Each takes the Dependencies (bootstrap.py) and a verified Principal, and returns domain results
(a Verification, or a small result such as starting.Started); chalicelib/api/presenters.py makes
the HTTP bodies. State changes go through unit_of_work.py: read, let the domain decide, write
conditionally with the chained audit events, re-read on a lost race. Side effects on other services
(SMS, Chime, alerts, timers: side_effects.py) happen after the state is safely stored.
"""

from .auditing import copy_audit_events, write_daily_digests
from .deciding import accept_verification, cancel_verification, record_outcome
from .erasure import erase_personal_data
from .public import public_view
from .reading import get_verification, list_verifications
from .registry import get_officer, put_officer, set_duty
from .starting import send_wave, start_verification, start_verification_once
from .timers import handle_timer

__all__ = [
    "accept_verification", "cancel_verification", "copy_audit_events", "erase_personal_data",
    "get_officer", "get_verification", "handle_timer", "list_verifications", "public_view",
    "put_officer", "record_outcome", "send_wave", "set_duty", "start_verification",
    "start_verification_once", "write_daily_digests",
]
