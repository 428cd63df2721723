"""Starting on fakes: one active check per officer, a check without video when Chime fails, each
text's outcome audited, and a timer that cannot be armed audited and alerted."""

from __future__ import annotations

import pytest

from chalicelib import services
from chalicelib.domain.errors import ActiveVerificationExists, Forbidden
from chalicelib.domain.escalation import Timer
from chalicelib.domain.verification import Status
from tests.fakes import FakeMeetings, FakeTimers, fake_dependencies
from tests.integration.helpers import officer, sergeant, start_request
from tests.unit.factories import record, sergeant_record


class DownMeetings(FakeMeetings):
    def create_meeting(self, verification_id: str) -> dict:
        raise ConnectionError("Chime is down")


class DownTimers(FakeTimers):
    def schedule(self, timer: Timer) -> None:
        raise ConnectionError("SQS is down")


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [
        record(), sergeant_record(), sergeant_record(officer_id="MS0999", phone="+447700900999"),
    ])


def _types(deps, vid: str) -> list[str]:
    return [e["type"] for e in deps.verifications.events(vid)]


def test_a_second_start_while_one_is_active_names_the_first_and_changes_nothing(deps, clock):
    services.start_verification(deps, officer("MP4721"), start_request())
    first = deps.verifications.active_verification_id("met", "MP4721")
    texts, keys, checks = len(deps.sms.sent), dict(deps.envelope.keys), dict(deps.verifications.verifications)

    with pytest.raises(ActiveVerificationExists) as raised:
        services.start_verification(deps, officer("MP4721"), start_request())

    assert raised.value.verification_id == first
    assert (len(deps.sms.sent), deps.envelope.keys, deps.verifications.verifications) == (texts, keys, checks)


def test_only_officers_start(deps, clock):
    with pytest.raises(Forbidden):
        services.start_verification(deps, sergeant("MS0815"), start_request())
    assert deps.verifications.verifications == {}


def test_without_chime_the_check_starts_on_the_radio(deps, clock):
    deps.meetings = DownMeetings()

    services.start_verification(deps, officer("MP4721"), start_request())

    vid = deps.verifications.active_verification_id("met", "MP4721")
    stored = deps.verifications.get(vid)
    assert stored.status is Status.AWAITING_SERGEANT and stored.meeting is None and stored.voice_fallback
    requested = deps.verifications.events(vid)[0]
    assert requested["data"]["voice_fallback"] is True and requested["data"]["meeting_id"] is None
    assert len(deps.sms.sent) == 2
    assert all("radio" in message.lower() for _, message in deps.sms.sent)


def test_a_text_that_fails_is_audited_and_the_others_still_go(deps, clock):
    deps.registry.put(sergeant_record(officer_id="MS0500", phone="07700 900500"))  # not E.164

    services.start_verification(deps, officer("MP4721"), start_request())

    vid = deps.verifications.active_verification_id("met", "MP4721")
    assert sorted(p for p, _ in deps.sms.sent) == ["+447700900815", "+447700900999"]
    events = {e["type"]: e for e in deps.verifications.events(vid)}
    assert sorted(events["sms.sent"]["data"]["recipients"]) == ["MS0815", "MS0999"]
    assert events["sms.failed"]["data"]["failed"] == ["MS0500"]
    assert "07700" not in repr(events["sms.failed"])  # no phone numbers in the audit
    assert deps.registry.get("met", "MS0815").last_notified_at is not None
    assert deps.registry.get("met", "MS0500").last_notified_at is None


def test_a_timer_that_cannot_be_armed_is_audited_and_alerted(deps, clock):
    deps.timers = DownTimers()

    services.start_verification(deps, officer("MP4721"), start_request())

    vid = deps.verifications.active_verification_id("met", "MP4721")
    failed = [e for e in deps.verifications.events(vid) if e["type"] == "timer.failed"]
    assert [e["data"]["timer"] for e in failed] == ["wave", "answer_timeout"]
    assert {a["type"] for _, a in deps.alerts.published} == {"timer_failure"}
    assert len(deps.alerts.published) == 2
    assert deps.verifications.get(vid).status is Status.AWAITING_SERGEANT  # the officer still gets a check
