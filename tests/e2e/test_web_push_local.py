"""Web Push on the `make run` stack (issue 17), over real HTTP: the app's adapter POSTs to the
push-service stand-in (VAPID checked, payload decrypted with the device's key), an online phone
posts its receipt to the API, and an offline one is texted after the 5 s grace, once.

LOCAL_PUSH_SERGEANTS subscribes two Met sergeants as `make run` would with it set; waves of 3, so
one check reaches all three available Met sergeants at once."""

from __future__ import annotations

import json

import pytest

from tests.conftest import wait_for
from tests.e2e.conftest import _run_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def push_stack(tmp_path_factory):
    yield from _run_stack(tmp_path_factory.mktemp("push-stack"),
                          {"LOCAL_PUSH_SERGEANTS": "MP2003,MP2002:offline", "ANSWER_TIMEOUT_SECONDS": "60"})


def _phone(stack, officer_id: str) -> str:
    return stack.user(officer_id)["phone"]


def test_push_first_a_receipt_spares_the_text_and_an_offline_phone_is_texted_after_the_grace(push_stack):
    status, started = push_stack.call("POST", "/verifications", "MP4721",
                                      {"location": {"lat": 51.5072, "lon": -0.1276}, "area": "Strand"})
    assert status == 201, started
    vid = started["verification_id"]

    def texted() -> list[str]:
        return [m["phone_number"] for m in push_stack.sms() if m["message"].endswith(f"/s/{vid}")]

    def types() -> list[str]:
        return sorted(json.loads(body)["type"] for body in push_stack.audit_events(vid).values())

    # The receipt from PS Hughes's phone, and the text to PS Okafor after his push found no phone.
    wait_for(lambda: "push.received" in types() and texted().count(_phone(push_stack, "MP2002")) == 1, timeout=30)
    assert sorted(texted()) == sorted([_phone(push_stack, "MP2001"), _phone(push_stack, "MP2002")])
    assert _phone(push_stack, "MP2003") not in texted()
    log = push_stack.log_path.read_text()
    assert "[PUSH]  to MP2003:" in log and "[PUSH]  to MP2002:" not in log  # offline: shown nowhere
    assert types().count("push.sent") == 1 and types().count("sms.sent") == 2

    # PS Hughes opens the link from her notification and accepts, as from a text.
    status, accepted = push_stack.call("POST", f"/verifications/{vid}/accept", "MP2003", {})
    assert status == 200, accepted
