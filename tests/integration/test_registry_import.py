"""`registry import` (SPEC §7.1) through the CLI entry point, on in-process moto (the `stack`).

What is asserted is what is stored: registry items, photo object versions, Cognito users (attributes,
groups, enabled, UserLastModifiedDate), the audit outbox, and the AWS calls made. The import runs
with the operator's credentials (the harness identity), as it would from an admin's machine.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import bootstrap, cli
from chalicelib.domain.registry import Duty
from chalicelib.domain.registry_import import HEADER

HEAD = ",".join(HEADER)
# The three people: an officer, a sergeant and a control-room operator, each with a photo.
THREE = [
    "MP6001,Noor,Haddad,PC,officer,serving,+447700900601,noor.haddad@met.police.uk,,haddad.png",
    "MP1902,Leah,Brennan,PS,sergeant,serving,+447700900602,leah.brennan@met.police.uk,available,brennan.jpg",
    "MP6003,Tariq,Osei,PC,control_room,serving,+447700900603,tariq.osei@met.police.uk,,osei.png",
]
MUTATING = re.compile(r"^(Put|Delete|Update|BatchWrite|TransactWrite|Create|Admin(?!Get|List)|Copy|Upload|Restore)")


def png(seed: int) -> bytes:
    """A tiny valid PNG whose colour (and so its hash) depends on `seed`."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + bytes([seed % 256, 80, 120]) * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg(seed: int) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes([seed % 256]) * 64 + b"\xff\xd9"


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "haddad.png").write_bytes(png(1))
    (folder / "brennan.jpg").write_bytes(jpeg(2))
    (folder / "osei.png").write_bytes(png(3))
    return folder


@pytest.fixture
def calls(stack) -> list[tuple[str, str, dict[str, Any]]]:
    """(service, operation, params) of every AWS call any client of the shared session makes."""
    made: list[tuple[str, str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        made.append((model.service_model.service_name, model.name, dict(params)))

    events = stack.session._session.get_component("event_emitter")
    events.register("provide-client-params.*.*", record)
    yield made
    events.unregister("provide-client-params.*.*", record)


@pytest.fixture
def run(stack, monkeypatch, tmp_path):
    """`python -m chalicelib.cli registry import ...` in-process: (exit code, stdout, stderr)."""
    env = {"REGISTRY_TABLE": stack.settings.registry_table, "VERIFICATIONS_TABLE": stack.settings.verifications_table,
           "PHOTOS_BUCKET": stack.settings.photos_bucket, "AUDIT_BUCKET": stack.settings.audit_bucket,
           "USER_POOL_ID": stack.settings.user_pool_id}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    built: list[bootstrap.Dependencies] = []
    real = bootstrap.Dependencies

    def dependencies(*args: Any, **kwargs: Any) -> bootstrap.Dependencies:
        deps = real(*args, session=stack.session, clock=stack.clock, **kwargs)
        built.append(deps)
        return deps

    # The CLI builds its Dependencies from the environment; here they share the test's moto session.
    monkeypatch.setattr(bootstrap, "Dependencies", dependencies)

    def invoke(lines: list[str], *options: str, header: str = HEAD, name: str = "officers.csv") -> tuple[int, str, str]:
        path = tmp_path / name
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["registry", "import", "--force", "met", str(path), *options], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    invoke.built = built  # type: ignore[attr-defined]
    return invoke


def snapshot(stack) -> dict[str, Any]:
    """Everything an import could touch: registry and outbox items, photo versions, Cognito users."""
    dynamodb, s3, cognito = (stack.session.client(s) for s in ("dynamodb", "s3", "cognito-idp"))
    pool = stack.settings.user_pool_id

    def items(table: str) -> list[str]:
        return sorted(json.dumps(i, sort_keys=True) for i in dynamodb.scan(TableName=table)["Items"])

    users = {}
    for user in cognito.list_users(UserPoolId=pool)["Users"]:
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=user["Username"])["Groups"]
        users[user["Username"]] = {
            "attributes": sorted((a["Name"], a["Value"]) for a in user["Attributes"]),
            "enabled": user["Enabled"], "status": user["UserStatus"],
            "modified": user["UserLastModifiedDate"].isoformat(), "groups": sorted(g["GroupName"] for g in groups),
        }
    versions = s3.list_object_versions(Bucket=stack.settings.photos_bucket).get("Versions", [])
    return {
        "registry": items(stack.settings.registry_table),
        "outbox": items(stack.settings.verifications_table),
        "photos": sorted((v["Key"], v["VersionId"], v["ETag"]) for v in versions),
        "users": users,
    }


def record(stack, officer_id: str) -> dict[str, Any]:
    from chalicelib.adapters.dynamodb import deserialise_item

    item = stack.session.client("dynamodb").get_item(
        TableName=stack.settings.registry_table, Key={"force": {"S": "met"}, "officer_id": {"S": officer_id}})["Item"]
    return deserialise_item(item)


def user(stack, username: str) -> dict[str, Any]:
    cognito = stack.session.client("cognito-idp")
    found = cognito.admin_get_user(UserPoolId=stack.settings.user_pool_id, Username=username)
    groups = cognito.admin_list_groups_for_user(UserPoolId=stack.settings.user_pool_id, Username=username)["Groups"]
    return {**found, "attributes": {a["Name"]: a["Value"] for a in found["UserAttributes"]},
            "groups": sorted(g["GroupName"] for g in groups)}


def audit_events(stack, event_type: str = "registry.changed") -> list[dict[str, Any]]:
    items = stack.session.client("dynamodb").scan(TableName=stack.settings.verifications_table)["Items"]
    events = [json.loads(i["event_json"]["S"]) for i in items if "event_json" in i]
    return sorted((e for e in events if e["type"] == event_type), key=lambda e: e["data"]["officer_id"])


def mutations(calls: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str]]:
    return [(service, operation) for service, operation, _ in calls if MUTATING.match(operation)]


