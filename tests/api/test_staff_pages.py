"""The sergeant's `/s/{id}` and the officer's `/o` (issue 5): shells with no personal data, strict
headers, and the bundles they load served by name only."""

from __future__ import annotations

import re

from chalicelib.web.staff import SIMULATED_BANNER


def _get(stack, path):
    response = stack.client.http.get(path)
    return response.status_code, response.headers, response.body.decode("utf-8")


def test_sergeant_page_carries_only_public_sign_in_settings(stack):
    started = stack.call(
        "POST", "/verifications", "MP4721", {"location": {"lat": 51.5, "lon": -0.1}, "area": "Camden"}
    )[1]
    status, headers, html = _get(stack, f"/s/{started['verification_id']}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f'data-verification-id="{started["verification_id"]}"' in html
    assert f'data-client-id="{stack.settings.token_audience}"' in html
    assert 'data-cognito-endpoint="https://cognito-idp.eu-west-2.amazonaws.com/"' in html
    assert 'data-video="simulated"' in html and SIMULATED_BANNER in html
    # Nothing about the officer or the place is in the page itself: the API gives it once signed in.
    for secret in ("Jones", "MP4721", "Camden", "51.5", started["reference"]):
        assert secret not in html
    assert '<script src="../static/sergeant.js" defer></script>' in html
    # No inline script and no inline event handlers: the CSP would block them anyway.
    assert "<script>" not in html and re.search(r"<[^>]*\son[a-z]+=", html) is None


def test_staff_pages_send_strict_security_headers(stack):
    for path in ("/s/abc", "/o", "/c"):
        status, headers, _ = _get(stack, path)
        assert status == 200
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "connect-src 'self' https://cognito-idp.eu-west-2.amazonaws.com" in csp
        assert headers["Referrer-Policy"] == "no-referrer" and headers["Cache-Control"] == "no-store"
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_photo_origin_is_allowed_for_images(stack):
    _, headers, _ = _get(stack, "/s/abc")
    images = re.search(r"img-src ([^;]+);", headers["Content-Security-Policy"]).group(1).split()
    assert "'self'" in images and "data:" in images
    assert any(origin.startswith("https://") and stack.settings.photos_bucket in origin for origin in images)


def test_officer_page_loads_its_own_bundle(stack):
    _, _, html = _get(stack, "/o")
    assert '<script src="static/officer.js" defer></script>' in html and 'data-page="officer"' in html
    assert 'id="start-button"' in html and 'id="reference"' in html


def test_officer_page_names_the_force_site_as_text_with_no_qr_code_or_link_for_her(stack):
    """SPEC §7.4: she types the address herself; nothing on the officer's device for her to open."""
    _, _, html = _get(stack, "/o")
    assert '<strong id="citizen-site">verify.police.example/verify</strong> on her own phone' in html
    assert "<canvas" not in html and 'id="qr"' not in html and "/v/" not in html
    assert 'href="verify' not in html and "https://verify.police.example" not in html


def test_control_page_loads_its_own_bundle_and_holds_no_personal_data(stack):
    started = stack.call("POST", "/verifications", "MP4721", {"area": "Camden"})[1]
    _, _, html = _get(stack, "/c")
    assert '<script src="static/control.js" defer></script>' in html and 'data-page="control"' in html
    assert 'id="board" hidden' in html and 'id="new-alert"' in html and 'role="alert"' in html
    for secret in ("Jones", "MP4721", "Camden", started["reference"]):
        assert secret not in html
    assert "<script>" not in html and re.search(r"<[^>]*\son[a-z]+=", html) is None
    assert re.search(r'(href|src|action)="/', html) is None
    for form in ("sign-in-form", "mfa-form", "forgot-form"):
        assert f'<form id="{form}"' in html


def test_the_control_bundle_polls_the_board_and_confirms_by_radio(stack):
    response = stack.client.http.get("/static/control.js")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/javascript")
    for needle in (b"/control/board", b"/radio-confirmation", b"/acknowledge", b"AudioContext",
                   b"openstreetmap.org", b"safe-connection.id-token"):
        assert needle in response.body, needle


def test_assets_are_served_by_name_only(stack):
    response = stack.client.http.get("/static/staff.css")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/css")
    for name in ("..%2Fstaff.py", "app.py", "sergeant.js.map", "%2E%2E%2F%2E%2E%2Fapp.py"):
        response = stack.client.http.get(f"/static/{name}")
        assert response.status_code == 404, name
        assert b"import" not in response.body


def test_built_bundles_are_served_as_javascript(stack):
    # `make test` builds them from frontend/ first (npm ci + esbuild).
    for name in ("sergeant.js", "officer.js"):
        response = stack.client.http.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["Content-Type"].startswith("text/javascript")
        # The Chime SDK is inside (its class names survive minification) and the page's own code too.
        assert b"MeetingSessionConfiguration" in response.body
        assert b"safe-connection.id-token" in response.body


def test_the_sergeant_service_worker_may_control_the_sergeant_pages_and_is_never_cached(stack):
    """Web Push (frontend/src/sergeant-sw.js): served from static/ but registered for s/, the scope
    widened relative to the script so a stage prefix keeps it; no-cache, so a new worker reaches
    phones at once; its own CSP lets it talk to this API only."""
    response = stack.client.http.get("/static/sergeant-sw.js")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Service-Worker-Allowed"] == "../s/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; connect-src 'self'"
    for needle in (b"../push/receipts", b"showNotification", b"notificationclick", b"openWindow"):
        assert needle in response.body, needle
    assert b"MeetingSessionConfiguration" not in response.body  # the worker alone, no SDK
    other = stack.client.http.get("/static/sergeant.js")
    assert "Service-Worker-Allowed" not in other.headers and other.headers["Cache-Control"].startswith("public")


def test_the_sergeant_page_offers_push_hidden_until_the_script_shows_it(stack):
    _, _, html = _get(stack, "/s/abc")
    section = re.search(r'<section id="push"[^>]*>.*?</section>', html).group(0)
    assert " hidden>" in section.split("<h2", 1)[0]
    assert '<h2 id="push-title">Requests on this phone</h2>' in section
    assert 'role="status" aria-live="polite"' in section
    assert '<button type="button" id="push-toggle"' in section
    assert "worker-src 'self'" in _get(stack, "/s/abc")[1]["Content-Security-Policy"]


def test_no_page_links_from_the_host_root_so_a_stage_prefix_works(stack):
    """Deployed on the API's own URL every path sits under `/api/`: links must be relative."""
    reference = stack.call("POST", "/verifications", "MP4721", {"area": "Camden"})[1]["reference"]
    for path in ("/o", "/s/abc", "/verify", f"/v/{reference}", f"/v/{reference}?refresh=off", "/v/SC-AAA-AAA-AAA",
                 "/verify?reference=nonsense"):
        _, _, html = _get(stack, path)
        assert re.search(r'(href|src|action)="/', html) is None, path


def test_every_sign_in_step_is_in_the_shell_with_labels_and_the_pools_rules(stack):
    """First sign-in, the authenticator app, its code and a forgotten password (issue 12): each a
    form of its own with a focusable heading, every field labelled, the rules the pool enforces."""
    from chalicelib.domain.passwords import PASSWORD_POLICY, password_rules

    for path in ("/o", "/s/abc"):
        _, _, html = _get(stack, path)
        for form in ("sign-in-form", "new-password-form", "mfa-setup-form", "mfa-form", "forgot-form", "reset-form"):
            found = re.search(rf'<form id="{form}" method="post" novalidate( hidden)?>\s*<h1 tabindex="-1">', html)
            assert found, (path, form)
        inputs = re.findall(r'<input id="([^"]+)"', html)
        assert set(inputs) >= {"username", "password", "new-password", "new-password-again", "mfa-setup-code",
                               "mfa-code", "forgot-username", "reset-code", "reset-password", "reset-password-again"}
        for input_id in inputs:
            assert f'<label for="{input_id}">' in html, input_id
        for code in ("mfa-code", "mfa-setup-code"):
            field = re.search(rf'<input id="{code}"[^>]*>', html).group(0)
            assert 'inputmode="numeric"' in field and 'autocomplete="one-time-code"' in field
        for rules in ("new-password-rules", "reset-password-rules"):
            listed = re.search(rf'<ul id="{rules}"[^>]*data-min-length="(\d+)"[^>]*>(.*?)</ul>', html)
            assert int(listed.group(1)) == PASSWORD_POLICY["MinimumLength"]
            assert re.findall(r'data-rule="(\w+)"', listed.group(2)) == [rule for rule, _ in password_rules()]
        assert 'role="alert"' in re.search(r'<p id="sign-in-error"[^>]*>', html).group(0)
        assert 'data-issuer="Safe Connection (local)"' in html
        # The dead end is gone: the page itself offers recovery.
        assert "ask your force administrator" not in html.lower() and 'id="forgot-password"' in html
        assert "<script>" not in html and re.search(r"<[^>]*\son[a-z]+=", html) is None
