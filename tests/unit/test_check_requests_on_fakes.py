"""A citizen's request for a check by the officer's number, on fakes (SPEC §7.4): who is texted and
alerted, what is audited, the silent per-officer fold, the per-address limit, the force's language,
and what a failed text or alert leaves behind."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.adapters.dynamodb.keys import check_request_chain_id
from chalicelib.adapters.envelope import DataKeyErased
from chalicelib.domain.alerts import AlertKind
from chalicelib.domain.errors import RateLimited, ValidationFailed
from chalicelib.domain.registry import OfficerStatus, Role
from chalicelib.services.audit_copy import copy_outbox_items
from chalicelib.services.budget import Budget
from chalicelib.services.check_requests import request_check, running_check_reference, warrant_number
from chalicelib.services.erasure import erase_due_personal_data
from tests.fakes import FakeAlertPublisher, FakeSergeantNotifier, fake_dependencies
from tests.integration.helpers import officer, start_request
from tests.unit.factories import record, sergeant_record

CHAIN = check_request_chain_id("met", "MP4721", "2026-11-28")
ADDRESS = "198.51.100.7"
PHONE = "+447700900401"


class DownAlerts(FakeAlertPublisher):
    def publish(self, subject: str, alert: dict[str, Any]) -> str:
        raise ConnectionError("SNS is down")


class DownSms(FakeSergeantNotifier):
    def send_sms(self, phone: str, message: str) -> str:
        raise ConnectionError("SNS is down")


def _deps(settings, clock, **changes: Any):
    return fake_dependencies(settings.model_copy(update=changes), clock, [
        record(phone=PHONE),
        record(officer_id="MP3390", status=OfficerStatus.SUSPENDED, phone="+447700900402"),
        record(officer_id="MP0009", phone=None),
        sergeant_record(),
        record(force="wiltshire", officer_id="WP1187", given_name="Rhys", family_name="Morgan",
               phone="+447700900403"),
        record(force="dyfed-powys", officer_id="DP0001", phone="+447700900404"),
    ])


@pytest.fixture
def deps(settings, clock):
    return _deps(settings, clock)


def _types(deps, chain: str = CHAIN) -> list[str]:
    return [event["type"] for event in deps.verifications.attempt_events(chain)]


def _nothing_happened(deps) -> None:
    assert deps.sms.sent == [] and deps.alerts.published == [] and deps.alert_store.alerts == {}
    assert deps.verifications.chains == {} and deps.alert_folds.folds == {}


@pytest.mark.parametrize("number", [
    "MP9999",  # nobody's
    "MP3390",  # suspended
    "MS0815",  # a sergeant: only officers start checks
    "DP0001",  # an officer of a force this deployment does not serve
])
def test_no_serving_officer_of_a_served_force_nothing_is_sent_or_stored(deps, number):
    request_check(deps, number, "By the station", ADDRESS)
    assert deps.sms.sent == [] and deps.alerts.published == [] and deps.alert_store.alerts == {}
    assert deps.alert_folds.folds == {} and deps.verifications.chains == {}


def test_a_serving_officer_is_texted_and_the_control_room_alerted_with_her_words(deps, clock):
    request_check(deps, "mp4721", "By the station", ADDRESS)

    [(phone, text)] = deps.sms.sent
    assert phone == PHONE
    assert text == ("Safe Connection: someone asks you (PC MP4721) to start an ID check. If you have stopped them, "
                    "start it now: https://verify.police.example/o")
    [alert] = deps.alert_store.alerts.values()
    assert (alert.kind, alert.force, alert.chain_id, alert.where, alert.verification_id) == (
        AlertKind.CITIZEN_REQUEST, "met", CHAIN, "By the station", None)
    assert alert.officer == {"officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}
    [(subject, published)] = deps.alerts.published
    assert "PC MP4721" in subject and published["alert_id"] == alert.alert_id
    assert (published["where"], published["attempts"], published["audit_seq"]) == ("By the station", 1, 1)
    assert _types(deps) == ["citizen.check_requested", "alert.sent", "sms.sent"]
    [requested] = [e for e in deps.verifications.attempt_events(CHAIN) if e["type"] == "citizen.check_requested"]
    assert requested["actor"] == {"role": "citizen", "officer_id": None}
    assert deps.envelope.open(CHAIN, requested["data"]["where"]) == "By the station"


def test_the_text_is_in_the_forces_language(settings, clock):
    deps = _deps(settings, clock, default_language="cy")
    request_check(deps, "WP1187", None, ADDRESS)
    [(_, text)] = deps.sms.sent
    assert text.startswith("Safe Connection: mae rhywun yn gofyn i chi (PC WP1187) ddechrau gwiriad ID.")


def test_only_the_forces_this_deployment_serves(settings, clock):
    deps = _deps(settings, clock, served_forces="wiltshire")
    request_check(deps, "MP4721", None, ADDRESS)
    request_check(deps, "WP1187", None, ADDRESS)
    assert [phone for phone, _ in deps.sms.sent] == ["+447700900403"]


def test_one_text_and_one_alert_per_officer_per_ten_minutes_every_request_audited(deps, clock):
    for _ in range(3):
        request_check(deps, "MP4721", None, ADDRESS)
        clock.advance(minutes=4)
    assert len(deps.sms.sent) == 1 and len(deps.alerts.published) == 1
    assert _types(deps) == ["citizen.check_requested", "alert.sent", "sms.sent",
                            "citizen.check_requested", "citizen.check_requested"]
    # Now 12 minutes after the first: a new window.
    request_check(deps, "MP4721", None, ADDRESS)
    assert len(deps.sms.sent) == 2
    assert deps.alerts.published[-1][1]["attempts"] == 3  # this one and the two folded


def test_a_failed_text_is_audited_and_the_next_request_texts_again(settings, clock):
    deps = _deps(settings, clock)
    deps.sms = DownSms()
    request_check(deps, "MP4721", None, ADDRESS)
    assert _types(deps)[-1] == "sms.failed"
    assert deps.verifications.attempt_events(CHAIN)[-1]["data"]["errors"] == {"MP4721": "ConnectionError"}
    deps.sms = FakeSergeantNotifier()
    clock.advance(minutes=1)
    request_check(deps, "MP4721", None, ADDRESS)
    assert len(deps.sms.sent) == 1 and deps.alerts.published[-1][1]["attempts"] == 2


def test_a_failed_alert_is_audited_and_still_stored_for_the_board(settings, clock):
    deps = _deps(settings, clock)
    deps.alerts = DownAlerts()
    request_check(deps, "MP4721", "Outside Tesco", ADDRESS)
    assert _types(deps) == ["citizen.check_requested", "alert.failed", "sms.sent"]
    [alert] = deps.alert_store.alerts.values()
    assert alert.where == "Outside Tesco"


def test_an_officer_without_a_phone_is_audited_as_not_texted(deps):
    request_check(deps, "MP0009", None, ADDRESS)
    chain = check_request_chain_id("met", "MP0009", "2026-11-28")
    assert _types(deps, chain) == ["citizen.check_requested", "alert.sent", "sms.failed"]
    assert deps.verifications.attempt_events(chain)[-1]["data"]["errors"] == {"MP0009": "no_phone"}


def test_an_address_may_ask_six_times_per_ten_minutes_before_the_registry_is_read(deps, clock):
    for _ in range(6):
        request_check(deps, "MP9999", None, ADDRESS)
    with pytest.raises(RateLimited) as refused:
        request_check(deps, "MP4721", None, ADDRESS)
    assert refused.value.retry_after == 600
    _nothing_happened(deps)
    request_check(deps, "MP4721", None, "203.0.113.9")  # another address is not refused
    assert len(deps.sms.sent) == 1
    assert not any(ADDRESS in key for key, _ in deps.rate_limiter.hits)  # only pseudonyms are kept


def test_a_malformed_number_is_refused_before_anything_is_counted(deps):
    for typed in ("", "   ", "MP/4721", "é4721", "M" * 33):
        with pytest.raises(ValidationFailed):
            request_check(deps, typed, None, ADDRESS)
    assert deps.rate_limiter.hits == {}
    _nothing_happened(deps)


@pytest.mark.parametrize(("typed", "number"), [
    ("MP4721", "MP4721"), (" mp 4721 ", "MP4721"), ("wp\t1187", "WP1187"), ("MP-4721", "MP-4721"),
    ("", None), ("-MP", None), ("MP?4721", None), ("\uff4d\uff504721", None),  # full-width letters
])
def test_warrant_number_reads_what_she_typed_as_printed_on_the_card(typed, number):
    assert warrant_number(typed) == number


def test_a_running_check_is_found_by_number_and_a_decided_one_is_not(deps, clock):
    deps.registry.put(sergeant_record(officer_id="MS0816", phone="+447700900816"))
    started = services.start_verification(deps, officer(), start_request())
    reference = started.verification.reference
    assert running_check_reference(deps, "mp 4721", ADDRESS) == reference
    assert running_check_reference(deps, "MP9999", ADDRESS) is None
    services.cancel_verification(deps, officer(), started.verification.verification_id)
    assert running_check_reference(deps, "MP4721", ADDRESS) is None


def test_look_ups_by_number_count_against_the_miss_budget_found_or_not(settings, clock):
    deps = _deps(settings, clock, public_views_per_minute=2)
    assert running_check_reference(deps, "MP4721", ADDRESS) is None
    assert running_check_reference(deps, "MP9999", ADDRESS) is None
    with pytest.raises(RateLimited):
        running_check_reference(deps, "MP4721", ADDRESS)
    clock.advance(seconds=60)
    assert running_check_reference(deps, "MP4721", ADDRESS) is None


def test_the_role_check_uses_the_registry_not_the_number(deps):
    deps.registry.put(record(officer_id="MP4721", role=Role.ADMIN, phone=PHONE))
    request_check(deps, "MP4721", None, ADDRESS)
    _nothing_happened(deps)


def test_erasure_after_the_retention_period_takes_her_words_from_the_alert_and_the_audit(deps, clock):
    request_check(deps, "MP4721", "Outside the chemist", ADDRESS)
    items = [item for pk in list(deps.verifications.chains) for item in deps.audit_outbox.chain_items(pk)]
    copy_outbox_items(deps, items)
    clock.advance(days=deps.settings.personal_data_retention_days + 1)
    erase_due_personal_data(deps, Budget(deadline=float("inf"), max_units=100))

    [alert] = deps.alert_store.alerts.values()
    assert alert.erased and alert.where is None and alert.officer["family_name"] is None
    [requested] = [e for e in deps.verifications.attempt_events(CHAIN) if e["type"] == "citizen.check_requested"]
    with pytest.raises(DataKeyErased):  # the chain's key is gone: her words can no longer be read
        deps.envelope.open(CHAIN, requested["data"]["where"])
