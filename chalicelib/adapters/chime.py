"""Amazon Chime SDK Meetings: one meeting per verification, one attendee per participant."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


class ChimeMeetings:
    """Thin adapter over the boto3 `chime-sdk-meetings` client.

    The verification id is both the ExternalMeetingId (traceable in the Chime console) and the
    ClientRequestToken (a retried create returns the same meeting instead of a second one).
    """

    def __init__(self, client: Any, media_region: str) -> None:
        self._client = client
        self._media_region = media_region

    def create_meeting(self, verification_id: str) -> dict[str, Any]:
        response = self._client.create_meeting(
            ClientRequestToken=verification_id,
            MediaRegion=self._media_region,
            ExternalMeetingId=verification_id,
        )
        meeting: dict[str, Any] = response["Meeting"]
        return meeting

    def create_attendee(self, meeting_id: str, external_user_id: str) -> dict[str, Any]:
        response = self._client.create_attendee(
            MeetingId=meeting_id, ExternalUserId=external_user_id
        )
        attendee: dict[str, Any] = response["Attendee"]
        return attendee

    def remove_attendee(self, meeting_id: str, external_user_id: str) -> bool:
        """Take someone out of the call (their join token stops working). False if not in it."""
        removed, token = False, None
        while True:
            page = self._client.list_attendees(MeetingId=meeting_id, **({"NextToken": token} if token else {}))
            for attendee in page.get("Attendees", []):
                if attendee.get("ExternalUserId") == external_user_id:
                    self._client.delete_attendee(MeetingId=meeting_id, AttendeeId=attendee["AttendeeId"])
                    removed = True
            token = page.get("NextToken")
            if not token:
                return removed

    def delete_meeting(self, meeting_id: str) -> bool:
        """True if deleted now, False if it was already gone (ended or deleted before)."""
        try:
            self._client.delete_meeting(MeetingId=meeting_id)
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NotFoundException", "NotFound"):
                return False
            raise