# ---- the first import ----------------------------------------------------------------------

def test_three_people_become_records_photos_accounts_and_audit_events(stack, run, photos, calls):
    before = snapshot(stack)
    code, out, err = run(THREE, "--photos", str(photos))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "created 3, updated 0, unchanged 0, disabled 0"

    sergeant = record(stack, "MP1902")
    assert {
        k: sergeant[k] for k in ("given_name", "family_name", "rank", "role", "status", "phone", "duty", "photo")
    } == {
        "given_name": "Leah",
        "family_name": "Brennan",
        "rank": "PS",
        "role": "sergeant",
        "status": "serving",
        "phone": "+447700900602",
        "duty": "available",
        "photo": "photos/met/MP1902.jpg",
    }
    assert sergeant["available_in_force"] == "met"  # she can be texted from now on
    assert [r.officer_id for r in stack.deps.registry.available_sergeants("met")].count("MP1902") == 1
    assert record(stack, "MP6003")["role"] == "control_room" and "duty" not in record(stack, "MP6003")

    s3 = stack.session.client("s3")
    for officer_id, name, kind in (("MP6001", "haddad.png", "png"), ("MP1902", "brennan.jpg", "jpg"),
                                   ("MP6003", "osei.png", "png")):
        stored = record(stack, officer_id)
        key = f"photos/met/{officer_id}.{kind}"
        got = s3.get_object(Bucket=stack.settings.photos_bucket, Key=key, VersionId=stored["photo_version_id"])
        assert got["Body"].read() == (photos / name).read_bytes()
        assert got["ContentType"] == ("image/png" if kind == "png" else "image/jpeg")
        assert stored["photo_sha256"] == hashlib.sha256((photos / name).read_bytes()).hexdigest()

    leah = user(stack, "mp1902")
    assert leah["attributes"]["custom:force"] == "met" and leah["attributes"]["custom:officer_id"] == "MP1902"
    assert leah["attributes"]["email"] == "leah.brennan@met.police.uk"
    assert leah["groups"] == ["sergeant"] and leah["Enabled"] is True
    assert user(stack, "mp6003")["groups"] == ["control_room"]
    # In AWS mode (no invitation outbox) Cognito makes the password and emails the invitation.
    created = [p for service, op, p in calls if op == "AdminCreateUser"]
    assert len(created) == 3 and all(p["DesiredDeliveryMediums"] == ["EMAIL"] for p in created)
    assert not any("TemporaryPassword" in p or "MessageAction" in p for p in created)

    events = audit_events(stack)
    assert [e["data"]["officer_id"] for e in events] == ["MP1902", "MP6001", "MP6003"]
    assert events[0]["actor"] == {"role": "registry_import", "officer_id": None}
    assert events[0]["data"]["created"] is True and events[0]["data"]["sign_in"] == ["created"]
    assert events[0]["data"]["changed_fields"] == ["duty", "family_name", "given_name", "phone", "photo", "rank",
                                                   "role", "status"]
    assert events[0]["data"]["photo"] == {
        "from": None,
        "to": {
            "key": "photos/met/MP1902.jpg",
            "version_id": sergeant["photo_version_id"],
            "sha256": sergeant["photo_sha256"],
        },
    }
    text = json.dumps(events)
    for value in ("Leah", "Brennan", "+447700900602", "leah.brennan", "Noor", "Osei"):
        assert value not in text
    # Records and events were batched; people already in the registry were left alone.
    writes = [(s, op) for s, op in mutations(calls) if s == "dynamodb"]
    assert writes == [("dynamodb", "BatchWriteItem"), ("dynamodb", "BatchWriteItem")]
    after = snapshot(stack)
    assert set(before["registry"]) <= set(after["registry"])


