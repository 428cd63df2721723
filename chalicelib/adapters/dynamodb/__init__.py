"""DynamoDB storage: the table layout is documented once, in keys.py.

keys.py       every key prefix and index name     codec.py         items to and from DynamoDB JSON
batch.py      BatchWriteItem with backoff          cancellation.py  named transaction items and reasons
verifications.py (+ verification_items.py, attempts.py, consultations.py)   the verifications table
registry.py   the force registry                   audit_index.py   what the consumer wrote each day

The names below are re-exported for code that imports them from the package; new code imports the
module that defines them.

Lazily (PEP 562): importing keys.py, which services do at module level, must not load boto3 and
the adapters into a cold start that does not use them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .audit_index import DynamoAuditIndex
    from .batch import BatchWriteIncomplete, batch_write
    from .codec import deserialise_item, serialise_item
    from .consultations import AlreadyConsulted, ConsultationMark
    from .keys import AVAILABLE_SERGEANTS_INDEX, AWAITING_COPY, AWAITING_COPY_INDEX, RECORDED_AT, STATUS_INDEX
    from .registry import DynamoRegistry
    from .verifications import DynamoVerificationRepository, ReferenceTaken

_DEFINED_IN = {
    "AVAILABLE_SERGEANTS_INDEX": "keys",
    "AWAITING_COPY": "keys",
    "AWAITING_COPY_INDEX": "keys",
    "RECORDED_AT": "keys",
    "STATUS_INDEX": "keys",
    "AlreadyConsulted": "consultations",
    "BatchWriteIncomplete": "batch",
    "ConsultationMark": "consultations",
    "DynamoAuditIndex": "audit_index",
    "DynamoRegistry": "registry",
    "DynamoVerificationRepository": "verifications",
    "ReferenceTaken": "verifications",
    "batch_write": "batch",
    "deserialise_item": "codec",
    "serialise_item": "codec",
}

__all__ = [
    "AVAILABLE_SERGEANTS_INDEX",
    "AWAITING_COPY",
    "AWAITING_COPY_INDEX",
    "RECORDED_AT",
    "STATUS_INDEX",
    "AlreadyConsulted",
    "BatchWriteIncomplete",
    "ConsultationMark",
    "DynamoAuditIndex",
    "DynamoRegistry",
    "DynamoVerificationRepository",
    "ReferenceTaken",
    "batch_write",
    "deserialise_item",
    "serialise_item",
]


def __getattr__(name: str) -> Any:
    if name in _DEFINED_IN:
        return getattr(import_module(f".{_DEFINED_IN[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
