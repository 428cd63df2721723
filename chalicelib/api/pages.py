"""The pages people open: the citizen's `/verify` and `/v/{reference}` (no sign-in, no JavaScript),
the citizen's request for a check (`POST /verify`, by the officer's number), the sergeant's
`/s/{verification_id}` (the SMS link), the officer's `/o`, the control room's `/c`,
and their static assets."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote

from chalice.app import Blueprint, Request, Response

from ..bootstrap import get_dependencies
from ..domain import references
from ..domain.errors import NotFound, RateLimited, ValidationFailed
from ..observability import logger
from ..web.i18n import ASKING, LANGUAGES, TEXT
from . import presenters
from .errors import Headers
from .lazy import resolved
from .requests import MAX_BODY_BYTES, query_param

if TYPE_CHECKING:
    import http.cookies as http_cookies

    from ..schemas.base import parse
    from ..schemas.citizen import CheckRequestIn, UnsafeReportRequest
    from ..services import check_requests, citizen_unsafe, public
    from ..web import citizen, staff
else:  # imported by the first request that needs them (api/lazy.py): a look-up loads no pydantic,
    # and an officer's start none of the pages' renderers
    from .lazy import lazy_modules, lazy_names

    citizen_unsafe, check_requests, public = lazy_modules(
        "chalicelib.services.citizen_unsafe", "chalicelib.services.check_requests", "chalicelib.services.public")
    citizen, staff, http_cookies = lazy_modules("chalicelib.web.citizen", "chalicelib.web.staff", "http.cookies")
    CheckRequestIn, UnsafeReportRequest = lazy_names(
        "chalicelib.schemas.citizen", "CheckRequestIn", "UnsafeReportRequest")
    (parse,) = lazy_names("chalicelib.schemas.base", "parse")

pages = Blueprint(__name__)
STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"
# Served by name from this list only: never a path taken from the request.
ASSET_TYPES = {
    "citizen.css": "text/css; charset=utf-8",
    "staff.css": "text/css; charset=utf-8",
    "sergeant.js": "text/javascript; charset=utf-8",
    "officer.js": "text/javascript; charset=utf-8",
    "control.js": "text/javascript; charset=utf-8",
    "sergeant-sw.js": "text/javascript; charset=utf-8",
}
# The sergeant page's service worker (Web Push) lives here but controls the sergeant's pages: the
# scope it may take is widened to `s/` beside `static/` (relative to the script, so it holds under
# any stage prefix). Never cached, so a changed worker reaches the phones at once; its own CSP lets
# it post receipts to this API only.
SERVICE_WORKER_HEADERS = {
    "Service-Worker-Allowed": "../s/",
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'none'; connect-src 'self'",
}


def _language() -> str:
    requested = query_param(pages.current_request, "lang")
    default = get_dependencies().settings.default_language
    return requested if requested in LANGUAGES else default


def _html(body: str, status: int = 200, img_origin: str | None = None) -> Response:
    headers: Headers = {**citizen.security_headers(img_origin)}
    return Response(body=body, status_code=status, headers=headers)


@functools.lru_cache(maxsize=len(ASSET_TYPES))
def _asset_text(name: str) -> str | None:
    """Read once per container: the bundles are over a megabyte and never change while it lives."""
    path = STATIC_DIR / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


@pages.route("/static/{asset}", methods=["GET"])
def static_asset(asset: str) -> Response:
    content_type = ASSET_TYPES.get(asset)
    body = _asset_text(asset) if content_type else None
    if content_type is None or body is None:
        # The JavaScript bundles are built by `make` (npm); a missing one is a build problem.
        return Response(body="Not found", status_code=404, headers={"Content-Type": "text/plain; charset=utf-8",
                                                                     "X-Content-Type-Options": "nosniff"})
    return Response(body=body, headers={
        "Content-Type": content_type, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff",
        **(SERVICE_WORKER_HEADERS if asset == "sergeant-sw.js" else {}),
    })


def _photo_origin() -> str | None:
    """Where registry photos load from, for the pages' `img-src` (one origin for every photo link)."""
    try:
        return get_dependencies().photos.origin()
    except Exception:  # noqa: BLE001 - no photo origin only means the photo will not load
        logger.exception("photo_origin_failed")
        return None


def _staff_page(render: Callable[[dict[str, str], str], str], root: str, **extra: str) -> Response:
    deps = get_dependencies()
    settings = deps.settings
    config: dict[str, str] = {
        "cognito_endpoint": settings.effective_cognito_endpoint,
        "client_id": settings.token_audience,
        "issuer": staff.authenticator_issuer(settings.authenticator_label),
        "video": "simulated" if settings.chime_backend == "standin" else "chime",
        **extra,
    }
    headers: Headers = {**staff.security_headers(settings.effective_cognito_endpoint, _photo_origin())}
    return Response(body=render(config, root), headers=headers)


