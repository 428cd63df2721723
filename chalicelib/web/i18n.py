"""Citizen page text in English and Welsh. The force chooses the default; a link switches.

Welsh wording should be reviewed by the force's Welsh language officer before go-live.
"""

from __future__ import annotations

from ..domain.verification import Method, Status

LANGUAGES = ("en", "cy")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Is this a police officer?",
        "check_title": "Check a police officer",
        "check_intro": "Type the reference the officer showed you. You do not need to sign in.",
        "reference": "Reference",
        "check_button": "Check",
        "not_found": "We could not find that reference. Check it and try again, or call 999.",
        "rate_limited": (
            "Too many checks from this connection. Wait a minute and try again. If you feel unsafe, call 999."
        ),
        "unsafe": "If you feel unsafe, call 999.",
        "officer": "Officer",
        "confirmed_by": "Confirmed by",
        "how": "How",
        "at": "at",
        "updated": "This page updates by itself every few seconds.",
        "stop_refresh": "Stop updating by itself",
        "paused": "Automatic updates are off.",
        "refresh_now": "Update now",
        "resume_refresh": "Update by itself again",
        "switch": "Cymraeg",
        "photo_alt": "Registry photo of the officer",
        "started": "Check started",
    },
    "cy": {
        "title": "Ai swyddog heddlu yw hwn?",
        "check_title": "Gwirio swyddog heddlu",
        "check_intro": "Teipiwch y cyfeirnod a ddangosodd y swyddog i chi. Does dim angen mewngofnodi.",
        "reference": "Cyfeirnod",
        "check_button": "Gwirio",
        "not_found": (
            "Ni allem ddod o hyd i'r cyfeirnod hwnnw. Gwiriwch ef a rhowch gynnig arall arni, neu ffoniwch 999."
        ),
        "rate_limited": (
            "Gormod o wiriadau o'r cysylltiad hwn. Arhoswch funud a rhowch gynnig arall arni. Os ydych chi'n teimlo'n "
            "anniogel, ffoniwch 999."
        ),
        "unsafe": "Os ydych chi'n teimlo'n anniogel, ffoniwch 999.",
        "officer": "Swyddog",
        "confirmed_by": "Cadarnhawyd gan",
        "how": "Sut",
        "at": "am",
        "updated": "Mae'r dudalen hon yn diweddaru ei hun bob ychydig eiliadau.",
        "stop_refresh": "Peidio â diweddaru ei hun",
        "paused": "Mae diweddaru awtomatig wedi'i ddiffodd.",
        "refresh_now": "Diweddaru nawr",
        "resume_refresh": "Diweddaru ei hun eto",
        "switch": "English",
        "photo_alt": "Llun cofrestr y swyddog",
        "started": "Dechreuwyd y gwiriad",
    },
}

STATUS_WORDS: dict[str, dict[Status, str]] = {
    "en": {
        Status.AWAITING_SERGEANT: "Checking - please wait",
        Status.CONNECTED: "Checking - please wait",
        Status.CONFIRMED: "Confirmed police officer",
        Status.NOT_CONFIRMED: "NOT confirmed",
        Status.CANCELLED: "Check cancelled",
        Status.UNANSWERED: "Could not be checked",
        Status.EXPIRED: "Could not be checked",
    },
    "cy": {
        Status.AWAITING_SERGEANT: "Yn gwirio - arhoswch os gwelwch yn dda",
        Status.CONNECTED: "Yn gwirio - arhoswch os gwelwch yn dda",
        Status.CONFIRMED: "Swyddog heddlu wedi'i gadarnhau",
        Status.NOT_CONFIRMED: "HEB ei gadarnhau",
        Status.CANCELLED: "Gwiriad wedi'i ganslo",
        Status.UNANSWERED: "Doedd dim modd gwirio",
        Status.EXPIRED: "Doedd dim modd gwirio",
    },
}

