"""UserDirectory contract: FakeUserDirectory and CognitoUserDirectory on moto."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.ports import UserDirectory
from tests.contract.conftest import BACKENDS
from tests.fakes import FakeUserDirectory

WHO = {"force": "met", "officer_id": "MP4721", "rank": "PC", "given_name": "Sam", "family_name": "Jones"}


@pytest.fixture(params=BACKENDS)
def users(request: pytest.FixtureRequest, boto_session: Any) -> UserDirectory:
    if request.param == "fake":
        return FakeUserDirectory()
    from chalicelib.adapters.cognito_users import CognitoUserDirectory
    from chalicelib.local import seed

    request.getfixturevalue("aws")
    cognito = boto_session.client("cognito-idp")
    pool_id, _ = seed.create_user_pool(cognito)
    return CognitoUserDirectory(cognito, pool_id)


def test_a_created_account_names_its_person_and_group(users):
    assert users.get("mp4721") is None

    created = users.create("mp4721", "met", "MP4721", "sam.jones@met.example", "officer", invite=True, who=WHO)
    found = users.get("mp4721")

    assert found is not None
    assert (found.username, found.force, found.officer_id, found.email) == (
        "mp4721", "met", "MP4721", "sam.jones@met.example")
    assert found.enabled is True and found.groups == frozenset({"officer"}) == created.groups
    assert found.belongs_to("met", "MP4721")


def test_a_second_account_of_the_same_name_is_refused(users):
    users.create("mp4721", "met", "MP4721", "a@met.example", "officer", invite=False, who=WHO)

    with pytest.raises(ClientError) as raised:
        users.create("mp4721", "met", "MP4721", "b@met.example", "officer", invite=False, who=WHO)

    assert raised.value.response["Error"]["Code"] == "UsernameExistsException"
    assert users.get("mp4721").email == "a@met.example"


def test_group_email_and_enabled_follow_the_changes(users):
    users.create("ms0815", "met", "MS0815", "old@met.example", "officer", invite=False, who=WHO)

    users.set_group("ms0815", {"officer"}, "sergeant")
    users.set_email("ms0815", "new@met.example")
    users.disable("ms0815")
    disabled = users.get("ms0815")
    users.enable("ms0815")
    users.sign_out_everywhere("ms0815")

    assert disabled.enabled is False and disabled.groups == frozenset({"sergeant"})
    assert disabled.email == "new@met.example"
    assert users.get("ms0815").enabled is True


def test_accounts_lists_only_those_that_exist(users):
    users.create("mp0001", "met", "MP0001", "a@met.example", "officer", invite=False, who=WHO)
    users.create("mp0002", "met", "MP0002", "b@met.example", "admin", invite=False, who=WHO)

    found = users.accounts(["mp0001", "mp0002", "mp9999"])

    assert sorted(found) == ["mp0001", "mp0002"]
    assert found["mp0002"].groups == frozenset({"admin"})


def test_changing_a_missing_account_is_refused(users):
    with pytest.raises(ClientError) as raised:
        users.disable("nobody")
    assert raised.value.response["Error"]["Code"] == "UserNotFoundException"
