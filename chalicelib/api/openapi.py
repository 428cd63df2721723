"""The OpenAPI 3.1 description of the API, generated from the pydantic models.

Request bodies use the same strict models the routes validate with (`chalicelib.schemas`); response
bodies use the models below, which tests hold to the real responses (extra fields forbidden), and
`tests/api/test_openapi.py` checks that every Chalice route is described and nothing else is.
Built on the first request to `GET /openapi.json`, never at import (cold starts stay cheap);
`make openapi` writes the same document to `docs/openapi.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from .. import schemas
from ..domain import errors
from ..domain.alerts import AlertKind
from ..domain.verification import Status

if TYPE_CHECKING:
    StatusValue = str  # built at run time from the Status enum, so the schema lists every status
else:
    StatusValue = Literal[tuple(s.value for s in Status)]
Timestamp = Field(json_schema_extra={"format": "date-time"})


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficerSummary(_Out):
    officer_id: str
    rank: str
    given_name: str
    family_name: str


class Location(_Out):
    lat: float
    lon: float
    accuracy_m: float | None


class Decider(_Out):
    officer_id: str
    rank: str
    family_name: str
    role: Literal["sergeant", "control_room"]


class Verification(_Out):
    """SPEC §4 Verification, plus `voice_fallback`, the officer's next step (`advice`), and how and by
    whom it was decided (`method`, `decided_by`)."""

    verification_id: str
    reference: str
    status: StatusValue
    force: str
    officer: OfficerSummary
    sergeant: OfficerSummary | None
    location: Location | None = Field(description="null when the officer gave only an area")
    area: str | None
    created_at: str = Timestamp
    accepted_at: str | None = Timestamp
    decided_at: str | None = Timestamp
    outcome_note: str | None
    method: Literal["video", "audio", "radio"] | None = Field(
        description="How it was decided (SPEC §7.3): a sergeant's video or audio call, or the control room by "
                    "radio; null until confirmed or not_confirmed (and for cancelled, unanswered, expired)")
    decided_by: Decider | None = Field(
        description="Who recorded the decision: the accepting sergeant, or the control-room operator of a radio "
                    "confirmation (`sergeant` stays whoever had accepted, or null); null until decided")
    voice_fallback: bool
    advice: str


class ChimeJoinInfo(_Out):
    """Exactly what Chime SDK CreateMeeting/CreateAttendee return: what the Chime JS client joins with."""

    Meeting: dict[str, Any]
    Attendee: dict[str, Any]


class StartedVerification(Verification):
    meeting: ChimeJoinInfo | None = Field(description="null in voice-fallback mode (Chime unavailable)")
    citizen_url: str


class OfficerRecord(_Out):
    """The registry's record of the officer, with a short-lived photo link, for the accepting sergeant."""

    officer_id: str
    rank: str
    given_name: str
    family_name: str
    status: str
    photo_url: str | None


class AcceptedVerification(Verification):
    meeting: ChimeJoinInfo | None
    officer_record: OfficerRecord


class VerificationList(_Out):
    items: list[Verification]


class DutyStatus(_Out):
    officer_id: str
    duty: Literal["available", "off_duty"]


class PublicOfficer(_Out):
    officer_id: str
    rank: str
    family_name: str
    photo_url: str | None


class PublicConfirmer(_Out):
    officer_id: str
    rank: str
    family_name: str


class PublicView(_Out):
    """What anyone holding the reference sees: no location, no notes, no phone numbers."""

    reference: str
    status: StatusValue
    officer: PublicOfficer
    confirmed_by: PublicConfirmer | None = Field(
        description="Whoever confirmed: the sergeant, or the control-room operator for a radio confirmation")
    method: Literal["video", "audio", "radio"] | None = Field(
        description="How it was decided; null until confirmed or not_confirmed")
    decided_by_role: Literal["sergeant", "control_room"] | None = Field(
        description="Who decided, by role: the control room decides by radio, a sergeant on a call")
    created_at: str = Timestamp
    decided_at: str | None = Timestamp
    advice: str


