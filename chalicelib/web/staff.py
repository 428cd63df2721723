"""HTML shells for the staff pages: the sergeant's `/s/{verification_id}` and the officer's `/o`.

The server sends no personal data here: the page signs in against Cognito in the browser (every
step: password, a new password at first sign-in, setting up an authenticator app, its code, a
forgotten password), keeps the ID token in sessionStorage, and reads everything else from the API
with that token. The shell only carries where to sign in (endpoint and app client id, both
public), the pool's password rules, the authenticator entry's issuer, and whether video is real
(Chime SDK) or simulated (the local stack's Chime stand-in carries no media).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from ..domain.passwords import COGNITO_SYMBOLS, PASSWORD_POLICY, password_rules

SIMULATED_BANNER = (
    "Video is simulated on the local stack: you see your own camera only. "
    "Every other step is real."
)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(cognito_endpoint: str, photo_origin: str | None) -> dict[str, str]:
    """Only our own script; the camera, Cognito sign-in and Chime's media services; never framed."""
    images = " ".join(filter(None, ["'self'", "data:", photo_origin]))
    connect = " ".join([
        "'self'", origin(cognito_endpoint),
        # Chime SDK signalling and media (deployed); unused by the local stand-in.
        "https://*.chime.aws", "wss://*.chime.aws",
    ])
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; "
            f"media-src 'self' blob: mediastream:; connect-src {connect}; worker-src 'self' blob:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        # The officer page asks for the position; both pages ask for camera and microphone.
        "Permissions-Policy": "geolocation=(self), camera=(self), microphone=(self)",
    }


def authenticator_issuer(label: str) -> str:
    """How the staff account is named in her authenticator app (the otpauth:// issuer)."""
    return f"Safe Connection ({label})"


def _password_rules(list_id: str) -> str:
    """The pool's rules as a list the page ticks off as she types (chalicelib/domain/passwords.py)."""
    items = "".join(
        f'<li data-rule="{rule}"><span class="rule-mark" aria-hidden="true"></span>{escape(text)}'
        '<span class="visually-hidden rule-state"> (not yet)</span></li>'
        for rule, text in password_rules(PASSWORD_POLICY)
    )
    return (
        f'<ul id="{list_id}" class="rules" data-min-length="{PASSWORD_POLICY["MinimumLength"]}" '
        f'data-symbols="{escape(COGNITO_SYMBOLS)}">{items}</ul>'
    )


def _new_password_fields(prefix: str, label: str) -> str:
    return (
        f'<label for="{prefix}">{escape(label)}</label>'
        f'<p class="hint" id="{prefix}-hint">Your password needs:</p>'
        f'<input id="{prefix}" name="{prefix}" type="password" autocomplete="new-password" '
        f'aria-describedby="{prefix}-hint {prefix}-rules" required>'
        f"{_password_rules(prefix + '-rules')}"
        f'<label for="{prefix}-again">Type it again</label>'
        f'<input id="{prefix}-again" name="{prefix}-again" type="password" autocomplete="new-password" required>'
    )


def _code_input(input_id: str) -> str:
    return (
        f'<input id="{input_id}" name="{input_id}" inputmode="numeric" autocomplete="one-time-code" '
        'pattern="[0-9 ]*" maxlength="7" spellcheck="false" required>'
    )


# How the call is doing (frontend/src/video.js): a poor connection, a reconnection, audio only.
CALL_HEALTH = (
    '<p id="call-status" class="call-status" role="status" hidden></p>'
    '<button type="button" id="audio-only" hidden>Switch to audio only</button>'
)

BACK = '<button type="button" class="link back-to-sign-in">Back to sign in</button>'

