"""The citizen page (issue 5, server-rendered part): works without JavaScript, in English and Welsh,
with strict security headers, and never shows location, notes or phone numbers."""

from __future__ import annotations

import re

START = {"location": {"lat": 51.5390, "lon": -0.1426}, "area": "Camden High St"}


def _started(stack) -> dict:
    status, body = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201
    return body


def _get(stack, path):
    response = stack.client.http.get(path)
    return response.status_code, response.headers, response.body.decode("utf-8")


def test_pending_page_refreshes_itself_and_shows_the_registry_officer(stack):
    started = _started(stack)
    status, headers, html = _get(stack, f"/v/{started['reference']}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "Checking - please wait" in html and "PC Jones (MP4721)" in html
    assert 'class="status status-awaiting_sergeant"' in html
    assert "If you feel unsafe, call 999." in html
    assert re.search(r'<img src="https?://[^"]+/photos/met/MP4721\.png\?[^"]+" alt=', html)
    for secret in ("51.539", "-0.1426", "Camden", "+44", "Sam"):
        assert secret not in html
    assert "<script" not in html


def test_security_headers(stack):
    reference = _started(stack)["reference"]
    for path in (f"/v/{reference}", "/verify"):
        _, headers, _ = _get(stack, path)
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert headers["Referrer-Policy"] == "no-referrer" and headers["Cache-Control"] == "no-store"
        assert headers["X-Content-Type-Options"] == "nosniff"
    _, headers, _ = _get(stack, f"/v/{reference}")
    assert (
        "img-src 'self' https://test-photos.s3.amazonaws.com;" in headers["Content-Security-Policy"]
    )  # the photo's own origin only


def test_she_can_stop_the_automatic_refresh_and_update_when_she_chooses(stack):
    reference = _started(stack)["reference"]
    _, _, html = _get(stack, f"/v/{reference}")
    assert '<a href="?lang=en&amp;refresh=off">Stop updating by itself</a>' in html
    _, _, paused = _get(stack, f"/v/{reference}?lang=en&refresh=off")
    assert 'http-equiv="refresh"' not in paused and "Automatic updates are off." in paused
    assert '<a href="?lang=en&amp;refresh=off">Update now</a>' in paused
    assert '<a href="?lang=en">Update by itself again</a>' in paused
    # Switching language keeps her choice.
    assert 'href="?lang=cy&amp;refresh=off"' in paused


def test_confirmed_page_names_the_sergeant_and_stops_refreshing(stack):
    started = _started(stack)
    vid = started["verification_id"]
    stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})
    stack.call("POST", f"/verifications/{vid}/outcome", "MP2002", {"outcome": "confirmed", "note": "scar matches"})
    _, _, html = _get(stack, f"/v/{started['reference']}")
    assert "Confirmed police officer" in html and 'status-confirmed' in html
    assert "PS Okafor (MP2002) at 02:47 UTC" in html
    assert "http-equiv=\"refresh\"" not in html and "scar" not in html


def test_not_confirmed_page_says_call_999(stack):
    started = _started(stack)
    vid = started["verification_id"]
    stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "not_confirmed"})
    _, _, html = _get(stack, f"/v/{started['reference']}")
    assert "NOT confirmed" in html and "Call 999 now." in html and "status-not_confirmed" in html


def test_welsh_page_and_language_switch(stack):
    reference = _started(stack)["reference"]
    _, _, html = _get(stack, f"/v/{reference}?lang=cy")
    assert '<html lang="cy">' in html and "Ai swyddog heddlu yw hwn?" in html
    assert "Os ydych chi'n teimlo'n anniogel, ffoniwch 999." in html
    assert 'href="?lang=en">English<' in html
    _, _, english = _get(stack, f"/v/{reference}")
    assert 'href="?lang=cy">Cymraeg<' in english


def test_force_can_make_welsh_the_default(stack, monkeypatch):
    reference = _started(stack)["reference"]
    monkeypatch.setattr(stack.deps, "settings", stack.deps.settings.model_copy(update={"default_language": "cy"}))
    _, _, html = _get(stack, f"/v/{reference}")
    assert '<html lang="cy">' in html


