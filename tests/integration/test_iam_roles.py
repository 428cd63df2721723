"""Issue 11: every Lambda function works under exactly its role from the synthesised template.

Every `stack` test already runs each function's calls under its real role with moto's IAM
enforcement on (tests/support/iam.py). This module adds what those tests cannot say alone:
- one lifecycle that reaches every function and every grant, whose calls are recorded;
- least privilege both ways: each granted action is needed by a recorded call (removing it would
  deny that call), or is listed below with the reason no test can use it;
- offline checks against IAM's own action/resource table (policy-sentry): every granted action
  supports the resource it is granted on, and every Chime SDK call the adapter makes (moto has no
  Chime) is granted on the resource IAM will check;
- one real mutation: the stream consumer's role without `dynamodb:BatchWriteItem` fails to copy.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.support import iam
from tests.support.deployed import deployed_template

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
SCHEDULE_EVENT = {
    "version": "0", "id": "schedule", "detail-type": "Scheduled Event", "source": "aws.events",
    "account": iam.ACCOUNT, "time": "2026-11-29T00:15:00Z", "region": "eu-west-2", "resources": [], "detail": {},
}

# Granted, and needed in AWS, but used by no call a test can make: (function, Sid, action) -> why.
USED_OUTSIDE_THE_TESTS = {
    **{(fn, "OwnLogGroup", action): "Lambda writes the function's own logs with its role; no test runs "
       "Lambda's log agent" for fn in iam.APP_FUNCTIONS for action in ("logs:CreateLogStream", "logs:PutLogEvents")},
    ("CopyAuditEventsToS3", "ListStreamsForTheEventSource", "dynamodb:ListStreams"):
        "Lambda's stream event source mapping lists the table's streams with the function's role",
    ("CopyAuditEventsToS3", "RecordBatchesThatFailedForGood", "sqs:SendMessage"):
        "Lambda's event source mapping sends a batch that failed for good to the on-failure queue",
    **{(fn, "TellMissingObjectsFromRefusals", "s3:ListBucket"): "real S3 answers a GetObject of a key not "
       "written yet with 403 unless the caller may list the bucket, so the copier could not tell 'predecessor "
       "not copied yet' (404) from a refusal; moto answers 404 either way"
       for fn in ("CopyAuditEventsToS3", "ReconcileAuditOutbox")},
    ("APIHandler", "PresignRegistryPhotos", "s3:GetObjectVersion"):
        "the sergeant's browser fetches the photo version the record pins through the presigned link "
        "(?versionId=), signed by this role; moto cannot check query-string signatures",
    **{(fn, "ControlRoomAlerts", "sns:Publish"): "the SMS grant (sns:Publish on '*', as IAM requires "
       "for phone numbers) already covers the topic; the topic's own statement states the intent and "
       "keeps alerts working if the SMS grant is ever narrowed" for fn in ("APIHandler", "RunTimers")},
    ("APIHandler", "IdempotencyRecordsAndRateLimits", "dynamodb:DeleteItem"):
        "Powertools idempotency deletes the in-progress record when a start fails, so the retry runs",
}


class _TimersOnSqsToo:
    """Timers go to the real queue (so the roles send them) and are fired by the test's clock."""

    def __init__(self, recording: Any, sqs_timers: Any) -> None:
        self._recording, self._sqs = recording, sqs_timers

    def schedule(self, timer: Any) -> None:
        self._sqs.schedule(timer)
        self._recording.schedule(timer)

    def take_due(self, now: Any) -> list[Any]:
        return self._recording.take_due(now)


def _control_room_decides_by_radio(stack) -> None:
    """SPEC §7.3 under the API function's role: no AWS call of its own (the same conditional write,
    Chime delete and alert as a sergeant's decision), so no new grant."""
    from chalicelib.domain.registry import OfficerStatus, RegistryRecord, Role

    with stack.running_as("APIHandler"):
        stack.deps.registry.put(RegistryRecord(force="met", officer_id="MP7001", given_name="Tariq",
                                               family_name="Osei", rank="PC", status=OfficerStatus.SERVING,
                                               role=Role.CONTROL_ROOM))
    status, fifth = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, fifth
    status, decided = stack.call("POST", f"/verifications/{fifth['verification_id']}/radio-confirmation",
                                 body={"outcome": "not_confirmed", "note": "No answer on the radio"},
                                 headers=stack.tokens.header("control_room", "met", "MP7001"))
    assert status == 200 and decided["method"] == "radio", decided