@pages.route("/s/{verification_id}", methods=["GET"])
def sergeant_page(verification_id: str) -> Response:
    """The SMS link. Holds no personal data itself: the page asks the API once signed in."""
    return _staff_page(staff.sergeant_page, "../", verification_id=unquote(verification_id)[:64])


@pages.route("/o", methods=["GET"])
def officer_page() -> Response:
    # The site as she types it (SPEC §7.4): the force's domain, or the local stack's host.
    site = f"{get_dependencies().settings.effective_citizen_site}/verify"
    return _staff_page(staff.officer_page, "", citizen_site=site)


@pages.route("/c", methods=["GET"])
def control_page() -> Response:
    """The control room's board; holds no personal data itself (the API gives it once signed in)."""
    return _staff_page(staff.control_page, "")


@pages.route("/verify", methods=["GET"])
def verify_form() -> Response:
    lang = _language()
    typed = query_param(pages.current_request, "reference")
    number = query_param(pages.current_request, "officer")
    if typed is None and number is not None:
        return _by_number(lang, number, asked=query_param(pages.current_request, "asked") == "1")
    if typed is None:
        return _html(citizen.form_page(lang))
    reference = references.normalise(typed)
    if reference is None:
        return _html(citizen.form_page(lang, TEXT[lang]["not_found"], typed[:40]), status=404)
    # A plain redirect keeps it working without JavaScript and gives a URL she can reload.
    return Response(body="", status_code=303, headers={
        **citizen.security_headers(),
        "Location": f"v/{quote(reference)}?lang={lang}",  # relative: keeps any stage prefix
    })


@pages.route("/v/{reference}", methods=["GET"])
def result(reference: str) -> Response:
    lang = _language()
    identity = (pages.current_request.context or {}).get("identity") or {}
    try:
        view = presenters.public_body(public.public_view(
            get_dependencies(), unquote(reference), client_address=identity.get("sourceIp") or "unknown"
        ))
    except NotFound:
        return _html(citizen.form_page(lang, TEXT[lang]["not_found"], root="../"), status=404)
    except RateLimited:
        response = _html(citizen.form_page(lang, TEXT[lang]["rate_limited"], root="../"), status=429)
        response.headers["Retry-After"] = "60"
        return response
    except Exception:  # noqa: BLE001 - a frightened person gets a page, never a stack trace
        logger.exception("citizen_page_failed")
        return _html(citizen.form_page(lang, TEXT[lang]["unsafe"], root="../"), status=500)
    auto_refresh = query_param(pages.current_request, "refresh") != "off"
    return _html(citizen.result_page(lang, view, auto_refresh, told=_told(pages.current_request)),
                 img_origin=_photo_origin())


# ---- "I feel unsafe" (SPEC §7.4) ------------------------------------------------------------------
# The 303 back to the page sets a cookie only that page is sent: no Path attribute, so the browser
# scopes it to the directory of the form's URL (`…/v/{reference}`, stage prefix included, which the
# app cannot always know behind a custom domain). HttpOnly and SameSite=Strict: only her phone, on
# that page, ever sees "the control room has been told"; it lasts a while, so refreshes keep it.
TOLD_COOKIE = "sc_told"
TOLD_SECONDS = 900


def _told(request: Request) -> bool:
    cookies = http_cookies.SimpleCookie()
    try:
        cookies.load(request.headers.get("cookie") or "")
    except http_cookies.CookieError:
        return False
    return TOLD_COOKIE in cookies and cookies[TOLD_COOKIE].value == "1"


def _form_fields(request: Request) -> dict[str, str]:
    """The form's fields, each at most once (ValidationFailed otherwise: no browser sends that)."""
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationFailed("body: too large")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw), max_num_fields=10)
    except ValueError:
        raise ValidationFailed("body: not a form") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise ValidationFailed("body: a field is repeated")
    return fields