def test_rerunning_the_same_file_changes_nothing_not_even_a_timestamp(stack, run, photos, calls):
    assert run(THREE, "--photos", str(photos))[0] == 0
    stack.clock.advance(hours=1)
    first = snapshot(stack)
    calls.clear()
    code, out, err = run(THREE, "--photos", str(photos))
    assert (code, err, out.splitlines()[-1]) == (0, "", "created 0, updated 0, unchanged 3, disabled 0")
    assert snapshot(stack) == first
    assert mutations(calls) == []
    # And it read in bulk: one Query of the force's partition, no per-person registry reads.
    operations = [op for _, op, _ in calls]
    assert operations.count("Query") == 1 and "GetItem" not in operations and "PutObject" not in operations


def test_changes_are_updates_and_a_changed_photo_is_a_new_version_of_the_same_key(stack, run, photos):
    assert run(THREE, "--photos", str(photos))[0] == 0
    old = record(stack, "MP6001")
    (photos / "haddad.png").write_bytes(png(99))
    lines = [THREE[0], THREE[1].replace("Brennan", "Brennan-Walsh"), THREE[2]]
    code, out, _ = run(lines, "--photos", str(photos))
    assert (code, out.splitlines()[-1]) == (0, "created 0, updated 2, unchanged 1, disabled 0")

    new = record(stack, "MP6001")
    assert new["photo"] == old["photo"] == "photos/met/MP6001.png"
    assert new["photo_version_id"] != old["photo_version_id"]
    versions = stack.session.client("s3").list_object_versions(
        Bucket=stack.settings.photos_bucket, Prefix="photos/met/")["Versions"]
    assert sorted(v["Key"] for v in versions) == ["photos/met/MP1902.jpg", "photos/met/MP6001.png",
                                                  "photos/met/MP6001.png", "photos/met/MP6003.png"]
    assert record(stack, "MP1902")["family_name"] == "Brennan-Walsh"

    changes = [e for e in audit_events(stack) if not e["data"]["created"]]
    assert [(e["data"]["officer_id"], e["data"]["changed_fields"]) for e in changes] == [
        ("MP1902", ["family_name"]), ("MP6001", ["photo"])]
    photo_change = changes[1]["data"]["photo"]
    assert photo_change["from"]["version_id"] == old["photo_version_id"]
    assert photo_change["to"] == {"key": "photos/met/MP6001.png", "version_id": new["photo_version_id"],
                                  "sha256": new["photo_sha256"]}
    assert "sign_in" not in changes[0]["data"]  # nothing the account holds changed


def test_an_empty_duty_keeps_a_sergeants_duty_and_an_empty_photo_keeps_the_photo(stack, run, photos):
    assert run(THREE, "--photos", str(photos))[0] == 0
    assert stack.deps.registry.set_duty("met", "MP1902", Duty.OFF_DUTY)  # she went off duty meanwhile
    without = THREE[1].replace(",available,brennan.jpg", ",,")
    code, out, _ = run([without])
    assert (code, out.splitlines()[-1]) == (0, "created 0, updated 0, unchanged 1, disabled 0")
    assert record(stack, "MP1902")["duty"] == "off_duty" and record(stack, "MP1902")["photo"] == "photos/met/MP1902.jpg"