@pytest.fixture(scope="module")
def lifecycle(tokens, boto_session):
    """Drive every function through its handler, under its role; returns what each role used, and
    the documents each role carried. Run once, in a world of its own: the tests below only read it."""
    from moto import mock_aws

    from tests.conftest import IDENTITY, FakeClock, make_settings
    from tests.support import moto_speedups
    from tests.support.stack import build_stack

    with moto_speedups.active(), mock_aws(), pytest.MonkeyPatch.context() as monkeypatch:
        clock = FakeClock()
        stack = build_stack(make_settings(tokens), clock, tokens, boto_session, identity=IDENTITY)
        try:
            recorded = _run_lifecycle(stack, clock, monkeypatch)
            recorded["granted"] = _resolved_documents(stack)
        finally:
            stack.close()
    return recorded


def _run_lifecycle(stack, clock, monkeypatch) -> dict[str, Any]:
    from chalicelib.adapters.sqs_timers import SqsTimers

    iam.USAGE.clear()
    chime_calls: list[tuple[str, str, str]] = []
    _record_chime_calls(stack, chime_calls)
    sqs = stack.session.client("sqs")
    queue_url = sqs.get_queue_url(QueueName="test-timers")["QueueUrl"]
    monkeypatch.setattr(stack.deps, "timers", _TimersOnSqsToo(stack.deps.timers, SqsTimers(sqs, queue_url, clock)))

    # APIHandler: start (idempotent), reads, accept, decide, cancel, duty, registry, public view.
    iam.USAGE.step = "start, read, accept, decide (API)"
    status, started = stack.call("POST", "/verifications", "MP4721", START, headers={"Idempotency-Key": "k-1"})
    assert status == 201, started
    vid, reference = started["verification_id"], started["reference"]
    assert stack.call("POST", "/verifications", "MP4721", START, headers={"Idempotency-Key": "k-1"})[0] == 201
    assert stack.call("GET", f"/verifications/{vid}", "MP4721")[0] == 200
    assert stack.call("GET", "/verifications?status=awaiting_sergeant", "MP2001")[0] == 200
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    stack.deps.__dict__.pop("envelope")  # the decision lands in a fresh container: it opens the data key
    decision = {"outcome": "not_confirmed", "note": "Face does not match the registry photo"}
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", decision)[0] == 200
    iam.USAGE.step = "public view, duty, registry, refused start, cancel (API)"
    assert stack.call("GET", f"/public/verifications/{reference}")[0] == 200
    status, third = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, third
    assert stack.call("POST", f"/verifications/{third['verification_id']}/cancel", "MP4721", {})[0] == 200
    assert stack.call("PUT", "/me/duty", "MP2002", {"status": "off_duty"})[0] == 200
    status, record = stack.call("GET", "/officers/MP4721", "MP0001")
    assert status == 200, record
    _registry_changes_follow_the_sign_in_account(stack, _registry_fields(record))
    assert stack.call("POST", "/verifications", "MP3390", START)[0] == 403  # not serving: audited, alerted
    iam.USAGE.step = "control-room board and acknowledging an alert (API)"
    status, board = stack.call("GET", "/control/board", "MP0003")
    assert status == 200 and len(board["alerts"]) == 2, board
    alert_id = board["alerts"][0]["alert_id"]
    assert stack.call("POST", f"/control/alerts/{alert_id}/acknowledge", "MP0003", {"note": "Units sent"})[0] == 200
    iam.USAGE.step = "a sergeant suspended mid-check: hand-back (API)"
    status, fourth = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, fourth
    assert stack.call("POST", f"/verifications/{fourth['verification_id']}/accept", "MP2003", {})[0] == 200
    status, sergeant = stack.call("GET", "/officers/MP2003", "MP0001")
    assert (
        stack.call("PUT", "/officers/MP2003", "MP0001", {**_registry_fields(sergeant), "status": "suspended"})[0] == 200
    )
    assert stack.deps.verifications.get(fourth["verification_id"]).status.value == "awaiting_sergeant"
    assert stack.call("POST", f"/verifications/{fourth['verification_id']}/cancel", "MP4721", {})[0] == 200
    iam.USAGE.step = "the control room decides by radio (API)"
    _control_room_decides_by_radio(stack)

    # RunTimers: a second wave (a sergeant came on duty after the first), then the answer timeout.
    iam.USAGE.step = "next wave and answer timeout (timers)"
    status, second = stack.call("POST", "/verifications", "MP5102", START)
    assert status == 201, second
    # She opts in to Web Push first (the API reads the push key), so the timers' wave pushes to her.
    stack.subscribe_push("MP2004")
    assert stack.call("PUT", "/me/duty", "MP2004", {"status": "available"})[0] == 200
    stack.deps.__dict__.pop("web_push")  # the wave runs in the timers' container: it reads the key
    fired = []
    for _ in range(12):
        clock.advance(seconds=stack.settings.wave_interval_seconds)
        fired += stack.fire_due_timers()
    assert "answer_timeout" in fired and "wave" in fired and "push_fallback" in fired, fired
    iam.USAGE.step = "SQS event source polling (timers)"
    _poll_timers_queue_as_lambda(stack)

    # ReconcileAuditOutbox copies what waits (here: everything, the stream has not run yet) and
    # refuses a forged item; CopyAuditEventsToS3 then finds each event written and refuses another.
    import app

    iam.USAGE.step = "backlog copied, a forged item quarantined and alerted (reconciler)"
    clock.advance(seconds=stack.settings.audit_reconcile_after_seconds + 1)
    _forge_outbox_item(stack, vid, seq=50)
    app.reconcile_audit_outbox(SCHEDULE_EVENT, None)
    iam.USAGE.step = "stream batch to S3, a forged item quarantined and alerted (audit copier)"
    _forge_outbox_item(stack, vid, seq=60)
    assert stack.pump_audit() > 0
    quarantined = [a["reason"] for a in stack.alerts() if a.get("type") == "audit_event_quarantined"]
    assert quarantined == ["predecessor_missing"] * 2

    iam.USAGE.step = "nightly digest, and its rerun (digests)"
    clock.advance(days=1)  # the nightly digest signs the day the events were written
    app.write_daily_audit_digests(SCHEDULE_EVENT, None)
    clock.advance(minutes=5)
    app.write_daily_audit_digests(SCHEDULE_EVENT, None)  # a rerun links to the digest already there
    iam.USAGE.step = "nightly erasure (erasure)"
    clock.advance(days=stack.settings.personal_data_retention_days + 1)
    app.erase_expired_personal_data(SCHEDULE_EVENT, None)
    assert stack.deps.verifications.get(vid) is None
    calls = {fn: iam.USAGE.for_role(fn) for fn in iam.APP_FUNCTIONS}
    for function, operation, meeting_id in chime_calls:  # moto never sees these: add them by hand
        calls[function].add((f"chime:{operation}", _chime_resource(f"chime:{operation}", meeting_id)))
        iam.USAGE.steps.setdefault((function, f"chime:{operation}"), set()).add("Chime stand-in calls")
    # Copies: later tests' stacks record into iam.USAGE too.
    return {"calls": calls, "chime": chime_calls, "steps": {key: set(v) for key, v in iam.USAGE.steps.items()}}


