"""A stateful stand-in for Chime SDK Meetings, installed on a real boto3 client.

moto has no Chime SDK. Rather than a fake adapter, we keep the real `chime-sdk-meetings` client, so
botocore still validates every request against the service model, and answer the validated call
from memory at `before-call` (after validation, before any network I/O). Responses have the same
shapes as the real service. It carries no media: video is simulated on the local stack.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse

_OPERATIONS = ("CreateMeeting", "CreateAttendee", "DeleteMeeting", "GetMeeting", "DeleteAttendee", "ListAttendees")


class ChimeStandIn:
    """In-memory meetings; `snapshot_path` (optional) mirrors them to JSON so tests can inspect them."""

    def __init__(self, snapshot_path: str | Path | None = None, account_id: str = "123456789012") -> None:
        self._lock = threading.Lock()
        self._meetings: dict[str, dict[str, Any]] = {}
        self._by_token: dict[str, str] = {}
        self._snapshot = Path(snapshot_path) if snapshot_path else None
        self._account = account_id

    # ---- wiring ----------------------------------------------------------------------------

    def install(self, client: Any) -> Any:
        """Answer this client's Chime calls from memory. Returns the client for chaining."""
        events = client.meta.events
        for operation in _OPERATIONS:
            events.register_first(
                f"before-parameter-build.chime-sdk-meetings.{operation}", self._remember_params
            )
            events.register_first(f"before-call.chime-sdk-meetings.{operation}", self._answer)
        return client

    @staticmethod
    def _remember_params(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context["standin_params"] = dict(params)

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        status, body = self.handle(model.name, context.get("standin_params", {}))
        http = AWSResponse(url="https://meetings-chime.local", status_code=status, headers={}, raw=None)
        body.setdefault("ResponseMetadata", {"HTTPStatusCode": status, "RequestId": str(uuid.uuid4())})
        return http, body

    def handle(self, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one call by operation name and request parameters: (HTTP status, response body).

        Also what an HTTP stand-in serves (tests/package runs the packaged app against one)."""
        if operation not in _OPERATIONS:
            raise ValueError(f"the Chime stand-in does not answer {operation}")
        answer: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]] = getattr(self, f"_{operation}")
        return answer(dict(params))

    # ---- state -----------------------------------------------------------------------------

    @property
    def meetings(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            copied: dict[str, dict[str, Any]] = json.loads(json.dumps(self._meetings))  # a deep copy
            return copied

    def _save(self) -> None:
        if self._snapshot is not None:
            tmp = self._snapshot.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._meetings, indent=1, sort_keys=True))
            tmp.replace(self._snapshot)

    @staticmethod
    def _not_found(what: str) -> tuple[int, dict[str, Any]]:
        return 404, {"Error": {"Code": "NotFoundException", "Message": f"{what} not found"}}

    def _live(self, meeting_id: str) -> dict[str, Any] | None:
        record = self._meetings.get(meeting_id)
        return record if record and not record["deleted"] else None

    # ---- operations ------------------------------------------------------------------------

    def _CreateMeeting(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            token = params["ClientRequestToken"]
            if token in self._by_token and self._live(self._by_token[token]):
                return 200, {"Meeting": self._meetings[self._by_token[token]]["meeting"]}
            meeting_id = str(uuid.uuid4())
            region = params["MediaRegion"]
            host = f"{meeting_id[:8]}.k.m1.{region.replace('-', '')}.app.chime.aws"
            meeting = {
                "MeetingId": meeting_id,
                "ExternalMeetingId": params.get("ExternalMeetingId"),
                "MediaRegion": region,
                "MediaPlacement": {
                    "AudioHostUrl": f"{host}:3478",
                    "AudioFallbackUrl": f"wss://haxrp.m1.{region}.app.chime.aws:443/calls/{meeting_id}",
                    "SignalingUrl": f"wss://signal.m1.{region}.app.chime.aws/control/{meeting_id}",
                    "TurnControlUrl": f"https://{region}.turncontrol.app.chime.aws/v2/turn_sessions",
                    "ScreenDataUrl": f"wss://bitpw.m1.{region}.app.chime.aws:443/v2/screen/{meeting_id}",
                    "ScreenViewingUrl": f"wss://bitpw.m1.{region}.app.chime.aws:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id={meeting_id}",
                    "ScreenSharingUrl": f"wss://bitpw.m1.{region}.app.chime.aws:443/v2/screen/{meeting_id}",
                    "EventIngestionUrl": f"https://data.svc.{region}.ingest.chime.aws/v1/client-events",
                },
                "MeetingArn": f"arn:aws:chime:{region}:{self._account}:meeting/{meeting_id}",
            }
            self._meetings[meeting_id] = {"meeting": meeting, "attendees": {}, "deleted": False}
            self._by_token[token] = meeting_id
            self._save()
            return 200, {"Meeting": meeting}

    def _CreateAttendee(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            record = self._live(params["MeetingId"])
            if record is None:
                return self._not_found("Meeting")
            external = params["ExternalUserId"]
            for attendee in record["attendees"].values():
                if attendee["ExternalUserId"] == external:
                    return 200, {"Attendee": attendee}
            attendee = {
                "ExternalUserId": external,
                "AttendeeId": str(uuid.uuid4()),
                "JoinToken": uuid.uuid4().hex + uuid.uuid4().hex,
                "Capabilities": {"Audio": "SendReceive", "Video": "SendReceive", "Content": "SendReceive"},
            }
            record["attendees"][attendee["AttendeeId"]] = attendee
            self._save()
            return 200, {"Attendee": attendee}

    def _DeleteAttendee(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            record = self._live(params["MeetingId"])
            if record is None or params["AttendeeId"] not in record["attendees"]:
                return self._not_found("Attendee")
            del record["attendees"][params["AttendeeId"]]
            self._save()
            return 204, {}

    def _ListAttendees(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            record = self._live(params["MeetingId"])
            if record is None:
                return self._not_found("Meeting")
            return 200, {"Attendees": list(record["attendees"].values())}

    def _GetMeeting(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            record = self._live(params["MeetingId"])
            if record is None:
                return self._not_found("Meeting")
            return 200, {"Meeting": record["meeting"]}

    def _DeleteMeeting(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            record = self._live(params["MeetingId"])
            if record is None:
                return self._not_found("Meeting")
            record["deleted"] = True
            self._save()
            return 204, {}
