"""Logs carry ids, never names, phone numbers, photos or locations (SPEC quality bar, DPA 2018)."""

from __future__ import annotations

import json
import logging

FORBIDDEN = ["+4477", "Jones", "Patel", "Sam", "Aisha", "51.539", "-0.1426", "Camden", "tattoo", ".png"]


def test_no_personal_data_in_logs_through_a_whole_flow(stack, caplog, capfd, monkeypatch):
    caplog.set_level(logging.DEBUG, logger="safe-connection")
    failing_phone = stack.person("MP2002").phone
    real_send = stack.deps.sms.send_sms

    def flaky(phone, message):
        if phone == failing_phone:
            raise RuntimeError(f"provider refused {phone}")
        return real_send(phone, message)

    monkeypatch.setattr(stack.deps.sms, "send_sms", flaky)
    start = {"location": {"lat": 51.5390, "lon": -0.1426}, "area": "Camden High St"}
    status, started = stack.call("POST", "/verifications", "MP4721", start)
    assert status == 201
    vid = started["verification_id"]
    stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    stack.call(
        "POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed", "note": "tattoo differs"}
    )
    stack.call("GET", f"/public/verifications/{started['reference']}")
    stack.call("POST", "/verifications", "MP3390", start)
    stack.pump_audit()

    records = [r for r in caplog.records if r.name == "safe-connection"]
    failed = [r for r in records if r.getMessage() == "sms_failed"]
    assert len(failed) == 1
    assert failed[0].recipient_officer_id == "MP2002" and failed[0].error == "RuntimeError"
    everything = json.dumps([{k: str(v) for k, v in vars(r).items()} for r in records])
    everything += capfd.readouterr().out  # EMF metrics are printed to stdout
    for forbidden in FORBIDDEN:
        assert forbidden not in everything, forbidden