def _forge_outbox_item(stack, vid: str, seq: int) -> None:
    """What a compromised API function could do: put an audit event of its own into the outbox
    (right hash, but no predecessor at seq - 1), marked as awaiting copy like every new event."""
    import json

    from chalicelib.domain.audit import event_hash

    (first,) = [e for e in stack.deps.verifications.events(vid) if e["seq"] == 1]
    forged = {**first, "seq": seq, "type": "verification.confirmed", "prev_hash": "f" * 64}
    forged["hash"] = event_hash(forged)
    key = f"audit/force=met/date={first['at'][:10]}/{vid}/{seq:06d}.json"
    stack.session.client("dynamodb").put_item(TableName=stack.settings.verifications_table, Item={
        "pk": {"S": f"V#{vid}"}, "sk": {"S": f"EVENT#{seq:06d}"}, "kind": {"S": "audit_event"},
        "audit_key": {"S": key}, "event_json": {"S": json.dumps(forged, sort_keys=True)},
        "awaiting_copy": {"S": "s3"}, "recorded_at": {"S": first["at"]},
    })


def _registry_changes_follow_the_sign_in_account(stack, fields: dict[str, Any]) -> None:
    """PUT /officers/{id} keeps the person's Cognito account in step (under the API role): a
    suspension signs them out and disables them; reinstated as a sergeant, they are enabled and
    change group; back to officer. Each step is a real change (an unchanged PUT writes nothing)."""
    cognito, pool = stack.session.client("cognito-idp"), stack.settings.user_pool_id
    cognito.admin_create_user(UserPoolId=pool, Username="mp4721", MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "custom:force", "Value": "met"}, {"Name": "custom:officer_id", "Value": "MP4721"}])
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="mp4721", GroupName="officer")
    assert stack.call("PUT", "/officers/MP4721", "MP0001", {**fields, "status": "suspended"})[0] == 200
    assert cognito.admin_get_user(UserPoolId=pool, Username="mp4721")["Enabled"] is False
    as_sergeant = {**fields, "status": "serving", "role": "sergeant", "rank": "PS", "duty": "off_duty"}
    assert stack.call("PUT", "/officers/MP4721", "MP0001", as_sergeant)[0] == 200
    assert stack.call("PUT", "/officers/MP4721", "MP0001", fields)[0] == 200
    assert cognito.admin_get_user(UserPoolId=pool, Username="mp4721")["Enabled"] is True
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="mp4721")["Groups"]
    assert [g["GroupName"] for g in groups] == ["officer"]