class RegistryRecord(_Out):
    force: str
    officer_id: str
    given_name: str
    family_name: str
    rank: str
    status: Literal["serving", "suspended", "left"]
    role: Literal["officer", "sergeant", "admin", "auditor", "control_room"]
    phone: str | None
    photo: str | None
    duty: Literal["available", "off_duty"] | None


class Health(_Out):
    status: Literal["ok"]


class CheckRequestSent(_Out):
    """The request was taken (the same answer for any officer number, known or not)."""

    status: Literal["sent"]


class PushSubscriptionStatus(_Out):
    """Whether this sergeant gets requests as Web Push on their phone before any text."""

    push: Literal["on", "off", "unavailable"] = Field(description="unavailable: push is not offered here")
    application_server_key: str | None = Field(
        description="The VAPID public key (base64url P-256 point) for PushManager.subscribe; null when unavailable")


class PushReceived(_Out):
    status: Literal["received"]


class AlertOfficer(_Out):
    """Who the alert is about, as the registry names them (null names: unknown to the registry, or erased)."""

    officer_id: str
    rank: str | None
    given_name: str | None
    family_name: str | None


class AlertAcknowledger(_Out):
    officer_id: str
    rank: str | None
    family_name: str | None


class Alert(_Out):
    """SPEC §7.3 Alert, plus `area` (where the officer said they were, when they typed it) and `where`
    (a citizen's own words about where she is, on citizen_request and citizen_unsafe)."""

    alert_id: str
    kind: Literal[tuple(kind.value for kind in AlertKind)]  # type: ignore[valid-type]
    force: str
    verification_id: str | None
    reference: str | None
    officer: AlertOfficer | None
    location: Location | None
    area: str | None
    where: str | None = Field(description="citizen_unsafe: where she said she is, in her own words (or null)")
    raised_at: str = Timestamp
    acknowledged_by: AlertAcknowledger | None
    acknowledged_at: str | None = Timestamp
    note: str | None


class UnsafeSent(_Out):
    """Her report is taken (SPEC §7.4): also when it raised nothing new (the control room already knows)."""

    status: Literal["sent"]


class ActiveCheck(Verification):
    waiting_seconds: int = Field(description="since the check was started")
    waves_sent: int = Field(description="waves of SMS sent to sergeants so far")


class ControlBoard(_Out):
    active: list[ActiveCheck] = Field(description="awaiting_sergeant and connected checks, oldest first")
    alerts: list[Alert] = Field(description="unacknowledged first (all, up to 200), newest first; then the "
                                            "latest 50 acknowledged, newest first")


# Every `code` the API can answer with: the domain's, plus the framework-level ones Chalice raises.
ERROR_CODES = sorted(
    {cls.code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.DomainError)}
    | {"method_not_allowed", "unsupported_media_type"}
)


class ErrorDetail(_Out):
    code: Literal[tuple(ERROR_CODES)]  # type: ignore[valid-type]
    message: str
    verification_id: str | None = Field(
        default=None, description="with active_verification_exists: the check in progress"
    )


class ErrorBody(_Out):
    error: ErrorDetail


REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    schemas.StartVerificationRequest, schemas.EmptyRequest, schemas.OutcomeRequest,
    schemas.RadioConfirmationRequest, schemas.DutyRequest, schemas.OfficerRecordRequest, schemas.AcknowledgeRequest,
    schemas.UnsafeReportRequest, schemas.CheckRequestIn, schemas.PushSubscriptionRequest, schemas.PushReceiptRequest,
)
RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    Verification, StartedVerification, AcceptedVerification, VerificationList, DutyStatus, PublicView,
    RegistryRecord, Health, ErrorBody, Alert, ControlBoard, UnsafeSent, CheckRequestSent, PushSubscriptionStatus,
    PushReceived,
)

