"""HTML shells for the staff pages: the sergeant's `/s/{verification_id}` and the officer's `/o`.

The server sends no personal data here: the page signs in against Cognito in the browser, keeps
the ID token in sessionStorage, and reads everything else from the API with that token. The
shell only carries where to sign in (endpoint and app client id, both public) and whether video
is real (Chime SDK) or simulated (the local stack's Chime stand-in carries no media).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

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


def _shell(page: str, title: str, config: dict[str, str], body: str, root: str) -> str:
    """`root` ("" or "../") leads back to the app's root: relative links work under a stage prefix."""
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
        '<section id="sign-in" hidden><h1>Sign in</h1>'
        '<form id="sign-in-form" novalidate>'
        '<label for="username">Username</label>'
        '<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required>'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<div id="code-row" hidden><label for="code">Code from your authenticator app</label>'
        '<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*"></div>'
        '<button type="submit" class="primary">Sign in</button>'
        '<p id="sign-in-error" class="error" role="alert"></p></form></section>'
        f"{body}"
        '<p id="error" class="error" role="alert" hidden></p>'
        "</main><noscript><p>This page needs JavaScript for the video call.</p></noscript></body></html>"
    )


def sergeant_page(config: dict[str, str], root: str) -> str:
    body = (
        '<section id="request" hidden><h1>ID check request</h1>'
        '<p id="request-status" class="pill" role="status"></p>'
        '<dl class="facts">'
        '<dt>Officer</dt><dd id="officer-name"></dd>'
        '<dt>Where</dt><dd><span id="where"></span> <a id="map-link" hidden target="_blank" rel="noopener noreferrer">Map</a></dd>'
        '<dt>Waiting</dt><dd id="waiting"></dd>'
        '<dt>Reference</dt><dd id="reference"></dd></dl>'
        '<button type="button" id="accept" class="primary big" hidden>Accept</button>'
        '<p id="taken" class="notice" role="status" hidden></p></section>'
        '<section id="call" hidden><h1>Compare the face with the registry photo</h1>'
        '<div class="compare">'
        '<figure><img id="registry-photo" alt="Registry photo of the officer"><figcaption id="registry-caption"></figcaption></figure>'
        '<figure><video id="remote-video" autoplay playsinline muted></video><figcaption>Live video</figcaption></figure>'
        "</div>"
        '<figure class="self"><video id="local-video" autoplay playsinline muted></video><figcaption>You</figcaption></figure>'
        '<audio id="call-audio" autoplay></audio>'
        '<label for="note">Note (optional)</label>'
        '<textarea id="note" maxlength="500" rows="1"></textarea>'
        '<div class="decide"><button type="button" id="confirm" class="confirm big">Confirm identity</button>'
        '<button type="button" id="deny" class="deny big">Cannot confirm</button></div></section>'
        '<section id="done" hidden><h1 id="done-title"></h1><p id="done-detail"></p></section>'
    )
    return _shell("sergeant", "ID check - Safe Connection", config, body, root)


def officer_page(config: dict[str, str], root: str) -> str:
    body = (
        '<section id="start" hidden><h1>Prove you are a police officer</h1>'
        "<p>Your position is sent to the sergeant and the control room, never to the person you stopped.</p>"
        '<label for="area">Area (if your phone cannot give your position)</label>'
        '<input id="area" maxlength="80" autocomplete="off">'
        '<button type="button" id="start-button" class="primary big">Start verification</button>'
        '<p id="location-note" class="notice" role="status" hidden></p></section>'
        '<section id="active" hidden>'
        '<p class="label">Show this reference to the person you stopped</p>'
        '<p id="reference" class="reference"></p>'
        '<canvas id="qr" width="220" height="220" role="img" aria-label="QR code of the citizen page"></canvas>'
        '<p class="small">She types it on the force site or scans the code: <span id="citizen-url"></span></p>'
        '<p id="live-status" class="pill" role="status"></p>'
        '<p id="advice" class="notice"></p>'
        '<figure class="self"><video id="local-video" autoplay playsinline muted></video><figcaption>You</figcaption></figure>'
        '<figure><video id="remote-video" autoplay playsinline muted></video><figcaption>Sergeant</figcaption></figure>'
        '<audio id="call-audio" autoplay></audio>'
        '<button type="button" id="cancel" class="deny">Cancel verification</button>'
        '<button type="button" id="new-check" class="primary" hidden>Start a new verification</button></section>'
    )
    return _shell("officer", "Officer - Safe Connection", config, body, root)
