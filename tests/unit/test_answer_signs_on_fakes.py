"""Who answers now is texted first (issue 17): the signs the services store, on fakes.

A sergeant's signed-in request records that their page is open (at most once per SEEN_REFRESH);
an accept records their last acceptance; the next check's first wave goes to them first.
"""

from __future__ import annotations

from chalicelib import services
from chalicelib.domain.clock import iso_z
from chalicelib.domain.escalation import SEEN_REFRESH
from chalicelib.services.registry_gate import admit
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, sergeant, start_request
from tests.unit.factories import record, sergeant_record

SERGEANTS = [sergeant_record(officer_id=f"MS08{n}", phone=f"+4477009008{n}") for n in range(10, 14)]


def _deps(settings, clock):
    return fake_dependencies(settings.model_copy(update={"wave_size": 1}), clock,
                             [record(), record(officer_id="MP5102"), *SERGEANTS])


def test_a_sergeants_request_records_the_page_open_once_per_refresh(settings, clock):
    deps = _deps(settings, clock)
    admit(deps, sergeant("MS0812"), "GET /verifications")
    first = deps.registry.get("met", "MS0812").last_seen_at
    assert first == iso_z(clock())

    clock.advance(seconds=30)
    admit(deps, sergeant("MS0812"), "GET /verifications")
    assert deps.registry.get("met", "MS0812").last_seen_at == first  # polling writes nothing more

    clock.advance(seconds=SEEN_REFRESH.total_seconds())
    admit(deps, sergeant("MS0812"), "GET /verifications")
    assert deps.registry.get("met", "MS0812").last_seen_at == iso_z(clock())
    admit(deps, officer("MP4721"), "GET /verifications/x")
    assert deps.registry.get("met", "MP4721").last_seen_at is None  # officers are never texted


def test_the_sergeant_with_the_page_open_gets_the_first_text_and_an_accept_is_remembered(settings, clock):
    deps = _deps(settings, clock)
    admit(deps, sergeant("MS0813"), "GET /verifications")  # the one least often first in rotation

    services.start_verification(deps, officer("MP4721"), start_request())
    assert [phone for phone, _ in deps.sms.sent] == ["+4477009008" + "13"]
    vid = deps.verifications.active_verification_id("met", "MP4721")
    services.accept_verification(deps, sergeant("MS0813"), vid)
    assert deps.registry.get("met", "MS0813").last_accepted_at == iso_z(clock())

    # An hour on nobody's page is open; the one who accepted lately is still texted first.
    clock.advance(hours=1)
    services.start_verification(deps, officer("MP5102"), start_request())
    assert [phone for phone, _ in deps.sms.sent][-1] == "+4477009008" + "13"
