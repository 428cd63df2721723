"""Welsh parity (issue 15): every citizen text exists in English and Welsh, methods included."""

from __future__ import annotations

import pytest

from chalicelib.domain.public import ADVICE, CONFIRMED_ADVICE
from chalicelib.domain.verification import Method, Status
from chalicelib.web import citizen
from chalicelib.web.i18n import ADVICE_CY, CONFIRMED_ADVICE_CY, LANGUAGES, METHOD_WORDS, STATUS_WORDS, TEXT


def test_both_languages_have_every_key():
    assert set(LANGUAGES) == set(TEXT) == set(STATUS_WORDS) == set(METHOD_WORDS)
    assert set(TEXT["en"]) == set(TEXT["cy"])
    for lang in LANGUAGES:
        assert set(STATUS_WORDS[lang]) == set(Status)
        assert all(text.strip() for text in TEXT[lang].values())
    assert set(ADVICE_CY) == set(ADVICE) == set(Status)


def test_every_method_has_its_wording_in_both_languages_for_each_decision():
    for lang in LANGUAGES:
        assert set(METHOD_WORDS[lang]) == {Status.CONFIRMED, Status.NOT_CONFIRMED}
        for words in METHOD_WORDS[lang].values():
            assert set(words) == set(Method) and all(text.strip() for text in words.values())
    assert set(CONFIRMED_ADVICE) == set(CONFIRMED_ADVICE_CY) == set(Method)
    assert CONFIRMED_ADVICE[Method.VIDEO] == ADVICE[Status.CONFIRMED]
    assert CONFIRMED_ADVICE_CY[Method.VIDEO] == ADVICE_CY[Status.CONFIRMED]
    # The words differ per method: the reader can tell a radio confirmation from a call.
    for lang in LANGUAGES:
        assert len(set(METHOD_WORDS[lang][Status.CONFIRMED].values())) == len(Method)


def _view(status: str, method: str | None) -> dict:
    return {"reference": "SC-7KQ-29X-HMP", "status": status, "method": method,
            "decided_by_role": None if method is None else ("control_room" if method == "radio" else "sergeant"),
            "officer": {"officer_id": "MP4721", "rank": "PC", "family_name": "Jones", "photo_url": None},
            "confirmed_by": {"officer_id": "MP7001", "rank": "PC", "family_name": "Osei"}
            if status == "confirmed" else None,
            "created_at": "2026-11-28T02:47:00.000Z", "decided_at": "2026-11-28T02:52:00.000Z", "advice": "x"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("method", list(Method))
def test_the_page_says_how_in_each_language(lang, method):
    html = citizen.result_page(lang, _view("confirmed", method.value))
    assert f'class="method method-{method.value}"' in html
    assert TEXT[lang]["how"] in html


@pytest.mark.parametrize("status", ["awaiting_sergeant", "cancelled", "unanswered", "expired"])
def test_no_method_line_until_decided(status):
    assert 'class="method' not in citizen.result_page("en", _view(status, None))