ADVICE_CY: dict[Status, str] = {
    Status.AWAITING_SERGEANT: (
        "Mae rhingyll yr heddlu yn cael ei ofyn i gadarnhau pwy yw'r person hwn. Arhoswch os gwelwch yn dda."
    ),
    Status.CONNECTED: "Mae rhingyll yr heddlu yn gwirio pwy yw'r person hwn ar alwad fideo nawr.",
    Status.CONFIRMED: (
        "Mae'r person hwn yn swyddog heddlu sy'n gwasanaethu, wedi'i gadarnhau gan ringyll o'r un heddlu."
    ),
    Status.NOT_CONFIRMED: "Ni ellid cadarnhau bod y person hwn yn swyddog heddlu. Ffoniwch 999 nawr.",
    Status.CANCELLED: (
        "Cafodd y gwiriad ei ganslo cyn iddo orffen. Os ydych chi'n teimlo'n anniogel, ffoniwch 999 a gofynnwch am "
        "swyddog mewn iwnifform."
    ),
    Status.UNANSWERED: (
        "Ni allai unrhyw ringyll gadarnhau'r person hwn mewn pryd. Ffoniwch 999 a gofynnwch am swyddog mewn iwnifform."
    ),
    Status.EXPIRED: "Ni orffennwyd y gwiriad mewn pryd. Ffoniwch 999 a gofynnwch am swyddog mewn iwnifform.",
}

# How the decision was made (SPEC §7.3): who, and over what; per outcome.
METHOD_WORDS: dict[str, dict[Status, dict[Method, str]]] = {
    "en": {
        Status.CONFIRMED: {
            Method.VIDEO: "Confirmed by a sergeant by video call.",
            Method.AUDIO: "Confirmed by a sergeant by audio call.",
            Method.RADIO: "Confirmed by the control room by radio.",
        },
        Status.NOT_CONFIRMED: {
            Method.VIDEO: "Checked by a sergeant by video call.",
            Method.AUDIO: "Checked by a sergeant by audio call.",
            Method.RADIO: "Checked by the control room by radio.",
        },
    },
    "cy": {
        Status.CONFIRMED: {
            Method.VIDEO: "Wedi'i gadarnhau gan ringyll drwy alwad fideo.",
            Method.AUDIO: "Wedi'i gadarnhau gan ringyll drwy alwad sain.",
            Method.RADIO: "Wedi'i gadarnhau gan yr ystafell reoli drwy radio.",
        },
        Status.NOT_CONFIRMED: {
            Method.VIDEO: "Wedi'i wirio gan ringyll drwy alwad fideo.",
            Method.AUDIO: "Wedi'i wirio gan ringyll drwy alwad sain.",
            Method.RADIO: "Wedi'i wirio gan yr ystafell reoli drwy radio.",
        },
    },
}

CONFIRMED_ADVICE_CY: dict[Method, str] = {
    Method.VIDEO: ADVICE_CY[Status.CONFIRMED],
    Method.AUDIO: (
        "Mae'r person hwn yn swyddog heddlu sy'n gwasanaethu, wedi'i gadarnhau gan ringyll o'r un heddlu ar alwad sain."
    ),
    Method.RADIO: (
        "Mae'r person hwn yn swyddog heddlu sy'n gwasanaethu, wedi'i gadarnhau gan ystafell reoli'r heddlu drwy radio."
    ),
}


# "I feel unsafe" and quick exit (SPEC §7.4): on every citizen page; merged into TEXT below.
UNSAFE_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "quick_exit": "Exit this page",
        "unsafe_button": "I feel unsafe",
        "where_label": "Where are you? (optional)",
        "where_hint": "In your own words, for example a street or a shop. You can also just press the button.",
        "where_pause": "Stop the page updating so you can type",
        "unsafe_told": "The control room has been told. If you can, call 999 now.",
        "where_invalid": (
            "We could not send what you typed. Use plain words, 80 characters or fewer, then press the button again."
        ),
    },
    "cy": {
        "quick_exit": "Gadael y dudalen hon",
        "unsafe_button": "Rwy'n teimlo'n anniogel",
        "where_label": "Ble rydych chi? (dewisol)",
        "where_hint": (
            "Yn eich geiriau eich hun, er enghraifft stryd neu siop. Gallwch hefyd bwyso'r botwm yn unig."
        ),
        "where_pause": "Atal y dudalen rhag diweddaru er mwyn i chi deipio",
        "unsafe_told": "Mae'r ystafell reoli wedi cael gwybod. Os gallwch chi, ffoniwch 999 nawr.",
        "where_invalid": (
            "Doedd dim modd anfon yr hyn a deipiwyd gennych. Defnyddiwch eiriau plaen, 80 nod neu lai, yna "
            "pwyswch y botwm eto."
        ),
    },
}
for _lang, _words in UNSAFE_TEXT.items():
    TEXT[_lang].update(_words)
