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
# Asking for a check
# SPEC §7.4: the officer's number when she has no reference, asking for a check, and typing the
# force's address herself. A block of its own so the citizen pages' other strings merge cleanly.
ASKING: dict[str, dict[str, str]] = {
    "en": {
        "own_site": (
            "Type this site's address yourself, on your own phone. Never use a link, a QR code or a phone "
            "the officer gives you: a fake officer can make those."
        ),
        "no_reference": "The officer has not given you a reference?",
        "number_intro": (
            "Type the officer's number from their warrant card. If they have started a check, you will see it."
        ),
        "number": "Officer's number (on the warrant card)",
        "find": "Find their check",
        "bad_number": "That does not look like an officer's number. Type the letters and numbers on the warrant card.",
        "none_title": "No check to show for this number yet",
        "none_intro": (
            "Only the officer can start a check, on their own phone. We can ask them to start one now. "
            "You do not need to give your name or number."
        ),
        "where": "Where are you? (optional, for our control room, at most 80 characters)",
        "ask": "Ask for a check",
        "next": (
            "What happens next: if this is the number of a serving officer, they get a text asking them to "
            "start a check, and our control room is told. When the officer has started it, press "
            "\"Look again\" to see the check and the officer's photo."
        ),
        "look_again": "Look again",
        "asked": "We have asked for a check.",
        "still_unsafe": "If the officer will not start a check, or you feel unsafe, call 999.",
        "too_long": "Say where you are in 80 characters or fewer, using letters, numbers and punctuation.",
        "asked_too_often": (
            "Too many requests from this connection. Wait a few minutes and try again. If you feel unsafe, call 999."
        ),
    },
    "cy": {
        "own_site": (
            "Teipiwch gyfeiriad y wefan hon eich hun, ar eich ffôn eich hun. Peidiwch byth â defnyddio dolen, cod QR "
            "neu ffôn y mae'r swyddog yn ei roi i chi: gall swyddog ffug wneud y rheini."
        ),
        "no_reference": "Dydy'r swyddog ddim wedi rhoi cyfeirnod i chi?",
        "number_intro": (
            "Teipiwch rif y swyddog o'i gerdyn gwarant. Os yw wedi dechrau gwiriad, byddwch chi'n ei weld."
        ),
        "number": "Rhif y swyddog (ar y cerdyn gwarant)",
        "find": "Dod o hyd i'w wiriad",
        "bad_number": (
            "Dydy hwnnw ddim yn edrych fel rhif swyddog. Teipiwch y llythrennau a'r rhifau sydd ar y cerdyn gwarant."
        ),
        "none_title": "Dim gwiriad i'w ddangos ar gyfer y rhif hwn eto",
        "none_intro": (
            "Dim ond y swyddog all ddechrau gwiriad, ar ei ffôn ei hun. Gallwn ofyn iddo ddechrau un nawr. "
            "Does dim angen i chi roi eich enw na'ch rhif."
        ),
        "where": "Ble ydych chi? (dewisol, ar gyfer ein hystafell reoli, 80 nod ar y mwyaf)",
        "ask": "Gofyn am wiriad",
        "next": (
            "Beth sy'n digwydd nesaf: os mai hwn yw rhif swyddog sy'n gwasanaethu, bydd yn cael neges destun yn "
            "gofyn iddo ddechrau gwiriad, a bydd ein hystafell reoli yn cael gwybod. Pan fydd y swyddog wedi'i "
            "ddechrau, pwyswch \"Edrych eto\" i weld y gwiriad a llun y swyddog."
        ),
        "look_again": "Edrych eto",
        "asked": "Rydym wedi gofyn am wiriad.",
        "still_unsafe": "Os na fydd y swyddog yn dechrau gwiriad, neu os ydych chi'n teimlo'n anniogel, ffoniwch 999.",
        "too_long": "Dywedwch ble ydych chi mewn 80 nod neu lai, gan ddefnyddio llythrennau, rhifau ac atalnodi.",
        "asked_too_often": (
            "Gormod o geisiadau o'r cysylltiad hwn. Arhoswch ychydig funudau a rhowch gynnig arall arni. Os ydych "
            "chi'n teimlo'n anniogel, ffoniwch 999."
        ),
    },
}
