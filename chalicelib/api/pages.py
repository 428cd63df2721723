"""Citizen pages: `/verify`, `/v/{reference}` and their stylesheet. No sign-in, no JavaScript."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from .. import services
from ..bootstrap import get_dependencies
from ..domain import references
from ..domain.errors import NotFound, RateLimited
from ..observability import logger
from ..web import citizen
from ..web.i18n import LANGUAGES, TEXT

pages = Blueprint(__name__)
_CSS = (Path(__file__).resolve().parents[1] / "web" / "citizen.css").read_text()


def _language() -> str:
    requested = (pages.current_request.query_params or {}).get("lang")
    default = get_dependencies().settings.default_language
    return requested if requested in LANGUAGES else default


def _html(body: str, status: int = 200, img_origin: str | None = None) -> Response:
    return Response(body=body, status_code=status, headers=citizen.security_headers(img_origin))


@pages.route("/static/citizen.css", methods=["GET"])
def stylesheet() -> Response:
    return Response(body=_CSS, headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600",
                                        "X-Content-Type-Options": "nosniff"})


@pages.route("/verify", methods=["GET"])
def verify_form() -> Response:
    lang = _language()
    typed = (pages.current_request.query_params or {}).get("reference")
    if typed is None:
        return _html(citizen.form_page(lang))
    reference = references.normalise(typed)
    if reference is None:
        return _html(citizen.form_page(lang, TEXT[lang]["not_found"], typed[:40]), status=404)
    # A plain redirect keeps it working without JavaScript and gives a URL she can reload.
    return Response(body="", status_code=303, headers={
        **citizen.security_headers(), "Location": f"/v/{quote(reference)}?lang={lang}",
    })


@pages.route("/v/{reference}", methods=["GET"])
def result(reference: str) -> Response:
    lang = _language()
    identity = (pages.current_request.context or {}).get("identity") or {}
    try:
        view = services.public_view(get_dependencies(), unquote(reference), client_address=identity.get("sourceIp") or "unknown")
    except NotFound:
        return _html(citizen.form_page(lang, TEXT[lang]["not_found"]), status=404)
    except RateLimited:
        response = _html(citizen.form_page(lang, TEXT[lang]["rate_limited"]), status=429)
        response.headers["Retry-After"] = "60"
        return response
    except Exception:  # noqa: BLE001 - a frightened person gets a page, never a stack trace
        logger.exception("citizen_page_failed")
        return _html(citizen.form_page(lang, TEXT[lang]["unsafe"]), status=500)
    return _html(citizen.result_page(lang, view), img_origin=citizen.photo_origin(view))
