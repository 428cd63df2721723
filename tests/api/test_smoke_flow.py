"""The whole flow through the real Chalice routing on in-process moto."""

from chalicelib.domain.audit import verify_chain

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}


def test_start_accept_confirm_public_and_audit(stack):
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, started
    vid = started["verification_id"]
    assert started["meeting"]["Meeting"]["MeetingId"]
    assert started["citizen_url"] == f"https://verify.police.example/v/{started['reference']}"

    status, accepted = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert status == 200, accepted
    assert accepted["officer_record"]["family_name"] == "Jones"

    status, decided = stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})
    assert status == 200 and decided["status"] == "confirmed"

    status, public = stack.call("GET", f"/public/verifications/{started['reference']}")
    assert status == 200 and public["confirmed_by"]["officer_id"] == "MP2001"

    stack.pump_audit()
    events = [e for e in stack.audit_objects().values() if e["verification_id"] == vid]
    assert [e["type"] for e in sorted(events, key=lambda e: e["seq"])] == [
        "verification.requested", "sergeants.notified", "sms.sent", "verification.accepted",
        "registry.disclosed", "verification.confirmed",
    ]
    assert verify_chain(events) == []
