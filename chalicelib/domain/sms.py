"""The text a sergeant receives (SPEC §4): one SMS segment of GSM-7, no secrets, no citizen data."""

from __future__ import annotations

import re
import unicodedata

from .verification import Verification

MAX_SEPTETS = 160

_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# These need an escape character, so each costs two septets.
_GSM7_EXTENSION = set("^{}\\[~]|€\f")


# What an officer types goes into a text in front of the real link: nothing in it may read as
# another place to go or to call (a fake officer's "x. Open ev.il/s/Ab1" is a second link).
_LOOKS_LIKE = (
    (re.compile(r"(?i)\b(?:https?|ftp)\s*:|\bwww\s*\.|://"), "a link"),
    (re.compile(r"[^\s@]@[^\s@]"), "an e-mail address"),
    # A dot with no space after it, as phones turn "ev.il" into a link; "St. Pancras" stays text.
    (re.compile(r"(?i)\b[a-z0-9-]+\.(?:[a-z0-9-]+\.)*[a-z]{2,}\b"), "a web address"),
    (re.compile(r"(?:\+|\b)\d(?:[\s().-]?\d){6,}"), "a phone number"),
)


def contact_lookalike(text: str) -> str | None:
    """What in `text` could pass for a link, web address, e-mail or phone number; None if nothing."""
    for pattern, what in _LOOKS_LIKE:
        if pattern.search(text):
            return what
    return None


def septets(text: str) -> int:
    """Length in GSM-7 septets; raises ValueError for characters GSM-7 cannot carry."""
    total = 0
    for char in text:
        if char in _GSM7_BASIC:
            total += 1
        elif char in _GSM7_EXTENSION:
            total += 2
        else:
            raise ValueError(f"not GSM-7: {char!r}")
    return total


def to_gsm7(text: str) -> str:
    """Best readable GSM-7 rendering: strip accents GSM-7 lacks, replace anything else with '?'."""
    out = []
    for char in text:
        if char in _GSM7_BASIC:
            out.append(char)
            continue
        stripped = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(stripped if stripped and all(c in _GSM7_BASIC for c in stripped) else "?")
    return " ".join("".join(out).split())


def _fit(text: str, budget: int) -> str:
    if septets(text) <= budget:
        return text
    while text and septets(text + "...") > budget:
        text = text[:-1]
    return text.rstrip() + "..." if text else ""


def sergeant_request_sms(verification: Verification, link: str) -> str:
    """`Safe Connection: PC Jones (MP4721) asks for ID verification near Camden High St. Open <link>`.

    The link and the officer's number are never shortened; a long area, then a long name, are.
    """
    officer = verification.officer
    if verification.area or verification.location is None:
        where = to_gsm7(verification.area or "")
    else:
        where = f"{verification.location.lat:.4f},{verification.location.lon:.4f}"
    name = to_gsm7(officer.family_name)
    rank = to_gsm7(officer.rank)
    number = to_gsm7(officer.officer_id)

    # Without video the sergeant must still be able to check: by radio, the officer's own channel.
    fallback = " No video: call the officer on radio." if verification.voice_fallback else ""

    def render(name_part: str, where_part: str) -> str:
        return (
            f"Safe Connection: {rank} {name_part} ({number}) asks for ID verification "
            f"near {where_part}.{fallback} Open {link}"
        )

    budget = MAX_SEPTETS - septets(render("", ""))
    if budget < 0:
        raise ValueError("the link is too long for one SMS segment")
    if septets(name) + septets(where) > budget:
        # Shorten the area first, but keep a recognisable start of it (up to 16 septets, never
        # more than the whole budget) even if that means shortening a long name too.
        keep_of_where = min(septets(where), 16, budget)
        where = _fit(where, max(budget - septets(name), keep_of_where))
        name = _fit(name, budget - septets(where))
    message = render(name, where)
    if septets(message) > MAX_SEPTETS:
        # Cannot happen: the name and the area were shortened to fit the budget above.
        raise RuntimeError(f"the SMS is {septets(message)} septets, more than {MAX_SEPTETS}")
    return message


# A citizen asked for a check by the officer's number (SPEC §7.4). Her words never go in: a
# stranger could otherwise send any text to an officer's phone through us. The officer's own rank
# and number say which of their phones it is; the link is to their own page on the force's site.
_CHECK_REQUEST = {
    "en": "Safe Connection: someone asks you{who} to start an ID check. If you have stopped them, "
          "start it now: {link}",
    "cy": "Safe Connection: mae rhywun yn gofyn i chi{who} ddechrau gwiriad ID. Os ydych wedi eu stopio, "
          "dechreuwch ef nawr: {link}",
}


def check_request_sms(rank: str, officer_id: str, link: str, language: str) -> str:
    """The text asking an officer to start a check, in the force's language ("en" or "cy").

    One GSM-7 segment: the officer's rank and number are left out rather than the link cut."""
    template = _CHECK_REQUEST[language]
    message = template.format(who=f" ({to_gsm7(rank)} {to_gsm7(officer_id)})", link=link)
    if septets(message) > MAX_SEPTETS:
        message = template.format(who="", link=link)
    if septets(message) > MAX_SEPTETS:
        raise ValueError("the link is too long for one SMS segment")
    return message
