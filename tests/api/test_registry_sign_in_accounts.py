"""`PUT /officers/{id}` keeps the person's Cognito account in step, under the API function's role.

The same shared change as `registry import` (services/registry.py apply_registry_change): a
suspension through the API disables the account and ends every session; a role change moves the
group; an account that is not this force's officer is never touched; an unchanged PUT does nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

MP4721 = {"given_name": "Sam", "family_name": "Jones", "rank": "PC", "status": "serving", "role": "officer",
          "phone": "+447700900001", "photo": "photos/met/MP4721.png", "duty": None}


def _account(stack, username: str, force: str, officer_id: str, group: str) -> str:
    """An account with a live session; returns its refresh token."""
    cognito, pool = stack.session.client("cognito-idp"), stack.settings.user_pool_id
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "custom:force", "Value": force}, {"Name": "custom:officer_id", "Value": officer_id}])
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password="Demo-Passw0rd!", Permanent=True)
    client_id = cognito.list_user_pool_clients(UserPoolId=pool)["UserPoolClients"][0]["ClientId"]
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": "Demo-Passw0rd!"})
    return tokens["AuthenticationResult"]["RefreshToken"]


def _state(stack, username: str) -> dict[str, Any]:
    cognito, pool = stack.session.client("cognito-idp"), stack.settings.user_pool_id
    user = cognito.admin_get_user(UserPoolId=pool, Username=username)
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=username)["Groups"]
    return {"enabled": user["Enabled"], "groups": sorted(g["GroupName"] for g in groups),
            "modified": user["UserLastModifiedDate"]}


def _refresh(stack, token: str) -> Any:
    cognito = stack.session.client("cognito-idp")
    client_id = cognito.list_user_pool_clients(UserPoolId=stack.settings.user_pool_id)["UserPoolClients"][0]["ClientId"]
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}
    )


@pytest.fixture
def account_calls(stack):
    """Cognito operations made under the API function's role (not the test's own set-up)."""
    made: list[tuple[str, str | None]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        if stack.identity.running == "APIHandler":
            made.append((model.name, params.get("Username")))

    events = stack.session._session.get_component("event_emitter")
    events.register("provide-client-params.cognito-idp.*", record)
    yield made
    events.unregister("provide-client-params.cognito-idp.*", record)


def test_a_suspension_through_the_api_disables_the_account_and_ends_its_sessions(stack, account_calls):
    token = _account(stack, "mp4721", "met", "MP4721", "officer")
    status, body = stack.call("PUT", "/officers/MP4721", "MP0001", {**MP4721, "status": "suspended"})
    assert (status, body["status"]) == (200, "suspended")
    assert _state(stack, "mp4721")["enabled"] is False
    with pytest.raises(ClientError) as refused:
        _refresh(stack, token)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert account_calls == [("AdminGetUser", "mp4721"), ("AdminListGroupsForUser", "mp4721"),
                             ("AdminUserGlobalSignOut", "mp4721"), ("AdminDisableUser", "mp4721")]
    (event,) = _changes(stack)
    assert event["data"]["changed_fields"] == ["status"] and event["data"]["sign_in"] == ["signed_out", "disabled"]
    # The registry record itself says suspended (the registry decides on every request).
    assert stack.deps.registry.get("met", "MP4721").status.value == "suspended"


def test_reinstated_with_another_role_the_account_is_enabled_in_that_group_only(stack):
    _account(stack, "mp4721", "met", "MP4721", "officer")
    assert stack.call("PUT", "/officers/MP4721", "MP0001", {**MP4721, "status": "suspended"})[0] == 200
    stack.clock.advance(minutes=1)  # the two events sort in call order
    as_sergeant = {**MP4721, "role": "sergeant", "rank": "PS", "duty": "available"}
    assert stack.call("PUT", "/officers/MP4721", "MP0001", as_sergeant)[0] == 200
    assert _state(stack, "mp4721") | {"modified": None} == {"enabled": True, "groups": ["sergeant"], "modified": None}
    assert [e["data"]["sign_in"] for e in _changes(stack)] == [["signed_out", "disabled"], ["group", "enabled"]]


def test_an_unchanged_put_writes_calls_and_audits_nothing(stack, account_calls):
    _account(stack, "mp4721", "met", "MP4721", "officer")
    _status, record = stack.call("GET", "/officers/MP4721", "MP0001")
    fields = {k: v for k, v in record.items() if k not in ("officer_id", "force")}
    before = _state(stack, "mp4721")
    account_calls.clear()
    assert stack.call("PUT", "/officers/MP4721", "MP0001", fields)[0] == 200
    assert [op for op, _ in account_calls] == ["AdminGetUser", "AdminListGroupsForUser"]  # reads only
    assert _state(stack, "mp4721") == before and _changes(stack) == []


def test_another_forces_admin_never_touches_this_forces_account(stack, account_calls):
    """Wiltshire's admin writes a Wiltshire record MP4721; the pool's mp4721 is the Met's officer."""
    _account(stack, "mp4721", "met", "MP4721", "officer")
    before = _state(stack, "mp4721")
    # (no photo: a new record's photo must be an object already in the bucket, and the test stack uploads none)
    wiltshire = {**MP4721, "status": "suspended", "photo": None}
    assert stack.call("PUT", "/officers/MP4721", "WP0101", wiltshire)[0] == 200
    assert _state(stack, "mp4721") == before
    assert [op for op, _ in account_calls] == ["AdminGetUser", "AdminListGroupsForUser"]
    (event,) = _changes(stack)
    assert event["force"] == "wiltshire" and "sign_in" not in event["data"]


def test_without_an_account_the_record_still_changes(stack, account_calls):
    status, _ = stack.call("PUT", "/officers/MP5102", "MP0001", {**MP4721, "given_name": "Priya", "family_name": "Shah",
                                                                 "rank": "DC", "status": "left", "phone": None,
                                                                 "photo": None})
    assert status == 200 and stack.deps.registry.get("met", "MP5102").status.value == "left"
    assert account_calls == [("AdminGetUser", "mp5102")]  # no account: nothing more to do
    assert _changes(stack)[0]["data"]["changed_fields"] == ["phone", "photo", "status"]


def _changes(stack) -> list[dict[str, Any]]:
    items = stack.session.client("dynamodb").scan(TableName=stack.settings.verifications_table)["Items"]
    events = [json.loads(i["event_json"]["S"]) for i in items if "event_json" in i]
    return sorted((e for e in events if e["type"] == "registry.changed"), key=lambda e: e["at"] + e["event_id"])
