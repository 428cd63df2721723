"""In-memory alert store: the same answers as DynamoAlertStore (tests/contract/test_alert_store.py)."""

from __future__ import annotations

import dataclasses

from chalicelib.domain.alerts import Alert, board_order


class FakeAlertStore:
    """`alerts` maps alert id -> the stored alert; `fail_next_add` makes the next add raise."""

    def __init__(self) -> None:
        self.alerts: dict[str, Alert] = {}
        self.fail_next_add: Exception | None = None

    def add(self, alert: Alert) -> None:
        if self.fail_next_add is not None:
            error, self.fail_next_add = self.fail_next_add, None
            raise error
        if alert.alert_id in self.alerts:
            raise AssertionError(f"alert id {alert.alert_id} stored twice")
        self.alerts[alert.alert_id] = alert

    def get(self, alert_id: str) -> Alert | None:
        return self.alerts.get(alert_id)

    def acknowledge(self, acknowledged: Alert) -> bool:
        stored = self.alerts.get(acknowledged.alert_id)
        if stored is None or stored.acknowledged or stored.erased:
            return False
        self.alerts[acknowledged.alert_id] = acknowledged
        return True

    def withdraw_acknowledgement(self, acknowledged: Alert) -> bool:
        stored = self.alerts.get(acknowledged.alert_id)
        operator = (acknowledged.acknowledged_by or {}).get("officer_id")
        if (stored is None or stored.erased or stored.acknowledged_at is None
                or stored.acknowledged_at != acknowledged.acknowledged_at
                or (stored.acknowledged_by or {}).get("officer_id") != operator):
            return False
        self.alerts[acknowledged.alert_id] = dataclasses.replace(
            stored, acknowledged_by=None, acknowledged_at=None, note=None)
        return True

    def board(self, force: str, unacknowledged_limit: int, acknowledged_limit: int) -> list[Alert]:
        ordered = board_order([a for a in self.alerts.values() if a.force == force and not a.erased])
        open_ = [a for a in ordered if not a.acknowledged][:unacknowledged_limit]
        done = [a for a in ordered if a.acknowledged][:acknowledged_limit]
        return open_ + done

    def redact_chain(self, chain_id: str) -> int:
        changed = 0
        for alert_id, alert in list(self.alerts.items()):
            if alert.chain_id == chain_id and not alert.erased:
                self.alerts[alert_id] = alert.redacted()
                changed += 1
        return changed
