"""ChimeMeetings against botocore's Stubber (exact requests, schema-valid responses), and the
ChimeStandIn installed on a real `chime-sdk-meetings` client (botocore still validates requests)."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.stub import Stubber

from chalicelib.adapters.chime import ChimeMeetings
from chalicelib.local.chime_standin import ChimeStandIn

VID = "Qx3_k9-ZpL2mN8aB"  # the shape of bootstrap.new_verification_id()
MEETING_ID = "1f2e3d4c-5b6a-4789-8abc-def012345678"
ATTENDEE_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
GUID = re.compile(r"^[a-f0-9]{8}(-[a-f0-9]{4}){3}-[a-f0-9]{12}$")

MEETING = {
    "MeetingId": MEETING_ID,
    "ExternalMeetingId": VID,
    "MediaRegion": "eu-central-1",
    "MediaPlacement": {
        "AudioHostUrl": "abc.k.m1.ec1.app.chime.aws:3478",
        "AudioFallbackUrl": f"wss://haxrp.m1.ec1.app.chime.aws:443/calls/{MEETING_ID}",
        "SignalingUrl": f"wss://signal.m1.ec1.app.chime.aws/control/{MEETING_ID}",
        "TurnControlUrl": "https://2713.cell.eu-central-1.meetings.chime.aws/v2/turn_sessions",
        "EventIngestionUrl": "https://data.svc.ec1.ingest.chime.aws/v1/client-events",
    },
    "MeetingArn": f"arn:aws:chime:eu-central-1:123456789012:meeting/{MEETING_ID}",
}
ATTENDEE = {
    "ExternalUserId": "officer-MP4721",
    "AttendeeId": ATTENDEE_ID,
    "JoinToken": "am9pbi10b2tlbi1mb3ItdGVzdHM",
    "Capabilities": {"Audio": "SendReceive", "Video": "SendReceive", "Content": "SendReceive"},
}


@pytest.fixture(scope="module")
def session():
    return boto3.session.Session(region_name="eu-west-2")


@pytest.fixture
def stubbed(session):
    client = session.client("chime-sdk-meetings", region_name="eu-west-2")
    with Stubber(client) as stubber:
        yield ChimeMeetings(client, media_region="eu-central-1"), stubber
        stubber.assert_no_pending_responses()


# ---- ChimeMeetings with Stubber -------------------------------------------------------------


def test_create_meeting_uses_the_verification_id_as_token_and_external_id(stubbed):
    meetings, stubber = stubbed
    stubber.add_response(
        "create_meeting",
        {"Meeting": MEETING},
        expected_params={"ClientRequestToken": VID, "ExternalMeetingId": VID, "MediaRegion": "eu-central-1"},
    )
    assert meetings.create_meeting(VID) == MEETING


def test_create_attendee_returns_the_attendee(stubbed):
    meetings, stubber = stubbed
    stubber.add_response(
        "create_attendee",
        {"Attendee": ATTENDEE},
        expected_params={"MeetingId": MEETING_ID, "ExternalUserId": "officer-MP4721"},
    )
    assert meetings.create_attendee(MEETING_ID, "officer-MP4721") == ATTENDEE


def test_delete_meeting_returns_true_when_deleted(stubbed):
    meetings, stubber = stubbed
    stubber.add_response("delete_meeting", {}, expected_params={"MeetingId": MEETING_ID})
    assert meetings.delete_meeting(MEETING_ID) is True


def test_delete_meeting_returns_false_when_already_gone(stubbed):
    meetings, stubber = stubbed
    stubber.add_client_error(
        "delete_meeting", service_error_code="NotFoundException", http_status_code=404,
        expected_params={"MeetingId": MEETING_ID},
    )
    assert meetings.delete_meeting(MEETING_ID) is False


@pytest.mark.parametrize(
    "code, status",
    [("ServiceUnavailableException", 503), ("ForbiddenException", 403), ("ThrottlingException", 429)],
)
def test_delete_meeting_reraises_other_errors(stubbed, code, status):
    meetings, stubber = stubbed
    stubber.add_client_error("delete_meeting", service_error_code=code, http_status_code=status)
    with pytest.raises(ClientError) as raised:
        meetings.delete_meeting(MEETING_ID)
    assert raised.value.response["Error"]["Code"] == code


def test_create_meeting_errors_propagate(stubbed):
    meetings, stubber = stubbed
    stubber.add_client_error("create_meeting", service_error_code="ServiceFailureException", http_status_code=500)
    with pytest.raises(ClientError) as raised:
        meetings.create_meeting(VID)
    assert raised.value.response["Error"]["Code"] == "ServiceFailureException"


# ---- ChimeStandIn on a real client -----------------------------------------------------------


@pytest.fixture
def snapshot(tmp_path):
    return tmp_path / "chime.json"


@pytest.fixture
def standin(snapshot):
    return ChimeStandIn(snapshot_path=snapshot)


@pytest.fixture
def client(session, standin):
    return standin.install(session.client("chime-sdk-meetings", region_name="eu-west-2"))


def test_standin_create_get_attendee_delete(client, standin):
    meeting = client.create_meeting(ClientRequestToken=VID, MediaRegion="eu-west-2", ExternalMeetingId=VID)["Meeting"]
    mid = meeting["MeetingId"]
    assert GUID.match(mid)
    assert meeting["ExternalMeetingId"] == VID and meeting["MediaRegion"] == "eu-west-2"
    assert meeting["MeetingArn"].endswith(f":meeting/{mid}")
    assert set(meeting["MediaPlacement"]) >= {"AudioHostUrl", "SignalingUrl", "TurnControlUrl"}

    assert client.get_meeting(MeetingId=mid)["Meeting"] == meeting

    officer = client.create_attendee(MeetingId=mid, ExternalUserId="officer-MP4721")["Attendee"]
    again = client.create_attendee(MeetingId=mid, ExternalUserId="officer-MP4721")["Attendee"]
    sergeant = client.create_attendee(MeetingId=mid, ExternalUserId="sergeant-MP2001")["Attendee"]
    assert again == officer  # one attendee per external user
    assert officer["AttendeeId"] != sergeant["AttendeeId"] and GUID.match(sergeant["AttendeeId"])
    assert officer["JoinToken"] and officer["Capabilities"]["Video"] == "SendReceive"
    assert sorted(a["ExternalUserId"] for a in standin.meetings[mid]["attendees"].values()) == [
        "officer-MP4721", "sergeant-MP2001",
    ]

    deleted = client.delete_meeting(MeetingId=mid)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert standin.meetings[mid]["deleted"] is True
    for call in (
        lambda: client.get_meeting(MeetingId=mid),
        lambda: client.create_attendee(MeetingId=mid, ExternalUserId="late-joiner"),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "NotFoundException"


def test_standin_create_is_idempotent_per_client_request_token(client, standin):
    first = client.create_meeting(ClientRequestToken=VID, MediaRegion="eu-west-2", ExternalMeetingId=VID)["Meeting"]
    again = client.create_meeting(ClientRequestToken=VID, MediaRegion="eu-west-2", ExternalMeetingId=VID)["Meeting"]
    other = client.create_meeting(
        ClientRequestToken="other-token", MediaRegion="eu-west-2", ExternalMeetingId="other"
    )["Meeting"]

    assert again == first
    assert other["MeetingId"] != first["MeetingId"]
    assert set(standin.meetings) == {first["MeetingId"], other["MeetingId"]}


def test_standin_delete_twice_is_not_found(client):
    mid = client.create_meeting(
        ClientRequestToken=VID, MediaRegion="eu-west-2", ExternalMeetingId=VID
    )["Meeting"]["MeetingId"]
    client.delete_meeting(MeetingId=mid)

    with pytest.raises(ClientError) as raised:
        client.delete_meeting(MeetingId=mid)

    assert raised.value.response["Error"]["Code"] == "NotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert raised.value.operation_name == "DeleteMeeting"


def test_standin_delete_attendee(client, standin):
    mid = client.create_meeting(
        ClientRequestToken=VID, MediaRegion="eu-west-2", ExternalMeetingId=VID
    )["Meeting"]["MeetingId"]
    aid = client.create_attendee(MeetingId=mid, ExternalUserId="officer-MP4721")["Attendee"]["AttendeeId"]

    client.delete_attendee(MeetingId=mid, AttendeeId=aid)

    assert standin.meetings[mid]["attendees"] == {}
    with pytest.raises(ClientError) as raised:
        client.delete_attendee(MeetingId=mid, AttendeeId=aid)
    assert raised.value.response["Error"]["Code"] == "NotFoundException"


@pytest.mark.parametrize(
    "operation, params",
    [
        ("create_meeting", {"ClientRequestToken": VID, "ExternalMeetingId": VID}),  # no MediaRegion
        (
            "create_meeting",
            {"ClientRequestToken": "x", "MediaRegion": "eu-west-2", "ExternalMeetingId": VID},
        ),  # too short
        (
            "create_meeting",
            {"ClientRequestToken": VID, "MediaRegion": "eu-west-2", "ExternalMeetingId": VID, "Nope": 1},
        ),
        ("create_attendee", {"MeetingId": MEETING_ID, "ExternalUserId": "x"}),  # too short
        ("create_attendee", {"MeetingId": 12345, "ExternalUserId": "officer-MP4721"}),  # wrong type
        ("delete_meeting", {}),
    ],
    ids=["missing-region", "short-token", "unknown-param", "short-user-id", "int-meeting-id", "no-meeting-id"],
)
def test_standin_still_lets_botocore_validate_parameters(client, standin, snapshot, operation, params):
    with pytest.raises(ParamValidationError):
        getattr(client, operation)(**params)
    assert standin.meetings == {}
    assert not snapshot.exists()


def test_standin_snapshot_reflects_deleted_state(client, standin, snapshot):
    meetings = ChimeMeetings(client, media_region="eu-west-2")
    kept = meetings.create_meeting("verification-kept")
    gone = meetings.create_meeting("verification-gone")
    meetings.create_attendee(gone["MeetingId"], "officer-MP4721")

    assert meetings.delete_meeting(gone["MeetingId"]) is True
    assert meetings.delete_meeting(gone["MeetingId"]) is False  # the adapter maps NotFoundException

    on_disk = json.loads(snapshot.read_text())
    assert on_disk == standin.meetings
    assert on_disk[gone["MeetingId"]]["deleted"] is True
    assert on_disk[kept["MeetingId"]]["deleted"] is False
    assert on_disk[gone["MeetingId"]]["meeting"] == gone
    assert [a["ExternalUserId"] for a in on_disk[gone["MeetingId"]]["attendees"].values()] == ["officer-MP4721"]
    assert not snapshot.with_suffix(".tmp").exists()  # written atomically via a temporary file


def test_adapter_on_standin_sends_the_verification_id_and_media_region(client):
    meeting = ChimeMeetings(client, media_region="eu-west-1").create_meeting(VID)
    assert meeting["ExternalMeetingId"] == VID
    assert meeting["MediaRegion"] == "eu-west-1"
    assert ChimeMeetings(client, media_region="eu-west-1").create_meeting(VID) == meeting


def test_remove_attendee_finds_the_person_across_pages_and_deletes_only_them(stubbed):
    """SPEC §7.2: a sergeant who stops serving is taken out of the call they had joined."""
    meetings, stubber = stubbed
    sergeant = {**ATTENDEE, "ExternalUserId": "sergeant-MP2001", "AttendeeId": "b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"}
    stubber.add_response("list_attendees", {"Attendees": [ATTENDEE], "NextToken": "page-2"}, {"MeetingId": MEETING_ID})
    stubber.add_response("list_attendees", {"Attendees": [sergeant]}, {"MeetingId": MEETING_ID, "NextToken": "page-2"})
    stubber.add_response("delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": sergeant["AttendeeId"]})
    assert meetings.remove_attendee(MEETING_ID, "sergeant-MP2001") is True


def test_remove_attendee_of_someone_not_in_the_call_deletes_nothing(stubbed):
    meetings, stubber = stubbed
    stubber.add_response("list_attendees", {"Attendees": [ATTENDEE]}, {"MeetingId": MEETING_ID})
    assert meetings.remove_attendee(MEETING_ID, "sergeant-MP2001") is False


def test_the_standin_lists_and_removes_attendees_like_chime(session):
    client = ChimeStandIn().install(session.client("chime-sdk-meetings", region_name="eu-west-2"))
    meetings = ChimeMeetings(client, media_region="eu-west-2")
    meeting = meetings.create_meeting(VID)
    officer = meetings.create_attendee(meeting["MeetingId"], "officer-MP4721")
    meetings.create_attendee(meeting["MeetingId"], "sergeant-MP2001")
    assert meetings.remove_attendee(meeting["MeetingId"], "sergeant-MP2001") is True
    remaining = client.list_attendees(MeetingId=meeting["MeetingId"])["Attendees"]
    assert [a["AttendeeId"] for a in remaining] == [officer["AttendeeId"]]
    assert meetings.remove_attendee(meeting["MeetingId"], "sergeant-MP2001") is False
