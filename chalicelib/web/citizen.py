"""HTML for the citizen: `/verify` (type a reference) and `/v/{reference}` (the answer).

Server-rendered and JavaScript-free so it works on any phone; while a check is pending the page
refreshes itself with a meta refresh. No location, no notes, no phone numbers ever appear here.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from ..domain.verification import Method, Status
from .i18n import ADVICE_CY, ASKING, CONFIRMED_ADVICE_CY, METHOD_WORDS, STATUS_WORDS, TEXT

PENDING = {Status.AWAITING_SERGEANT, Status.CONNECTED}
REFRESH_SECONDS = 5
# Where the quick exit leads: a site anyone might have open, saying nothing about why she left.
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
WHERE_MAX_CHARS = 80  # as schemas.UnsafeReportRequest


def security_headers(img_origin: str | None = None) -> dict[str, str]:
    """Strict CSP (no script at all), no referrer, nothing cached: the answer is personal and live."""
    img = "'self'" + (f" {img_origin}" if img_origin else "")
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": (
            f"default-src 'none'; img-src {img}; style-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def _page(lang: str, title: str, body: str, switch_href: str, root: str, refresh: bool = False,
          unsafe_in_body: bool = False) -> str:
    """`root` leads from the page's own path back to the app's root ("" or "../"): every link is
    relative, so the pages work under an API Gateway stage prefix (`/api/...`) as on the force's domain."""
    t = TEXT[lang]
    refresh_tag = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if refresh else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{refresh_tag}<title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{root}static/citizen.css"></head><body>'
        # First in the page, a plain link: leaves at once, JavaScript or not, and tells the site nothing.
        f'<header class="exit"><a class="quick-exit" href="{QUICK_EXIT_URL}" rel="noreferrer">{t["quick_exit"]}</a>'
        "</header><main>"
        f'<p class="lang"><a href="{escape(switch_href)}">{t["switch"]}</a></p>'
        f"{body}"
        + ("" if unsafe_in_body else f'<p class="unsafe">{t["unsafe"]}</p>')
        + "</main></body></html>"
    )


def _other(lang: str) -> str:
    return "en" if lang == "cy" else "cy"


def form_page(lang: str, message: str | None = None, typed: str = "", root: str = "", number: str = "") -> str:
    """`/verify`: the reference she was shown, or the officer's number from the warrant card."""
    t, a = TEXT[lang], ASKING[lang]
    notice = f'<p class="advice" role="alert">{escape(message)}</p>' if message else ""
    body = (
        f'<h1>{t["check_title"]}</h1>{notice}<p>{t["check_intro"]}</p>'
        f'<p class="own-site">{escape(a["own_site"])}</p>'
        f'<form method="get" action="{root}verify">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<label for="reference">{t["reference"]}</label>'
        f'<input type="text" id="reference" name="reference" value="{escape(typed)}" '
        'autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text" required>'
        f'<button type="submit">{t["check_button"]}</button></form>'
        f'<h2>{escape(a["no_reference"])}</h2><p>{escape(a["number_intro"])}</p>'
        f"{_number_form(lang, root, number, visible=True)}"
    )
    return _page(lang, t["check_title"], body, f"?lang={_other(lang)}", root)


def _number_form(lang: str, root: str, number: str, *, visible: bool) -> str:
    """Look the number up (again): a plain GET, so the answer is a URL she can reload."""
    a = ASKING[lang]
    if visible:
        field = (f'<label for="officer">{escape(a["number"])}</label>'
                 f'<input type="text" id="officer" name="officer" value="{escape(number)}" maxlength="40" '
                 'autocomplete="off" autocapitalize="characters" spellcheck="false" required>')
        button = a["find"]
    else:
        field, button = f'<input type="hidden" name="officer" value="{escape(number)}">', a["look_again"]
    return (f'<form method="get" action="{root}verify"><input type="hidden" name="lang" value="{lang}">'
            f'{field}<button type="submit">{escape(button)}</button></form>')


def ask_page(lang: str, number: str, *, asked: bool = False, message: str | None = None, where: str = "") -> str:
    """No check is running for this number: offer to ask for one, and say what happens next.

    The same page for any number, known or not (only the number she typed is echoed), and never a
    photo or a name: those are shown only with a check the officer started."""
    t, a = TEXT[lang], ASKING[lang]
    notice = f'<p class="advice" role="alert">{escape(message)}</p>' if message else ""
    if asked:
        status = f'<p class="status status-asked" role="status">{escape(a["asked"])}</p>'
        ask = ""
    else:
        status = f'<p>{escape(a["none_intro"])}</p>'
        ask = (
            '<form method="post" action="verify">'
            f'<input type="hidden" name="lang" value="{lang}">'
            f'<input type="hidden" name="officer" value="{escape(number)}">'
            f'<label for="where">{escape(a["where"])}</label>'
            f'<input type="text" id="where" name="where" value="{escape(where)}" maxlength="80" autocomplete="off">'
            f'<button type="submit">{escape(a["ask"])}</button></form>'
        )
    body = (
        f'<h1>{escape(a["none_title"])}</h1>{notice}'
        f'<dl><dt>{escape(a["number"])}</dt><dd class="number">{escape(number)}</dd></dl>'
        f"{status}{ask}<p>{escape(a['next'])}</p>"
        f'{_number_form(lang, "", number, visible=False)}'
        f'<p>{escape(a["still_unsafe"])}</p>'
        f'<p class="own-site">{escape(a["own_site"])}</p>'
    )
    here = f"?officer={quote(number)}" + ("&asked=1" if asked else "")
    return _page(lang, f'{a["none_title"]} - {t["check_title"]}', body, f"{here}&lang={_other(lang)}", "")