# ---- suspension and reinstatement ------------------------------------------------------------

def _signed_in(stack, username: str) -> str:
    """A real session for the user: a permanent password, then USER_PASSWORD_AUTH; its refresh token."""
    cognito = stack.session.client("cognito-idp")
    pool = stack.settings.user_pool_id
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password="Demo-Passw0rd!", Permanent=True)
    client_id = cognito.list_user_pool_clients(UserPoolId=pool)["UserPoolClients"][0]["ClientId"]
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": "Demo-Passw0rd!"})
    return tokens["AuthenticationResult"]["RefreshToken"]


def _refresh(stack, refresh_token: str) -> dict[str, Any]:
    cognito = stack.session.client("cognito-idp")
    client_id = cognito.list_user_pool_clients(UserPoolId=stack.settings.user_pool_id)["UserPoolClients"][0]["ClientId"]
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": refresh_token})


@pytest.mark.parametrize("status", ["suspended", "left"])
def test_suspended_or_left_is_disabled_and_signed_out_then_serving_enables(stack, run, photos, calls, status):
    assert run(THREE, "--photos", str(photos))[0] == 0
    refresh_token = _signed_in(stack, "mp6001")
    assert _refresh(stack, refresh_token)["AuthenticationResult"]["IdToken"]
    calls.clear()
    suspended = [THREE[0].replace(",serving,", f",{status},"), THREE[1], THREE[2]]
    code, out, _ = run(suspended, "--photos", str(photos))
    assert (code, out.splitlines()[-1]) == (0, "created 0, updated 1, unchanged 2, disabled 1")

    assert user(stack, "mp6001")["Enabled"] is False
    with pytest.raises(ClientError) as refused:  # every refresh token was revoked
        _refresh(stack, refresh_token)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    account_calls = [(op, p["Username"]) for _, op, p in calls if op.startswith("Admin") and "Username" in p
                     and not op.startswith(("AdminGet", "AdminList"))]
    assert account_calls == [("AdminUserGlobalSignOut", "mp6001"), ("AdminDisableUser", "mp6001")]
    assert record(stack, "MP6001")["status"] == status
    # The suspension was stored on its own, before the account was touched (not left in a batch).
    order = [op for _, op, _ in calls if op in ("PutItem", "AdminUserGlobalSignOut", "AdminDisableUser")]
    assert order == ["PutItem", "AdminUserGlobalSignOut", "AdminDisableUser"]
    (event,) = [e for e in audit_events(stack) if not e["data"]["created"]]
    assert event["data"]["changed_fields"] == ["status"] and event["data"]["sign_in"] == ["signed_out", "disabled"]

    assert (
        run(suspended, "--photos", str(photos))[1].splitlines()[-1] == "created 0, updated 0, unchanged 3, disabled 0"
    )
    code, out, _ = run(THREE, "--photos", str(photos))
    assert (code, out.splitlines()[-1]) == (0, "created 0, updated 1, unchanged 2, disabled 0")
    assert user(stack, "mp6001")["Enabled"] is True


def test_a_new_person_who_is_not_serving_gets_a_disabled_account_and_no_invitation(stack, run, calls):
    code, out, _ = run(["MP6100,Ian,Roe,PC,officer,left,,ian.roe@met.police.uk,,"])
    assert (code, out.splitlines()[-1]) == (0, "created 1, updated 0, unchanged 0, disabled 1")
    assert user(stack, "mp6100")["Enabled"] is False
    (create,) = [p for _, op, p in calls if op == "AdminCreateUser"]
    assert create["MessageAction"] == "SUPPRESS"
    assert "AdminUserGlobalSignOut" not in [op for _, op, _ in calls]  # a new account has no session to end