def _registry_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("officer_id", "force", "updated_at", "photo_url")}


def _record_chime_calls(stack, calls: list[tuple[str, str]]) -> None:
    """moto has no Chime: note which function made which Chime SDK call, for the offline check."""
    client = stack.deps.meetings._client

    def note(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((stack.identity.running or "harness", model.name, params.get("MeetingId", "")))

    client.meta.events.register_first("before-parameter-build.chime-sdk-meetings", note)


def _poll_timers_queue_as_lambda(stack) -> None:
    """What Lambda's SQS poller does with the RunTimers role: read attributes, receive, delete.

    moto delays messages in real time, so one already due is put there first."""
    sqs = stack.session.client("sqs")
    url = sqs.get_queue_url(QueueName="test-timers")["QueueUrl"]  # the poller is configured with it
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    with stack.running_as("RunTimers"):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_every_function_runs_its_lifecycle_under_its_own_role(lifecycle):
    for function in iam.APP_FUNCTIONS:
        assert lifecycle["calls"][function], f"{function} made no AWS call under its role"


def test_every_granted_action_is_needed_by_a_call_or_has_a_reason(lifecycle):
    granted = lifecycle["granted"]
    unexplained, explained_but_used, report = [], [], []
    for function in iam.APP_FUNCTIONS:
        calls = lifecycle["calls"][function]
        for statement_index, statement in enumerate(_statements(granted[function])):
            for action in _as_list(statement["Action"]):
                needed = _needed(granted[function], statement_index, action, calls)
                reason = USED_OUTSIDE_THE_TESTS.get((function, statement.get("Sid"), action))
                if not needed and reason is None:
                    unexplained.append(f"{function} {statement.get('Sid')}: {action}")
                if needed and reason is not None:
                    explained_but_used.append(f"{function} {statement.get('Sid')}: {action}")
                used_in = "; ".join(sorted(lifecycle["steps"].get((function, action), ()))) if needed else ""
                report.append(f"| {function} | {statement.get('Sid')} | `{action}` | "
                              f"{used_in or 'not used by a test: ' + (reason or '?')} |")
    _write_report(report)
    assert not unexplained, "granted but never needed (remove, or give the reason):\n" + "\n".join(unexplained)
    assert not explained_but_used, "a test uses these now: drop their excuse\n" + "\n".join(explained_but_used)


def test_every_chime_call_is_granted_on_the_resource_iam_checks(lifecycle):
    from moto.iam.access_control import IAMPolicy, PermissionResult

    assert {op for _, op, _ in lifecycle["chime"]} >= {"CreateMeeting", "CreateAttendee", "DeleteMeeting"}
    granted = lifecycle["granted"]
    for function, operation, meeting_id in lifecycle["chime"]:
        action = f"chime:{operation}"
        resource = _chime_resource(action, meeting_id)
        results = [IAMPolicy(_dumps(doc)).is_action_permitted(action, resource) for doc in granted[function]]
        assert PermissionResult.PERMITTED in results and PermissionResult.DENIED not in results, (
            f"{function} calls {operation} on {resource}, which its role does not grant")


def test_every_granted_action_supports_the_resource_it_is_granted_on():
    from policy_sentry.querying.actions import get_action_data

    template = deployed_template()
    resolver = iam.TemplateResolver(template, iam.shaped_physical_resources(template))
    problems = []
    for function, docs in iam.function_policy_documents(template).items():
        for statement in _statements(resolver.resolve(docs)):
            for action in _as_list(statement["Action"]):
                service, name = action.split(":", 1)
                formats = [entry["resource_arn_format"] for entry in get_action_data(service, name).get(service, [])]
                assert formats, f"{action} is not an IAM action"
                for resource in _as_list(statement["Resource"]):
                    if not _supports(formats, resource):
                        problems.append(f"{function} {statement.get('Sid')}: {action} on {resource} "
                                        f"(IAM checks {', '.join(formats)})")
    assert not problems, "\n".join(problems)


def test_the_stream_consumer_cannot_copy_without_batch_writes(stack):
    """The issue's first finding, as a mutation: this grant is what lets the audit index be written."""
    status, _ = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201
    docs = copy.deepcopy(_resolved_documents(stack)["CopyAuditEventsToS3"])
    for doc in docs:
        for statement in _as_list(doc["Statement"]):
            statement["Action"] = [a for a in _as_list(statement["Action"]) if a != "dynamodb:BatchWriteItem"]
        doc["Statement"] = [s for s in _as_list(doc["Statement"]) if s["Action"]]
    client = stack.session.client("iam")
    for index, doc in enumerate(docs):
        client.put_role_policy(RoleName="CopyAuditEventsToS3", PolicyName=f"policy-{index}", PolicyDocument=_dumps(doc))
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="not authorized to perform: dynamodb:BatchWriteItem"):
        stack.pump_audit()