def result_page(lang: str, view: dict[str, Any], auto_refresh: bool = True, told: bool = False,
                where_error: str | None = None, root: str = "../", here_path: str = "") -> str:
    """`auto_refresh=False` is her choice (WCAG 2.2.1): the page then updates only when she asks.
    `told`: she pressed "I feel unsafe" on this page; `where_error`: her words could not be sent (the
    page is then the form's answer, one level deeper: `root` and `here_path` lead back to the page)."""
    t = TEXT[lang]
    status = Status(view["status"])
    words = STATUS_WORDS[lang][status]
    method = Method(view["method"]) if view.get("method") else None
    advice = view["advice"] if lang == "en" else _advice_cy(status, method)
    officer = view["officer"]
    photo = (
        f'<img src="{escape(officer["photo_url"])}" alt="{t["photo_alt"]}">' if officer.get("photo_url") else ""
    )
    confirmed = ""
    if view.get("confirmed_by"):
        by = view["confirmed_by"]
        when = (view.get("decided_at") or "")[11:16]
        confirmed = (
            f'<dt>{t["confirmed_by"]}</dt><dd>{escape(by["rank"])} {escape(by["family_name"])} '
            f'({escape(by["officer_id"])}) {t["at"]} {escape(when)} UTC</dd>'
        )
    how = METHOD_WORDS[lang].get(status, {}).get(method) if method is not None else None
    if how is not None and method is not None:
        confirmed += f'<dt>{t["how"]}</dt><dd class="method method-{method.value}">{escape(how)}</dd>'
    pending = status in PENDING
    here = f"{here_path}?lang={lang}"  # this same page: a query-only link keeps the path
    if not pending:
        updates = ""
    elif auto_refresh:
        updates = f'<p>{t["updated"]} <a href="{escape(here)}&amp;refresh=off">{t["stop_refresh"]}</a></p>'
    else:
        updates = (f'<p>{t["paused"]} <a href="{escape(here)}&amp;refresh=off">{t["refresh_now"]}</a> - '
                   f'<a href="{escape(here)}">{t["resume_refresh"]}</a></p>')
    told_notice = f'<p class="told" role="status">{t["unsafe_told"]}</p>' if told else ""
    body = (
        f'<h1>{t["title"]}</h1>{told_notice}'
        f'<p class="status status-{status.value}" role="status">{escape(words)}</p>'
        f'<p class="advice">{escape(advice)}</p>'
        # Above the fold on a small phone: the one thing she must always be able to see.
        f'<p class="unsafe">{t["unsafe"]}</p>'
        + _unsafe_form(lang, f"{root}v/{quote(view['reference'])}/unsafe", here, auto_refresh, pending,
                       where_error) +
        f'<div class="officer">{photo}<dl>'
        f'<dt>{t["officer"]}</dt><dd>{escape(officer["rank"])} {escape(officer["family_name"])} '
        f'({escape(officer["officer_id"])})</dd>{confirmed}'
        f'<dt>{t["reference"]}</dt><dd>{escape(view["reference"])}</dd></dl></div>'
        + updates
    )
    switch = f"{here_path}?lang={_other(lang)}" + ("" if auto_refresh else "&refresh=off")
    return _page(lang, f"{words} - {t['title']}", body, switch, root, refresh=pending and auto_refresh,
                 unsafe_in_body=True)


def _unsafe_form(lang: str, action: str, here: str, auto_refresh: bool, pending: bool, error: str | None) -> str:
    """"I feel unsafe" as a plain form: one press is enough, her words are optional. Posted to
    `/v/{reference}/unsafe` (`action`, relative), which sends her back to this page (`here`, with her
    language and refresh choice). A page that refreshes itself would wipe what she is typing: it
    offers to stop first."""
    t = TEXT[lang]
    query = here[here.index("?"):] + ("" if auto_refresh else "&refresh=off")
    refreshing = pending and auto_refresh
    pause = f' <a href="{escape(here)}&amp;refresh=off">{t["where_pause"]}</a>' if refreshing else ""
    problem = f'<p class="error" id="where-error" role="alert">{escape(error)}</p>' if error else ""
    described = "where-hint" + (" where-error" if error else "")
    return (
        f'<form class="unsafe-form" method="post" action="{escape(action + query)}">'
        f'<label for="where">{t["where_label"]}</label>'
        f'<p class="hint" id="where-hint">{t["where_hint"]}{pause}</p>{problem}'
        f'<input type="text" id="where" name="where" maxlength="{WHERE_MAX_CHARS}" autocomplete="off" '
        f'aria-describedby="{described}">'
        f'<button type="submit" class="unsafe-button">{t["unsafe_button"]}</button></form>'
    )


def _advice_cy(status: Status, method: Method | None) -> str:
    if status is Status.CONFIRMED and method is not None:
        return CONFIRMED_ADVICE_CY[method]
    return ADVICE_CY[status]