# Errors every authenticated JSON route can give, and those of a route with a JSON body (SPEC §4).
AUTH_ERRORS: dict[int, tuple[str, ...]] = {401: ("unauthenticated",), 403: ("forbidden",), 404: ("not_found",)}
BODY_ERRORS: dict[int, tuple[str, ...]] = {
    400: ("invalid_json", "validation_error"), 413: ("payload_too_large",), 415: ("unsupported_media_type",),
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    ok: tuple[int, type[BaseModel] | str]  # a model, or the media types of a page ("a|b")
    roles: tuple[str, ...] = ()  # empty: public
    body: type[BaseModel] | None = None
    errors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    parameters: tuple[dict[str, Any], ...] = ()
    # The body's media type (the citizen page's form posts application/x-www-form-urlencoded).
    body_media: str = "application/json"
    # Pages answer in their own media type: other statuses they can give, e.g. {404: "text/html"}.
    page_statuses: dict[int, str] = field(default_factory=dict)
    description: str = ""  # what a client must know beyond the summary
    form: dict[str, Any] | None = None  # a page's form body (application/x-www-form-urlencoded), as a schema


def _errors_of(op: Operation) -> dict[int, tuple[str, ...]]:
    """An authenticated route can also refuse a caller the registry no longer lists (SPEC §7.2)."""
    if not op.roles:
        return op.errors
    forbidden = op.errors.get(403, ("forbidden",))
    extra = () if "officer_not_serving" in forbidden else ("officer_not_serving",)
    return {**op.errors, 403: forbidden + extra}


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 128}}


VID = _path_parameter("verification_id", "The verification's id")
OFFICER = _path_parameter("officer_id", "Warrant/collar number, e.g. MP4721")
ALERT = _path_parameter("alert_id", "The alert's id (from the board)")
REFERENCE = _path_parameter("reference", "The citizen reference, e.g. SC-7KQ-2MX-9HP (case and dashes forgiven)")

OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/health", "Liveness", (200, Health)),
    Operation("post", "/verifications", "An officer asks to be verified", (201, StartedVerification), ("officer",),
              schemas.StartVerificationRequest,
              {**BODY_ERRORS, 401: ("unauthenticated",), 403: ("forbidden", "officer_not_serving"),
               409: ("active_verification_exists", "idempotency_conflict"), 429: ("rate_limited",)},
              ({"name": "Idempotency-Key", "in": "header", "required": False,
                "description": "A retry with the same key and body returns the same 201 and sends nothing twice",
                "schema": {"type": "string", "minLength": 1, "maxLength": 64}},)),
    Operation("get", "/verifications", "A sergeant's queue (own force)", (200, VerificationList), ("sergeant",),
              errors={400: ("validation_error",), 401: ("unauthenticated",), 403: ("forbidden",)},
              parameters=({"name": "status", "in": "query", "required": False,
                           "schema": {"type": "string", "enum": [s.value for s in Status]}},)),
    Operation("get", "/verifications/{verification_id}", "One verification", (200, Verification),
              ("officer", "sergeant", "admin", "auditor"), errors=AUTH_ERRORS, parameters=(VID,)),
    Operation("post", "/verifications/{verification_id}/accept", "First available sergeant wins",
              (200, AcceptedVerification), ("sergeant",), schemas.EmptyRequest,
              {**BODY_ERRORS, **AUTH_ERRORS, 403: ("forbidden", "not_on_duty", "cannot_verify_self"),
               409: ("already_accepted", "invalid_state")}, (VID,)),
    Operation("post", "/verifications/{verification_id}/outcome", "The accepting sergeant decides",
              (200, Verification), ("sergeant",), schemas.OutcomeRequest,
              {**BODY_ERRORS, **AUTH_ERRORS, 409: ("invalid_state",)}, (VID,),
              description="`method` is how the sergeant saw the officer: `video` (the default) or `audio` (the "
                          "call fell back to audio only); `radio` is refused (400): that is the control room's "
                          "route."),
    Operation("post", "/verifications/{verification_id}/radio-confirmation",
              "The force's control room confirms (or not) by radio", (200, Verification), ("control_room",),
              schemas.RadioConfirmationRequest, {**BODY_ERRORS, **AUTH_ERRORS, 409: ("invalid_state",)}, (VID,),
              description="SPEC §7.3. From awaiting_sergeant or connected only (409 invalid_state otherwise); "
                          "another force's check is 404. Ends the call, texts no more sergeants; the answer "
                          "has `method: radio` and `decided_by` the operator; not_confirmed alerts the "
                          "control room as a sergeant's does."),
    Operation("post", "/verifications/{verification_id}/cancel", "The officer withdraws", (200, Verification),
              ("officer",), schemas.EmptyRequest, {**BODY_ERRORS, **AUTH_ERRORS, 409: ("invalid_state",)}, (VID,)),
    Operation("put", "/me/duty", "A sergeant goes on or off duty", (200, DutyStatus), ("sergeant",),
              schemas.DutyRequest,
              {**BODY_ERRORS, 401: ("unauthenticated",), 403: ("forbidden",), 404: ("not_found",)}),
    Operation("get", "/public/verifications/{reference}", "What the person stopped sees (rate-limited)",
              (200, PublicView), errors={404: ("not_found",), 429: ("rate_limited",)}, parameters=(REFERENCE,)),
    Operation("put", "/officers/{officer_id}", "An admin replaces a registry record", (200, RegistryRecord),
              ("admin",), schemas.OfficerRecordRequest, {**BODY_ERRORS, **AUTH_ERRORS}, (OFFICER,),
              description="A full replacement: the body carries every writable field (given_name, family_name, "
                          "rank, status, role, phone, photo, duty), and a field left out is refused with 400 "
                          "validation_error, never cleared; null clears phone, photo or duty. Sergeants need a "
                          "phone and a duty. `photo` must name an object already in the photos bucket: the record "
                          "pins its current version and SHA-256. Nothing is stored when refused."),
    Operation("get", "/officers/{officer_id}", "A registry record", (200, RegistryRecord), ("admin", "auditor"),
              errors=AUTH_ERRORS, parameters=(OFFICER,)),
    Operation("get", "/control/board", "The control room's board: live checks and alerts (own force)",
              (200, ControlBoard), ("control_room",), errors={401: ("unauthenticated",), 403: ("forbidden",)}),
    Operation("post", "/control/alerts/{alert_id}/acknowledge", "The control room acknowledges an alert, once",
              (200, Alert), ("control_room",), schemas.AcknowledgeRequest,
              {**BODY_ERRORS, **AUTH_ERRORS, 409: ("invalid_state",)}, (ALERT,),
              description="Another force's alert, or an unknown id, is 404 not_found; a second acknowledgement "
                          "is 409 invalid_state and changes nothing."),
    Operation("post", "/public/check-requests", "A citizen asks the officer with this number to start a check",
              (202, CheckRequestSent), body=schemas.CheckRequestIn,
              errors={**BODY_ERRORS, 429: ("rate_limited",)},
              description="SPEC §7.4. No sign-in. 202 for any well-formed number, known or not; a serving officer "
                          "of the force gets a text and the control room a citizen_request alert, at most once per "
                          "officer per 10 minutes (later requests are audited, not sent). 429 after "
                          "CHECK_REQUESTS_PER_ADDRESS requests from one address in 10 minutes, whatever the number."),
    Operation("get", "/openapi.json", "This document", (200, "application/json")),
    # Web Push to the sergeant page (issue 17): a free first channel before the SMS.
    Operation("get", "/me/push-subscription", "Whether this sergeant gets requests as Web Push first",
              (200, PushSubscriptionStatus), ("sergeant",), errors={401: ("unauthenticated",), 403: ("forbidden",)}),
    Operation("put", "/me/push-subscription", "A sergeant opts in to Web Push on this phone",
              (200, PushSubscriptionStatus), ("sergeant",), schemas.PushSubscriptionRequest,
              {**BODY_ERRORS, 401: ("unauthenticated",), 403: ("forbidden",)},
              description="The body is the browser's PushSubscription.toJSON(); the endpoint must be at a known "
                          "browser push service (400 validation_error otherwise). One subscription per sergeant: "
                          "the newest phone wins. A wave then pushes to this sergeant instead of texting, and "
                          "texts after all if the phone's service worker posts no receipt within "
                          "PUSH_GRACE_SECONDS (5); never two texts for one check."),
    Operation("delete", "/me/push-subscription", "A sergeant turns Web Push off (texts only)",
              (200, PushSubscriptionStatus), ("sergeant",), errors={401: ("unauthenticated",), 403: ("forbidden",)}),
    Operation("post", "/push/receipts", "The sergeant page's service worker: the push reached the phone",
              (202, PushReceived), body=schemas.PushReceiptRequest, errors={**BODY_ERRORS, 404: ("not_found",)},
              description="No sign-in: `receipt` is the HMAC inside the encrypted push. A wrong receipt or an "
                          "unknown check is 404 and changes nothing; a receipt for a check no longer waiting is "
                          "202 and changes nothing."),
    # "I feel unsafe" (SPEC §7.4).
    Operation("post", "/public/verifications/{reference}/unsafe", "The person stopped feels unsafe (no sign-in)",
              (202, UnsafeSent), body=schemas.UnsafeReportRequest,
              errors={**BODY_ERRORS, 404: ("not_found",), 429: ("rate_limited",)}, parameters=(REFERENCE,),
              description="Raises a citizen_unsafe alert with the check's officer and location and `where` (at "
                          "most 80 characters, trimmed; no control characters). Any status, while the check is "
                          "shown (24 h). At most 3 alerts per check per 15 minutes: a press over that is still "
                          "202 and raises nothing new. Unknown references count against the address's miss "
                          "budget as GET does."),
    Operation("post", "/v/{reference}/unsafe", "Citizen page: the \"I feel unsafe\" form (no JavaScript)",
              (303, "text/html"), body=schemas.UnsafeReportRequest, body_media="application/x-www-form-urlencoded",
              parameters=(REFERENCE, {"name": "lang", "in": "query", "required": False,
                                      "schema": {"enum": ["en", "cy"]}}),
              errors={415: ("unsupported_media_type",)},
              page_statuses={400: "text/html", 404: "text/html", 429: "text/html"},
              description="As the JSON route; answers 303 back to the page (`../{reference}?lang=…`) with a "
                          "cookie scoped to it, so the page then says the control room has been told."),
    # Pages (HTML) and their assets.
    Operation("get", "/verify", "Citizen page: type the reference, or the officer's number (no JavaScript)",
              (200, "text/html"),
              page_statuses={303: "text/html", 400: "text/html", 404: "text/html", 429: "text/html"},
              parameters=({"name": "reference", "in": "query", "required": False, "schema": {"type": "string"}},
                          {"name": "officer", "in": "query", "required": False, "schema": {"type": "string"}},
                          {"name": "lang", "in": "query", "required": False, "schema": {"enum": ["en", "cy"]}}),
              description="With `officer`: 303 to the check that officer started if one is running, else a page "
                          "offering to ask for one (the same page for any number)."),
    Operation("post", "/verify", "Citizen page: the \"Ask for a check\" form (no JavaScript)", (303, "text/html"),
              page_statuses={400: "text/html", 415: "text/html", 429: "text/html"},
              form={"type": "object", "required": ["officer"], "properties": {
                  "officer": {"type": "string", "description": "The number on the warrant card"},
                  "where": {"type": "string", "description": "Where she is, in her own words (optional, 80 at most)"},
                  "lang": {"enum": ["en", "cy"]}}},
              description="SPEC §7.4, as POST /public/check-requests: then 303 to /verify?officer=...&asked=1, "
                          "the same for any number."),
    Operation("get", "/v/{reference}", "Citizen page: the answer", (200, "text/html"), parameters=(REFERENCE,),
              page_statuses={404: "text/html", 429: "text/html"}),
    Operation("get", "/s/{verification_id}", "Sergeant page (the SMS link); signs in in the browser",
              (200, "text/html"), parameters=(VID,)),
    Operation("get", "/o", "Officer page", (200, "text/html")),
    Operation("get", "/c", "Control-room page: the board, polled every 2 s", (200, "text/html")),
    Operation("get", "/static/{asset}", "Page stylesheets and scripts, by name from a fixed list",
              (200, "text/css|text/javascript"),
              parameters=(_path_parameter("asset", "e.g. citizen.css, sergeant.js"),),
              page_statuses={404: "text/plain"}),
)