# ---- helpers -------------------------------------------------------------------------------

def _write_report(rows: list[str]) -> None:
    """test-artifacts/iam-grants.md: every granted action and the lifecycle step that needs it."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    header = ["| function | statement | action | needed by (tests/integration/test_iam_roles.py) |",
              "|---|---|---|---|"]
    (folder / "iam-grants.md").write_text("\n".join(header + rows) + "\n")


def _dumps(doc: Any) -> str:
    import json

    return json.dumps(doc)


def _resolved_documents(stack) -> dict[str, list[dict[str, Any]]]:
    """What each role in moto carries (the same documents the stack fixture put there)."""
    import json

    client = stack.session.client("iam")
    result = {}
    for function in iam.APP_FUNCTIONS:
        names = client.list_role_policies(RoleName=function)["PolicyNames"]
        docs = [client.get_role_policy(RoleName=function, PolicyName=n)["PolicyDocument"] for n in names]
        result[function] = [json.loads(d) if isinstance(d, str) else d for d in docs]
    return result


def _statements(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for doc in docs for s in _as_list(doc["Statement"])]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _without(docs: list[dict[str, Any]], statement_index: int, action: str) -> list[dict[str, Any]]:
    reduced = copy.deepcopy(docs)
    statements = _statements(reduced)
    statements[statement_index]["Action"] = [a for a in _as_list(statements[statement_index]["Action"]) if a != action]
    if not statements[statement_index]["Action"]:
        statements[statement_index]["Action"] = ["none:NoAction"]
    return reduced


def _permitted(docs: list[dict[str, Any]], action: str, resource: str) -> bool:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    results = [IAMPolicy(_dumps(doc)).is_action_permitted(action, resource) for doc in docs]
    return PermissionResult.PERMITTED in results and PermissionResult.DENIED not in results


def _needed(docs: list[dict[str, Any]], statement_index: int, action: str, calls: set[tuple[str, str]]) -> bool:
    """Would some recorded call be denied if this one action left this one statement?"""
    reduced = _without(docs, statement_index, action)
    return any(_permitted(docs, a, r) and not _permitted(reduced, a, r) for a, r in calls if a == action)


def _chime_resource(action: str, meeting_id: str) -> str:
    from policy_sentry.querying.actions import get_action_data

    service, name = action.split(":", 1)
    formats = [e["resource_arn_format"] for e in get_action_data(service, name)[service]]
    if "*" in formats or not meeting_id:
        return "*"
    return f"arn:aws:chime:eu-west-2:{iam.ACCOUNT}:meeting/{meeting_id}"


def _supports(formats: list[str], resource: str) -> bool:
    """Does IAM check this action against a resource of this shape? ("*" fits every action.)"""
    if resource == "*":
        return True  # wider than needed is cdk-nag's IAM5 finding, acknowledged with its reason
    return any(fmt != "*" and iam.resource_may_match(resource, fmt) for fmt in formats)


# ---- deploy-time custom resources (AwsCustomResource): their SDK calls under their role -----

# AwsCustomResource service names (SDK v2 style or the v3 package) -> (IAM prefix, boto3 client).
_CUSTOM_RESOURCE_SERVICES = {
    "sns": ("sns", "sns"),
    "cloudwatchlogs": ("logs", "logs"),
    "pinpointsmsvoicev2": ("sms-voice", "pinpoint-sms-voice-v2"),
}


def _custom_resource_calls(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every SDK call a Custom::AWS resource makes at deploy time: function, IAM action, call."""
    import json

    resolver = iam.TemplateResolver(template, iam.shaped_physical_resources(template))
    calls = []
    for resource in template["Resources"].values():
        if resource["Type"] != "Custom::AWS":
            continue
        function = resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
        for phase in ("Create", "Update", "Delete"):
            if phase not in resource["Properties"]:
                continue
            call = json.loads(resolver.resolve(resource["Properties"][phase]))
            service = re.sub(r"[^a-z0-9]", "", call["service"].lower().removeprefix("@aws-sdk/client-"))
            assert service in _CUSTOM_RESOURCE_SERVICES, f"add {call['service']} to _CUSTOM_RESOURCE_SERVICES"
            prefix, client = _CUSTOM_RESOURCE_SERVICES[service]
            operation = call["action"].removesuffix("Command")
            calls.append({
                "function": function, "action": f"{prefix}:{operation[0].upper()}{operation[1:]}",
                "client": client, "operation": operation[0].upper() + operation[1:],
                "parameters": call.get("parameters", {}), "tolerated": call.get("ignoreErrorCodesMatching"),
            })
    return calls