def test_the_account_gets_exactly_the_role_group_and_its_email_follows_the_file(stack, run, photos):
    assert run(THREE, "--photos", str(photos))[0] == 0
    cognito, pool = stack.session.client("cognito-idp"), stack.settings.user_pool_id
    cognito.create_group(UserPoolId=pool, GroupName="testers")
    for group in ("admin", "testers"):
        cognito.admin_add_user_to_group(UserPoolId=pool, Username="mp6001", GroupName=group)
    changed = [THREE[0].replace(",officer,", ",sergeant,").replace(",PC,", ",PS,").replace("noor.haddad@", "n.haddad@"),
               THREE[1], THREE[2]]
    code, out, _ = run(changed, "--photos", str(photos))
    assert (code, out.splitlines()[-1]) == (0, "created 0, updated 1, unchanged 2, disabled 0")
    noor = user(stack, "mp6001")
    assert noor["groups"] == ["sergeant"] and noor["attributes"]["email"] == "n.haddad@met.police.uk"
    assert noor["attributes"]["custom:officer_id"] == "MP6001"  # never changed
    (event,) = [e for e in audit_events(stack) if not e["data"]["created"]]
    assert event["data"]["sign_in"] == ["email", "group"] and "n.haddad" not in json.dumps(event)


# ---- writing nothing -----------------------------------------------------------------------

def test_a_dry_run_prints_the_same_summary_and_writes_nothing(stack, run, photos, calls):
    before = snapshot(stack)
    code, out, err = run(THREE, "--photos", str(photos), "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["dry run: nothing was written", "created 3, updated 0, unchanged 0, disabled 0"]
    assert snapshot(stack) == before and mutations(calls) == []
    assert run(THREE, "--photos", str(photos))[1].splitlines()[-1] == "created 3, updated 0, unchanged 0, disabled 0"


def test_an_invalid_file_writes_nothing_anywhere_and_names_every_bad_line(stack, run, photos, calls):
    (photos / "fake.jpg").write_bytes(b"GIF89a" + b"\0" * 40)
    before = snapshot(stack)
    calls.clear()
    lines = [
        THREE[0],
        "MP6002,Leah,Brennan,Sgt,sergeant,serving,,leah@met.police.uk,available,brennan.jpg",
        THREE[2].replace("osei.png", "fake.jpg"),
        "MP6004,Ann,Lee,PC,officer,on_leave,07700900604,ann.lee,,missing.png",
        THREE[0].replace("Noor", "Nour"),
    ]
    code, out, err = run(lines, "--photos", str(photos))
    assert code == 2
    assert err.splitlines() == [
        "line 3: rank: unknown rank 'Sgt'; one of PC, DC, PS, DS, Insp, DI, ChInsp, DCI, Supt, DSupt, ChSupt, DCS, "
        "ACC, DCC, CC, Cmdr, DAC, AC, DepCommr, Commr, PCSO, SC",
        "line 3: phone: required for sergeants (E.164, e.g. +447700900123)",
        "line 4: photo: fake.jpg: not a JPEG or PNG image (by its content)",
        "line 5: status: must be one of serving|suspended|left",
        "line 5: phone: must be E.164, e.g. +447700900123",
        "line 5: email: not a plausible email address",
        "line 5: photo: missing.png: no such file in the photo folder",
        "line 6: officer_id: MP6001 is already on line 2",
    ]
    assert out.splitlines()[-1].endswith("8 problem(s); nothing was written")
    assert calls == []  # refused before a single AWS call: not even a read
    assert snapshot(stack) == before


def test_an_account_that_is_someone_elses_refuses_the_import(stack, run, photos, calls):
    cognito = stack.session.client("cognito-idp")
    cognito.admin_create_user(UserPoolId=stack.settings.user_pool_id, Username="mp6003", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "custom:force", "Value": "wiltshire"},
                                              {"Name": "custom:officer_id", "Value": "MP6003"}])
    before = snapshot(stack)
    calls.clear()
    code, _, err = run(THREE, "--photos", str(photos))
    assert (code, err.splitlines()) == (2, [
        "line 4: officer_id: the sign-in name mp6003 is already another person's account in the user pool"])
    assert snapshot(stack) == before and mutations(calls) == []


def test_an_unreadable_file_or_photo_folder_is_refused(run, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["registry", "import", "--force", "met", str(tmp_path / "nope.csv")], out=out, err=err) == 2
    assert "cannot read" in err.getvalue()
    code, _, err_text = run(THREE, "--photos", str(tmp_path / "nowhere"))
    assert code == 2 and "is not a folder" in err_text


# ---- many rows -----------------------------------------------------------------------------

def _many(count: int, first: int = 0) -> list[str]:
    return [
        f"MT{i:05d},Given{i},Family{i},PC,officer,serving,,officer{i}@met.police.uk,,"
        for i in range(first, first + count)
    ]