# Every step of signing in, one form each (frontend/src/auth.js shows one at a time). The forms are
# POST without an action, so even a page whose script failed never puts a password in a URL.
SIGN_IN = (
    '<section id="sign-in" hidden>'
    '<p id="sign-in-status" class="notice" role="status"></p>'
    '<form id="sign-in-form" method="post" novalidate>'
    '<h1 tabindex="-1">Sign in</h1>'
    '<label for="username">Username</label>'
    '<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required>'
    '<label for="password">Password</label>'
    '<input id="password" name="password" type="password" autocomplete="current-password" required>'
    '<button type="submit" class="primary">Sign in</button>'
    '<p><button type="button" id="forgot-password" class="link">Forgotten password?</button></p></form>'
    '<form id="new-password-form" method="post" novalidate hidden>'
    '<h1 tabindex="-1">Choose your own password</h1>'
    "<p>This is your first sign-in. Replace the temporary password you were given with one only you know.</p>"
    f"{_new_password_fields('new-password', 'New password')}"
    '<button type="submit" class="primary">Save password</button>'
    f"<p>{BACK}</p></form>"
    '<form id="mfa-setup-form" method="post" novalidate hidden>'
    '<h1 tabindex="-1">Set up your authenticator app</h1>'
    "<p>Each time you sign in, Safe Connection asks for a code from an authenticator app on your phone "
    "(for example Microsoft Authenticator or Google Authenticator). Add Safe Connection to it now:</p>"
    '<ol class="steps">'
    '<li>In the app, add an account and scan this code: '
    '<img id="mfa-qr" class="qr" width="220" height="220" '
    'alt="QR code that adds Safe Connection to an authenticator app">'
    '<a id="mfa-app-link">Or open the authenticator app on this phone</a></li>'
    '<li>If you cannot scan it, type this key in the app (spaces do not matter): '
    '<code id="mfa-secret" class="secret"></code></li>'
    '<li><label for="mfa-setup-code">Type the 6-digit code the app now shows for Safe Connection</label>'
    f"{_code_input('mfa-setup-code')}</li></ol>"
    '<button type="submit" class="primary">Check the code and sign in</button>'
    f"<p>{BACK}</p></form>"
    '<form id="mfa-form" method="post" novalidate hidden>'
    '<h1 tabindex="-1">Code from your authenticator app</h1>'
    '<label for="mfa-code">The 6-digit code your authenticator app shows for Safe Connection</label>'
    f"{_code_input('mfa-code')}"
    '<button type="submit" class="primary">Sign in</button>'
    f"<p>{BACK}</p>"
    '<p class="hint">Lost the phone with your authenticator app? Your force administrator can reset it.</p></form>'
    '<form id="forgot-form" method="post" novalidate hidden>'
    '<h1 tabindex="-1">Reset your password</h1>'
    "<p>We will send a code to the email address your force holds for you.</p>"
    '<label for="forgot-username">Username</label>'
    '<input id="forgot-username" name="forgot-username" autocomplete="username" autocapitalize="none" '
    'spellcheck="false" required>'
    '<button type="submit" class="primary">Send me a code</button>'
    f"<p>{BACK}</p></form>"
    '<form id="reset-form" method="post" novalidate hidden>'
    '<h1 tabindex="-1">Choose a new password</h1>'
    '<p id="reset-sent"></p>'
    '<label for="reset-code">Code from the message</label>'
    '<input id="reset-code" name="reset-code" inputmode="numeric" autocomplete="one-time-code" '
    'spellcheck="false" required>'
    f"{_new_password_fields('reset-password', 'New password')}"
    '<button type="submit" class="primary">Save new password</button>'
    '<p><button type="button" id="resend-code" class="link">Send me another code</button></p>'
    f"<p>{BACK}</p></form>"
    '<p id="sign-in-error" class="error" role="alert"></p></section>'
)


ERROR = '<p id="error" class="error" role="alert" hidden></p>'


def _shell(page: str, title: str, config: dict[str, str], body: str, root: str, error_in_body: bool = False) -> str:
    """`root` ("" or "../") leads back to the app's root: relative links work under a stage prefix.
    The error line follows the page's sections, unless `error_in_body` (the body places `ERROR`)."""
    data = " ".join(f'data-{name.replace("_", "-")}="{escape(value)}"' for name, value in config.items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{root}static/staff.css">'
        f'<script src="{root}static/{page}.js" defer></script></head>'
        f'<body><main id="app" data-page="{page}" {data}>'
        '<header><p class="brand">Safe Connection</p>'
        '<p id="who" class="who" hidden><span id="who-name"></span> '
        '<button type="button" id="sign-out" class="link">Sign out</button></p></header>'
        f'<p id="video-banner" class="banner" hidden>{escape(SIMULATED_BANNER)}</p>'
        f"{SIGN_IN}"
        f"{body}"
        f"{'' if error_in_body else ERROR}"
        "</main><noscript><p>This page needs JavaScript for the video call.</p></noscript></body></html>"
    )


# Web Push for this phone (frontend/src/push.js): shown once signed in, if the browser can and the
# service offers it. Outside the page's sections, so it stays whichever step the check is at.
PUSH = (
    '<section id="push" class="push" aria-labelledby="push-title" hidden>'
    '<h2 id="push-title">Requests on this phone</h2>'
    '<p id="push-explain">Free and faster than a text. If this phone does not show the request within a few '
    "seconds, you still get the text.</p>"
    '<p id="push-status" class="notice" role="status" aria-live="polite"></p>'
    '<button type="button" id="push-toggle">Get requests as notifications on this phone</button>'
    "</section>"
)


