"""Web Push first, the text after (issue 17), on fakes: who is pushed, who texted, and when.

Every text is claimed on the check before it goes, so no sergeant is texted twice for one check,
whatever arrives late or twice.
"""

from __future__ import annotations

import dataclasses

from chalicelib import services
from chalicelib.domain.push import PushSubscription
from chalicelib.domain.verification import Status
from chalicelib.schemas import PushReceiptRequest
from chalicelib.services.notifying import text_missed_pushes
from chalicelib.services.push import record_receipt
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, start_request
from tests.unit.factories import record, sergeant_record

PHONES = {f"MS08{n}": f"+4477009008{n}" for n in range(10, 13)}


def _deps(settings, clock, pushed=("MS0811",)):
    sergeants = [sergeant_record(officer_id=s, phone=p) for s, p in PHONES.items()]
    sergeants = [dataclasses.replace(r, push=PushSubscription(f"https://push.example.test/{r.officer_id}", "k", "a"))
                 if r.officer_id in pushed else r for r in sergeants]
    on = settings.model_copy(update={"wave_size": 3, "push_key": "k" * 40})
    return fake_dependencies(on, clock, [record(), *sergeants])


def _texted(deps):
    by_phone = {p: s for s, p in PHONES.items()}
    return sorted(by_phone[phone] for phone, _ in deps.sms.sent)


def _start(deps):
    services.start_verification(deps, officer("MP4721"), start_request())
    return deps.verifications.active_verification_id("met", "MP4721")


def test_the_opted_in_sergeant_is_pushed_the_others_texted_and_a_receipt_spares_her_the_text(settings, clock):
    deps = _deps(settings, clock)
    vid = _start(deps)
    assert _texted(deps) == ["MS0810", "MS0812"]
    ((subscription, message),) = deps.web_push.sent
    assert subscription.endpoint.endswith("MS0811") and message["sergeant"] == "MS0811"
    assert message["receipt"] == deps.web_push.receipt(vid, "MS0811")
    (fallback,) = [t for t in deps.timers.scheduled if t.kind.value == "push_fallback"]
    assert (fallback.due_at - clock()).total_seconds() == deps.settings.push_grace_seconds

    record_receipt(deps, PushReceiptRequest(verification_id=vid, sergeant="MS0811", receipt=message["receipt"]))
    assert text_missed_pushes(deps, vid, 1) == "noop"
    assert _texted(deps) == ["MS0810", "MS0812"]


def test_no_receipt_means_one_text_after_the_grace_and_never_a_second(settings, clock):
    deps = _deps(settings, clock)
    vid = _start(deps)
    assert text_missed_pushes(deps, vid, 1) == "texted"
    assert _texted(deps) == ["MS0810", "MS0811", "MS0812"]
    assert text_missed_pushes(deps, vid, 1) == "noop"  # a repeated timer
    message = deps.web_push.sent[0][1]
    record_receipt(deps, PushReceiptRequest(verification_id=vid, sergeant="MS0811", receipt=message["receipt"]))
    assert text_missed_pushes(deps, vid, 1) == "noop"
    assert len(deps.sms.sent) == 3
    assert deps.verifications.get(vid).texted.count("MS0811") == 1


def test_a_failed_push_is_texted_at_once_and_no_grace_timer_is_armed_for_it(settings, clock):
    deps = _deps(settings, clock)
    deps.web_push.failing.add("https://push.example.test/MS0811")
    vid = _start(deps)
    assert _texted(deps) == ["MS0810", "MS0811", "MS0812"]
    assert [t for t in deps.timers.scheduled if t.kind.value == "push_fallback"] == []
    assert text_missed_pushes(deps, vid, 1) == "noop"
    assert len(deps.sms.sent) == 3


def test_a_push_key_that_cannot_be_read_texts_the_sergeant_and_loses_no_event(settings, clock, monkeypatch):
    deps = _deps(settings, clock)

    def unreadable(*_args):
        raise ConnectionError("secrets manager unreachable")

    monkeypatch.setattr(deps.web_push, "receipt", unreadable)
    vid = _start(deps)
    assert _texted(deps) == ["MS0810", "MS0811", "MS0812"]
    kinds = [e["type"] for e in deps.verifications.events(vid)]
    assert kinds.count("sms.sent") == 2 and "push.failed" in kinds  # the wave's texts, then hers


def test_a_gone_subscription_is_texted_at_once_and_dropped(settings, clock):
    deps = _deps(settings, clock)
    deps.web_push.gone.add("https://push.example.test/MS0811")
    vid = _start(deps)
    assert _texted(deps) == ["MS0810", "MS0811", "MS0812"]
    assert deps.registry.get("met", "MS0811").push is None
    (failed,) = [e["data"] for e in deps.verifications.events(vid) if e["type"] == "push.failed"]
    assert failed["failed"] == ["MS0811"] and failed["errors"] == {"MS0811": "push_service_410"}


def test_a_gone_subscription_the_registry_cannot_drop_still_texts_her_and_loses_no_event(settings, clock,
                                                                                        monkeypatch):
    deps = _deps(settings, clock)
    deps.web_push.gone.add("https://push.example.test/MS0811")

    def registry_down(*_args, **_kwargs):
        raise ConnectionError("dynamodb unreachable")

    monkeypatch.setattr(deps.registry, "set_push", registry_down)
    vid = _start(deps)
    assert _texted(deps) == ["MS0810", "MS0811", "MS0812"]
    assert deps.registry.get("met", "MS0811").push is not None  # kept: the next wave tries it again
    kinds = [e["type"] for e in deps.verifications.events(vid)]
    assert kinds.count("sms.sent") == 2 and "push.failed" in kinds  # the wave's texts, then hers
    assert deps.verifications.get(vid).texted.count("MS0811") == 1


def test_nothing_is_texted_after_the_grace_once_a_sergeant_accepted(settings, clock):
    deps = _deps(settings, clock)
    vid = _start(deps)
    from tests.integration.helpers import sergeant

    services.accept_verification(deps, sergeant("MS0810"), vid)
    assert deps.verifications.get(vid).status is Status.CONNECTED
    assert text_missed_pushes(deps, vid, 1) == "noop"
    assert _texted(deps) == ["MS0810", "MS0812"]


def test_with_push_off_here_everyone_is_texted_even_if_subscribed(settings, clock):
    deps = _deps(settings, clock)
    deps.settings = deps.settings.model_copy(update={"push_key": None})
    _start(deps)
    assert _texted(deps) == ["MS0810", "MS0811", "MS0812"] and deps.web_push.sent == []


def test_the_settings_defaults_are_the_push_rules_own():
    from chalicelib.domain.push import KNOWN_PUSH_SERVICES, PUSH_GRACE_SECONDS
    from chalicelib.settings import Settings

    defaults = Settings()
    assert defaults.push_grace_seconds == PUSH_GRACE_SECONDS
    assert defaults.push_origins == KNOWN_PUSH_SERVICES
    assert Settings(push_services="https://a.example, https://b.example").push_origins == (
        "https://a.example", "https://b.example")
