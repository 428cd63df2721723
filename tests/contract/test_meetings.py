"""Meetings contract: FakeMeetings and ChimeMeetings on botocore's Stubber.

Chime has no moto backend, so the real side answers from schema-valid stubbed responses; each
step says what the service would answer (`expect`), which the fake ignores: it keeps the state."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from chalicelib.ports import Meetings
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeMeetings

VID = "Qx3_k9-ZpL2mN8aB"
MEETING_ID = "1f2e3d4c-5b6a-4789-8abc-def012345678"
ATTENDEE_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
MEETING = {
    "MeetingId": MEETING_ID,
    "ExternalMeetingId": VID,
    "MediaRegion": "eu-central-1",
    "MediaPlacement": {"AudioHostUrl": "abc.k.m1.ec1.app.chime.aws:3478"},
}
ATTENDEE = {"ExternalUserId": "officer-MP4721", "AttendeeId": ATTENDEE_ID, "JoinToken": "am9pbi10b2tlbg"}


class Expect:
    """What the Chime service answers to the next call (nothing to do for the fake)."""

    def __init__(self, stubber: Stubber | None) -> None:
        self._stubber = stubber

    def __call__(self, operation: str, response: dict[str, Any] | None = None, error: str | None = None) -> None:
        if self._stubber is None:
            return
        if error:
            self._stubber.add_client_error(operation, service_error_code=error, http_status_code=404)
        else:
            self._stubber.add_response(operation, response or {})


@pytest.fixture(params=BACKENDS)
def meetings(request: pytest.FixtureRequest) -> Any:
    if request.param == "fake":
        yield FakeMeetings(), Expect(None)
        return
    from chalicelib.adapters.chime import ChimeMeetings

    client = boto3.session.Session(region_name="eu-west-2").client("chime-sdk-meetings")
    with Stubber(client) as stubber:
        yield ChimeMeetings(client, media_region="eu-central-1"), Expect(stubber)
        stubber.assert_no_pending_responses()


def _meeting(adapter: Meetings, expect: Expect) -> dict[str, Any]:
    expect("create_meeting", {"Meeting": MEETING})
    return adapter.create_meeting(VID)


def test_a_meeting_is_named_after_its_verification(meetings):
    adapter, expect = meetings

    meeting = _meeting(adapter, expect)

    assert meeting["MeetingId"]
    assert meeting["ExternalMeetingId"] == VID
    assert meeting["MediaRegion"] == "eu-central-1"


def test_an_attendee_gets_a_join_token_under_their_external_id(meetings):
    adapter, expect = meetings
    meeting = _meeting(adapter, expect)

    expect("create_attendee", {"Attendee": ATTENDEE})
    attendee = adapter.create_attendee(meeting["MeetingId"], "officer-MP4721")

    assert attendee["ExternalUserId"] == "officer-MP4721"
    assert attendee["AttendeeId"] and attendee["JoinToken"]


def test_removing_an_attendee_is_true_once(meetings):
    adapter, expect = meetings
    meeting = _meeting(adapter, expect)
    expect("create_attendee", {"Attendee": ATTENDEE})
    adapter.create_attendee(meeting["MeetingId"], "officer-MP4721")

    expect("list_attendees", {"Attendees": [ATTENDEE]})
    expect("delete_attendee")
    assert adapter.remove_attendee(meeting["MeetingId"], "officer-MP4721") is True
    expect("list_attendees", {"Attendees": []})
    assert adapter.remove_attendee(meeting["MeetingId"], "officer-MP4721") is False


def test_deleting_a_meeting_is_true_once(meetings):
    adapter, expect = meetings
    meeting = _meeting(adapter, expect)

    expect("delete_meeting")
    assert adapter.delete_meeting(meeting["MeetingId"]) is True
    expect("delete_meeting", error="NotFoundException")
    assert adapter.delete_meeting(meeting["MeetingId"]) is False


def test_a_deleted_meeting_takes_no_attendees_and_lists_none(meetings):
    adapter, expect = meetings
    meeting = _meeting(adapter, expect)
    expect("delete_meeting")
    adapter.delete_meeting(meeting["MeetingId"])

    # The services catch these (a late join falls back to the radio; a hand-back is logged).
    expect("create_attendee", error="NotFoundException")
    with pytest.raises(ClientError) as joined:
        adapter.create_attendee(meeting["MeetingId"], "sergeant-MS0815")
    expect("list_attendees", error="NotFoundException")
    with pytest.raises(ClientError) as removed:
        adapter.remove_attendee(meeting["MeetingId"], "sergeant-MS0815")

    assert joined.value.response["Error"]["Code"] == removed.value.response["Error"]["Code"] == "NotFoundException"