def sergeant_page(config: dict[str, str], root: str) -> str:
    body = (
        '<section id="request" hidden><h1>ID check request</h1>'
        '<p id="request-status" class="pill" role="status"></p>'
        '<dl class="facts">'
        '<dt>Officer</dt><dd id="officer-name"></dd>'
        '<dt>Where</dt><dd><span id="where"></span> '
        '<a id="map-link" hidden target="_blank" rel="noopener noreferrer">Map</a></dd>'
        '<dt>Waiting</dt><dd id="waiting"></dd>'
        '<dt>Reference</dt><dd id="reference"></dd></dl>'
        '<button type="button" id="accept" class="primary big" hidden>Accept</button>'
        '<p id="taken" class="notice" role="status" hidden></p></section>'
        '<section id="call" hidden><h1>Compare the face with the registry photo</h1>'
        '<div class="compare">'
        '<figure><img id="registry-photo" alt="Registry photo of the officer">'
        '<figcaption id="registry-caption"></figcaption></figure>'
        '<figure><video id="remote-video" autoplay playsinline muted></video>'
        "<figcaption>Live video</figcaption></figure>"
        "</div>"
        '<figure class="self"><video id="local-video" autoplay playsinline muted></video>'
        "<figcaption>You</figcaption></figure>"
        '<audio id="call-audio" autoplay></audio>'
        f"{CALL_HEALTH}"
        '<div id="radio-route" class="notice" hidden>'
        "<p>No video call for this check. Call the officer on the radio: call sign "
        '<strong id="radio-call-sign"></strong>. Ask for their name and warrant number and compare them '
        "with the registry record above.</p>"
        "<p>If you cannot be sure it is them, do not confirm: ask the control room to confirm them by radio. "
        "The control room records that confirmation itself, and the person stopped sees it on her phone.</p>"
        "</div>"
        '<label for="note">Note (optional)</label>'
        '<textarea id="note" maxlength="500" rows="1"></textarea>'
        '<div class="decide"><button type="button" id="confirm" class="confirm big">Confirm identity</button>'
        '<button type="button" id="deny" class="deny big">Cannot confirm</button></div></section>'
        '<section id="done" hidden><h1 id="done-title"></h1><p id="done-detail"></p></section>'
        f"{PUSH}"
    )
    return _shell("sergeant", "ID check - Safe Connection", config, body, root)


def officer_page(config: dict[str, str], root: str) -> str:
    """`config["citizen_site"]` is the force site's check page as she types it ("sc.met.police.uk/verify"):
    shown as text only, never a link or a QR code for her to open (SPEC §7.4)."""
    site = escape(config.get("citizen_site", ""))
    body = (
        '<section id="start" hidden><h1>Prove you are a police officer</h1>'
        "<p>Your position is sent to the sergeant and the control room, never to the person you stopped.</p>"
        '<label for="area">Area (if your phone cannot give your position)</label>'
        '<input id="area" maxlength="80" autocomplete="off">'
        '<button type="button" id="start-button" class="primary big">Start verification</button>'
        '<p id="location-note" class="notice" role="status" hidden></p></section>'
        '<section id="active" hidden>'
        '<p class="label">Tell the person you stopped this reference</p>'
        '<p id="reference" class="reference"></p>'
        f'<p class="site">Ask her to go to <strong id="citizen-site">{site}</strong> on her own phone and type it '
        "there. Never show her a link or a code to open: she finds the check herself.</p>"
        '<p id="live-status" class="pill" role="status"></p>'
        '<p id="advice" class="notice"></p>'
        '<figure class="self"><video id="local-video" autoplay playsinline muted></video>'
        "<figcaption>You</figcaption></figure>"
        '<figure><video id="remote-video" autoplay playsinline muted></video><figcaption>Sergeant</figcaption></figure>'
        '<audio id="call-audio" autoplay></audio>'
        f"{CALL_HEALTH}"
        '<button type="button" id="cancel" class="deny">Cancel verification</button>'
        '<button type="button" id="new-check" class="primary" hidden>Start a new verification</button></section>'
    )
    return _shell("officer", "Officer - Safe Connection", config, body, root)


def control_page(config: dict[str, str], root: str) -> str:
    """The control room's board (SPEC §7.3): alerts to acknowledge, live checks to watch."""
    body = (
        '<section id="board" hidden><h1>Control room</h1>'
        '<p id="new-alert" class="banner alarm" role="alert" hidden></p>'
        # Shown while the browser keeps the alert sound off (frontend/src/alarm.js).
        '<button type="button" id="sound-on" class="primary" hidden>Turn on the alert sound</button>'
        # At the top, not after a board that can be pages long: she must see that it stopped updating.
        f"{ERROR}"
        '<p id="board-status" class="small" role="status"></p>'
        '<h2>Alerts</h2><p id="no-alerts" class="notice" hidden>No alerts.</p><ol id="alerts" class="cards"></ol>'
        '<h2>Live checks</h2><p id="no-active" class="notice" hidden>No live checks.</p>'
        '<ol id="active" class="cards"></ol></section>'
    )
    return _shell("control", "Control room - Safe Connection", config, body, root, error_in_body=True)