def test_form_redirects_a_loosely_typed_reference(stack):
    reference = _started(stack)["reference"]
    status, _, html = _get(stack, "/verify")
    assert status == 200 and '<form method="get" action="verify">' in html
    typed = reference.lower().replace("-", "%20")
    response = stack.client.http.get(f"/verify?reference={typed}")
    assert response.status_code == 303 and response.headers["Location"] == f"v/{reference}?lang=en"


def test_unknown_or_malformed_reference_shows_the_form_again(stack):
    status, _, html = _get(stack, "/v/SC-222-222-222")
    assert status == 404 and "We could not find that reference" in html and "<form" in html
    status, _, html = _get(stack, "/verify?reference=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert status == 404 and "<script>" not in html and "&lt;script&gt;" in html


def test_names_are_escaped(stack):
    stack.call("PUT", "/officers/MP4721", "MP0001", {
        "given_name": "Sam", "family_name": "<b>Jones</b>", "rank": "PC", "status": "serving", "role": "officer",
        "phone": "+447700900001", "photo": "photos/met/MP4721.png", "duty": None,
    })
    reference = _started(stack)["reference"]
    _, _, html = _get(stack, f"/v/{reference}")
    assert "&lt;b&gt;Jones&lt;/b&gt;" in html and "<b>Jones" not in html


def test_stylesheet_is_served(stack):
    response = stack.client.http.get("/static/citizen.css")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/css")
    assert b".status-confirmed" in response.body


def _radio(stack, vid: str, outcome: str) -> None:
    from chalicelib.domain.registry import OfficerStatus, RegistryRecord, Role

    stack.deps.registry.put(RegistryRecord(force="met", officer_id="MP7001", given_name="Tariq", family_name="Osei",
                                           rank="PC", status=OfficerStatus.SERVING, role=Role.CONTROL_ROOM))
    status, body = stack.call("POST", f"/verifications/{vid}/radio-confirmation", body={"outcome": outcome},
                              headers=stack.tokens.header("control_room", "met", "MP7001"))
    assert status == 200, body


def test_a_radio_confirmation_says_the_control_room_confirmed_by_radio(stack):
    """SPEC §7.3 on the citizen page (no JavaScript): who confirmed, and how, in English and Welsh."""
    started = _started(stack)
    _radio(stack, started["verification_id"], "confirmed")

    _, _, html = _get(stack, f"/v/{started['reference']}")
    assert "Confirmed police officer" in html and "PC Osei (MP7001)" in html
    assert '<dd class="method method-radio">Confirmed by the control room by radio.</dd>' in html
    assert "confirmed by the force&#x27;s control room by radio" in html
    assert "Tariq" not in html and "<script" not in html
    _, _, welsh = _get(stack, f"/v/{started['reference']}?lang=cy")
    assert "Wedi&#x27;i gadarnhau gan yr ystafell reoli drwy radio." in welsh
    assert "gan ystafell reoli&#x27;r heddlu drwy radio" in welsh


def test_a_radio_not_confirmed_says_call_999_and_who_checked(stack):
    started = _started(stack)
    _radio(stack, started["verification_id"], "not_confirmed")
    _, _, html = _get(stack, f"/v/{started['reference']}")
    assert "NOT confirmed" in html and "Call 999 now." in html
    assert "Checked by the control room by radio." in html and "MP7001" not in html


def test_a_sergeants_audio_call_says_so(stack):
    started = _started(stack)
    vid = started["verification_id"]
    stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})
    stack.call("POST", f"/verifications/{vid}/outcome", "MP2002", {"outcome": "confirmed", "method": "audio"})
    _, _, html = _get(stack, f"/v/{started['reference']}")
    assert "PS Okafor (MP2002)" in html and "Confirmed by a sergeant by audio call." in html
    _, _, welsh = _get(stack, f"/v/{started['reference']}?lang=cy")
    assert "Wedi&#x27;i gadarnhau gan ringyll drwy alwad sain." in welsh