@pages.route("/v/{reference}/unsafe", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
def report_unsafe(reference: str) -> Response:
    """The page's "I feel unsafe" form: 303 back to the page, which then says the control room knows."""
    request = pages.current_request
    lang = _language()
    deps = get_dependencies()
    identity = (request.context or {}).get("identity") or {}
    try:
        where = parse(resolved(UnsafeReportRequest), _form_fields(request)).where
        citizen_unsafe.report_unsafe(deps, unquote(reference), where,
                                     client_address=identity.get("sourceIp") or "unknown")
    except ValidationFailed:
        return _unsafe_refused(reference, lang)
    except (NotFound, RateLimited) as error:
        return _not_shown(lang, error)
    except Exception:  # noqa: BLE001 - a frightened person gets a page, never a stack trace
        logger.exception("citizen_unsafe_failed")
        return _html(citizen.form_page(lang, TEXT[lang]["unsafe"], root="../../"), status=500)
    query = f"?lang={lang}" + ("&refresh=off" if query_param(request, "refresh") == "off" else "")
    canonical = references.normalise(unquote(reference)) or ""
    cookie = f"{TOLD_COOKIE}=1; Max-Age={TOLD_SECONDS}; HttpOnly; SameSite=Strict"
    if (request.headers.get("x-forwarded-proto") or "").lower() == "https":
        cookie += "; Secure"
    return Response(body="", status_code=303, headers={
        **citizen.security_headers(),
        # Relative, so any stage prefix is kept: from `…/v/{reference}/unsafe` to `…/v/{reference}`.
        "Location": f"../{quote(canonical)}{query}",
        "Set-Cookie": cookie,
    })


def _unsafe_refused(reference: str, lang: str) -> Response:
    """What she typed cannot be sent (too long, control characters): the page again, saying so, at
    the form's own URL (its links lead back to the page). Nothing is stored or sent; the button still
    works with the field left empty. Not refreshing: that would wipe the message before she reads it."""
    identity = (pages.current_request.context or {}).get("identity") or {}
    try:
        view = presenters.public_body(public.public_view(
            get_dependencies(), unquote(reference), client_address=identity.get("sourceIp") or "unknown"))
    except (NotFound, RateLimited) as error:
        return _not_shown(lang, error)
    page = citizen.result_page(lang, view, auto_refresh=False, where_error=TEXT[lang]["where_invalid"],
                               root="../../", here_path=f"../{quote(view['reference'])}")
    return _html(page, status=400, img_origin=_photo_origin())


def _not_shown(lang: str, error: NotFound | RateLimited) -> Response:
    """As the page itself answers: the reference form again, from the form's URL (one level deeper)."""
    if isinstance(error, NotFound):
        return _html(citizen.form_page(lang, TEXT[lang]["not_found"], root="../../"), status=404)
    response = _html(citizen.form_page(lang, TEXT[lang]["rate_limited"], root="../../"), status=429)
    response.headers["Retry-After"] = "60"
    return response


# ---- asking for a check by the officer's number (SPEC §7.4) ---------------------------------------


def _client_address() -> str:
    identity = (pages.current_request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def _by_number(lang: str, typed: str, *, asked: bool) -> Response:
    """303 to the check this officer started, if one is running; else the page offering to ask."""
    a = ASKING[lang]
    try:
        reference = check_requests.running_check_reference(get_dependencies(), typed, _client_address())
    except ValidationFailed:
        return _html(citizen.form_page(lang, a["bad_number"], number=typed[:40]), status=400)
    except RateLimited:
        response = _html(citizen.form_page(lang, TEXT[lang]["rate_limited"], number=typed[:40]), status=429)
        response.headers["Retry-After"] = "60"
        return response
    if reference is not None:
        return Response(body="", status_code=303, headers={
            **citizen.security_headers(), "Location": f"v/{quote(reference)}?lang={lang}",
        })
    number = check_requests.warrant_number(typed) or ""
    return _html(citizen.ask_page(lang, number, asked=asked))


@pages.route("/verify", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
def ask_for_check() -> Response:
    """The "Ask for a check" form, without JavaScript: then back (303) to the number's page."""
    try:
        form = _form_fields(pages.current_request)
    except ValidationFailed:
        form = {}  # no browser sends it: answered as a number that cannot be read
    chosen = form.get("lang", "")
    lang = chosen if chosen in LANGUAGES else get_dependencies().settings.default_language
    a = ASKING[lang]
    typed = form.get("officer", "")
    number = check_requests.warrant_number(typed)
    if number is None:
        return _html(citizen.form_page(lang, a["bad_number"], number=typed[:40]), status=400)
    where = " ".join(form.get("where", "").split()) or None  # her words on one line, trimmed
    try:
        parsed = parse(resolved(CheckRequestIn), {"officer_id": number, "where": where})
    except ValidationFailed:
        return _html(citizen.ask_page(lang, number, message=a["too_long"], where=(where or "")[:80]), status=400)
    try:
        check_requests.request_check(get_dependencies(), parsed.officer_id, parsed.where, _client_address())
    except RateLimited:
        response = _html(citizen.ask_page(lang, number, message=a["asked_too_often"]), status=429)
        response.headers["Retry-After"] = str(check_requests.REQUEST_WINDOW_SECONDS)
        return response
    return Response(body="", status_code=303, headers={
        **citizen.security_headers(), "Location": f"verify?officer={quote(number)}&asked=1&lang={lang}",
    })