def test_a_large_file_reads_in_bulk_writes_in_batches_and_shows_progress(stack, run, calls):
    code, out, err = run(_many(130))
    assert (code, out.splitlines()[-1]) == (0, "created 130, updated 0, unchanged 0, disabled 0")
    operations = [(service, op) for service, op, _ in calls]
    # Accounts listed page by page (60 a page), never read one by one; records and events batched.
    assert ("cognito-idp", "AdminGetUser") not in operations and ("cognito-idp", "ListUsers") in operations
    batches = [p for _, op, p in calls if op == "BatchWriteItem"]
    assert len(batches) == 2 * 6 and all(len(next(iter(p["RequestItems"].values()))) <= 25 for p in batches)
    assert ("dynamodb", "PutItem") not in operations
    assert err.startswith("\r[") and err.rstrip().endswith("130/130 rows") and err.endswith("\n")
    assert len(stack.deps.registry.in_force("met")) == 130 + 10  # the seeded ten are still there
    calls.clear()
    code, out, err = run(_many(130))
    assert out.splitlines()[-1] == "created 0, updated 0, unchanged 130, disabled 0" and mutations(calls) == []


def test_small_files_show_no_progress_bar(run):
    code, _, err = run(_many(100))
    assert (code, err) == (0, "")


def test_unprocessed_batch_items_are_sent_again(stack, run, calls):
    sent_back = []

    class Accepted:
        status_code = 200

    def unprocessed_once(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if not sent_back:  # DynamoDB, busy, takes none of the first batch: it must be sent again
            items = json.loads(params["body"])["RequestItems"]
            sent_back.append(items)
            return Accepted(), {"UnprocessedItems": items, "ResponseMetadata": {"HTTPStatusCode": 200}}
        return None

    events = stack.session._session.get_component("event_emitter")
    events.register_first("before-call.dynamodb.BatchWriteItem", unprocessed_once)
    try:
        assert run(_many(30))[0] == 0
    finally:
        events.unregister("before-call.dynamodb.BatchWriteItem", unprocessed_once)
    assert sent_back and len(stack.deps.registry.in_force("met")) == 30 + 10
    assert len(audit_events(stack)) == 30


def test_the_import_asks_botocore_to_pace_itself_when_throttled(stack, run):
    assert run(_many(1))[0] == 0
    (deps,) = run.built
    for client in (deps.dynamodb, deps.s3, deps.users._client):
        # max_attempts counts retries; botocore stores the total (the first attempt included).
        assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 11}
        assert client.meta.config.read_timeout == 120
    api = type(deps)(stack.settings, session=stack.session)  # what the Lambda functions build
    assert api.dynamodb.meta.config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert api.sns.meta.config.retries == {"mode": "standard", "total_max_attempts": 2}


def test_a_run_stopped_by_aws_keeps_what_it_did_and_the_same_file_finishes_it(stack, run, photos):
    def cognito_fails_for_mp1902(params: dict[str, Any], **_: Any) -> None:
        if json.loads(params["body"]).get("Username") == "mp1902":
            raise ClientError({"Error": {"Code": "InternalErrorException", "Message": "down"}}, "AdminCreateUser")

    events = stack.session._session.get_component("event_emitter")
    events.register_first("before-call.cognito-idp.AdminCreateUser", cognito_fails_for_mp1902)
    try:
        code, _out, err = run(THREE, "--photos", str(photos))
    finally:
        events.unregister("before-call.cognito-idp.AdminCreateUser", cognito_fails_for_mp1902)
    assert code == 1 and "stopped by AWS (InternalErrorException)" in err and "run the same file again" in err
    # Her record was stored before her account failed, and the failure is in the audit log.
    assert record(stack, "MP1902")["status"] == "serving"
    (failed,) = [e for e in audit_events(stack) if e["data"]["officer_id"] == "MP1902"]
    assert failed["data"]["sign_in_failed"] == "InternalErrorException" and "sign_in" not in failed["data"]
    code, _out, _ = run(THREE, "--photos", str(photos))
    assert code == 0 and user(stack, "mp1902")["groups"] == ["sergeant"]
    assert run(THREE, "--photos", str(photos))[1].splitlines()[-1] == "created 0, updated 0, unchanged 3, disabled 0"