def _call_resource(action: str, parameters: dict[str, Any]) -> str:
    """The resource IAM checks for a deploy-time call (as the shaped template resolves it)."""
    if "logGroupName" in parameters:
        return f"arn:aws:logs:eu-west-2:{iam.ACCOUNT}:log-group:{parameters['logGroupName']}"
    if "ProtectConfigurationId" in parameters:
        return f"arn:aws:sms-voice:eu-west-2:{iam.ACCOUNT}:protect-configuration/{parameters['ProtectConfigurationId']}"
    return "*"


def test_every_deploy_time_sdk_call_is_granted_to_its_function():
    template = deployed_template()
    resolver = iam.TemplateResolver(template, iam.shaped_physical_resources(template))
    documents = {fn: resolver.resolve(docs) for fn, docs in iam.function_policy_documents(template).items()}
    calls = _custom_resource_calls(template)
    assert {c["action"] for c in calls} >= {"sns:SetSMSAttributes", "logs:CreateLogGroup",
                                            "sms-voice:SetAccountDefaultProtectConfiguration"}
    for call in calls:
        resource = _call_resource(call["action"], call["parameters"])
        assert _permitted(documents[call["function"]], call["action"], resource), (
            f"{call['function']} calls {call['action']} on {resource} at deploy time; its role does not grant it")


def test_the_deploy_time_calls_moto_has_run_under_their_role(stack):
    """SNS and CloudWatch Logs are in moto: make those calls with the custom resources' role."""
    from botocore.exceptions import ClientError

    ran = []
    for call in _custom_resource_calls(deployed_template()):
        if call["client"] not in ("sns", "logs"):
            continue  # End User Messaging: checked offline above
        client = stack.session.client(call["client"])
        with stack.running_as(call["function"]):
            try:
                method = {api: py for py, api in client.meta.method_to_api_mapping.items()}[call["operation"]]
                getattr(client, method)(**call["parameters"])
            except ClientError as error:
                if not call["tolerated"] or not re.search(call["tolerated"], error.response["Error"]["Code"]):
                    raise
        ran.append(call["action"])
    assert {"sns:SetSMSAttributes", "logs:CreateLogGroup", "logs:PutRetentionPolicy"} <= set(ran)
    assert stack.session.client("sns").get_sms_attributes()["attributes"]["DefaultSMSType"] == "Transactional"