def _location(description: str) -> dict[str, Any]:
    return {"Location": {"description": description, "required": True, "schema": {"type": "string", "minLength": 1}}}


# Headers the API always sends with these statuses (schemathesis checks them against real answers).
HEADERS_BY_STATUS: dict[int, dict[str, Any]] = {
    201: _location("The new verification, /verifications/{verification_id}"),
    303: _location("The page with the answer, relative to this one"),
    429: {"Retry-After": {"description": "Seconds to wait before trying again", "required": True,
                          "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
}


def _error_response(status: int, codes: tuple[str, ...]) -> dict[str, Any]:
    return {
        "description": ", ".join(codes),
        "content": {"application/json": {"schema": {
            "allOf": [{"$ref": "#/components/schemas/ErrorBody"}],
            "properties": {"error": {"properties": {"code": {"enum": list(codes)}}}},
        }}},
    }


def _operation(op: Operation) -> dict[str, Any]:
    status, ok = op.ok
    if isinstance(ok, str):
        success: dict[str, Any] = {"description": "OK", "content": {
            media_type: {"schema": {"type": "object" if media_type == "application/json" else "string"}}
            for media_type in ok.split("|")
        }}
    else:
        success = {"description": ok.__doc__.strip().splitlines()[0] if ok.__doc__ else ok.__name__,
                   "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ok.__name__}"}}}}
    responses: dict[str, Any] = {str(status): success}
    for code_status, codes in sorted(_errors_of(op).items()):
        responses[str(code_status)] = _error_response(code_status, codes)
    for page_status, media_type in sorted(op.page_statuses.items()):
        responses[str(page_status)] = {"description": "A page saying what went wrong",
                                       "content": {media_type: {"schema": {"type": "string"}}}}
    for response_status, response in responses.items():
        if int(response_status) in HEADERS_BY_STATUS:
            response["headers"] = HEADERS_BY_STATUS[int(response_status)]
    if isinstance(ok, str) and ok != "application/json":
        responses["500"] = {"description": "A page, never a stack trace",
                             "content": {ok.split("|")[0]: {"schema": {"type": "string"}}}}
    else:
        responses["500"] = _error_response(500, ("internal_error",))
    document: dict[str, Any] = {
        "operationId": (
            f"{op.method}_"
            f"{op.path.strip('/').replace('/', '_').replace('{', '').replace('}', '').replace('.', '_') or 'root'}"
        ),
        "summary": op.summary,
        "responses": responses,
    }
    if op.roles:
        document["security"] = [{"cognitoIdToken": []}]
        document["description"] = f"Roles: {', '.join(op.roles)} (from the ID token's `cognito:groups`)."
        if op.description:
            document["description"] = f"{op.description} {document['description']}"
    else:
        document["security"] = []
    if op.parameters:
        document["parameters"] = list(op.parameters)
    if op.form is not None:
        document["requestBody"] = {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": op.form}}}
    if op.body is not None:
        document["requestBody"] = {"required": True, "content": {op.body_media: {
            "schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}}}
    return document


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    _, requests = models_json_schema([(m, "validation") for m in REQUEST_MODELS],
                                     ref_template="#/components/schemas/{model}")
    _, responses = models_json_schema([(m, "serialization") for m in RESPONSE_MODELS],
                                      ref_template="#/components/schemas/{model}")
    components = {**requests.get("$defs", {}), **responses.get("$defs", {})}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Safe Connection",
            "version": "1.0.0",
            "description": "Prove on the spot that a plain-clothes officer is a serving officer. "
                           "Errors always have the body {\"error\": {\"code\", \"message\"}}.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"cognitoIdToken": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "The Cognito ID token (RS256; iss, aud, exp and token_use=id are checked).",
            }},
        },
    }


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
