"""`POST /control/alerts/{alert_id}/acknowledge` (SPEC §7.3)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from .base import TextLines, _Strict


class AcknowledgeRequest(_Strict):
    """`POST /control/alerts/{alert_id}/acknowledge`: what the control room did, if it says."""

    note: Annotated[TextLines, StringConstraints(max_length=500)] | None = None
