"""An officer whose phone gives no position (refused, no fix) starts with the area typed by hand."""

from __future__ import annotations


def test_area_alone_starts_a_check_and_reaches_sms_alerts_and_audit(stack):
    status, started = stack.call("POST", "/verifications", "MP4721", {"area": "Kentish Town Rd"})
    assert status == 201, started
    assert started["location"] is None and started["area"] == "Kentish Town Rd"
    assert any("near Kentish Town Rd." in message for _, message in stack.sms())

    vid = started["verification_id"]
    assert stack.call("GET", f"/verifications/{vid}", "MP4721")[1]["location"] is None
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"})[0] == 200
    alert = next(a for a in stack.alerts() if a.get("verification_id") == vid)
    assert alert["location"] is None and alert["area"] == "Kentish Town Rd"
    assert stack.pump_audit() > 0


def test_neither_position_nor_area_is_refused_and_nothing_is_sent(stack):
    status, body = stack.call("POST", "/verifications", "MP4721", {})
    assert status == 400
    assert body == {"error": {"code": "validation_error", "message": "location or area is required"}}
    assert stack.sms() == []