# ---- the local stack's invitations ---------------------------------------------------------

def test_with_an_invitation_file_the_temporary_password_is_set_and_written_there(stack, tmp_path):
    from chalicelib.adapters.cognito_users import InvitationFile
    from chalicelib.services.registry_import import import_registry

    path = tmp_path / "invitations.jsonl"
    deps = bootstrap.Dependencies(stack.settings, clock=stack.clock, session=stack.session,
                                  invitations=InvitationFile(path))
    data = ("\n".join([HEAD, *(line.rsplit(",", 1)[0] + "," for line in THREE)]) + "\n").encode()
    assert str(import_registry(deps, "met", data)) == "created 3, updated 0, unchanged 0, disabled 0"
    invitations = sorted((json.loads(line) for line in path.read_text().splitlines()), key=lambda i: i["username"])
    assert [i["username"] for i in invitations] == ["mp1902", "mp6001", "mp6003"]
    leah = invitations[0]
    assert {k: leah[k] for k in ("force", "officer_id", "rank", "given_name", "family_name", "role", "email")} == {
        "force": "met", "officer_id": "MP1902", "rank": "PS", "given_name": "Leah", "family_name": "Brennan",
        "role": "sergeant", "email": "leah.brennan@met.police.uk"}
    cognito = stack.session.client("cognito-idp")
    client_id = cognito.list_user_pool_clients(UserPoolId=stack.settings.user_pool_id)["UserPoolClients"][0]["ClientId"]
    first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "mp1902", "PASSWORD": leah["temporary_password"]})
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert user(stack, "mp1902")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    # Re-running sends nobody a second invitation.
    assert str(import_registry(deps, "met", data)) == "created 0, updated 0, unchanged 3, disabled 0"
    assert len(path.read_text().splitlines()) == 3



def test_a_sergeant_suspended_by_import_hands_back_the_check_they_accepted(stack, run, photos, monkeypatch):
    """SPEC §7.2 through the import: the check waits for another sergeant, the control room is told.

    The import runs with the app's settings (alerts topic, timers, Chime), as `--stack` gives it
    locally and the runbook asks for in AWS; here they are the test stack's own."""
    built = bootstrap.Dependencies

    def with_the_apps_side_effects(*args: Any, **kwargs: Any) -> bootstrap.Dependencies:
        deps = built(*args, **kwargs)
        deps.settings = deps.settings.model_copy(update={"alerts_topic_arn": stack.settings.alerts_topic_arn})
        deps.timers, deps.meetings = stack.deps.timers, stack.deps.meetings
        return deps

    monkeypatch.setattr(bootstrap, "Dependencies", with_the_apps_side_effects)
    assert run(THREE, "--photos", str(photos))[0] == 0
    status, started = stack.call("POST", "/verifications", "MP4721",
                                 {"location": {"lat": 51.539, "lon": -0.1426}, "area": "Camden High St"})
    assert status == 201, started
    vid = started["verification_id"]
    status, accepted = stack.call("POST", f"/verifications/{vid}/accept",
                                  headers=stack.tokens.header("sergeant", "met", "MP1902"), body={})
    assert status == 200, accepted
    stack.alerts()

    suspended = [THREE[0], THREE[1].replace(",serving,", ",suspended,"), THREE[2]]
    code, out, _ = run(suspended, "--photos", str(photos))
    assert (code, out.splitlines()[-1]) == (0, "created 0, updated 1, unchanged 2, disabled 1")

    stored = stack.deps.verifications.get(vid)
    assert stored.status.value == "awaiting_sergeant" and stored.sergeant is None
    assert [a["sergeant_id"] for a in stack.alerts() if a.get("handed_back")] == ["MP1902"]
    decide = {"headers": stack.tokens.header("sergeant", "met", "MP1902"), "body": {"outcome": "confirmed"}}
    # The API's container may trust its registry answer for a minute: the check is no longer theirs anyway.
    status, body = stack.call("POST", f"/verifications/{vid}/outcome", **decide)
    assert (status, body["error"]["code"]) == (409, "invalid_state")
    stack.clock.advance(seconds=stack.settings.registry_cache_seconds + 1)
    status, body = stack.call("POST", f"/verifications/{vid}/outcome", **decide)
    assert (status, body["error"]["code"]) == (403, "officer_not_serving")
