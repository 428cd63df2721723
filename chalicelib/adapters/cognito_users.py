"""Cognito user pool: the sign-in accounts of the registry's people (AdminGetUser & co.).

Reads: one account (`get`: AdminGetUser + AdminListGroupsForUser), or many at once (`accounts`:
ListUsers + ListUsersInGroup per group, 60 a page, so 30,000 people cost about 500 pages rather
than 60,000 calls). Writes change only what differs (the caller decides what, see
domain/sign_in.py). Throttling is botocore's job: the client is built with its retry modes.

Invitations: in AWS, Cognito generates the temporary password and emails the invitation. Where
no mail leaves (the local stack), an `InvitationFile` is given: the password is generated here,
set without a message, and the invitation is handed to that file instead.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError

from ..domain.sign_in import SignInAccount

# Under this many people, reading each account is cheaper than listing the whole pool.
LIST_WHOLE_POOL_FROM = 100
PAGE = 60  # the most ListUsers and ListUsersInGroup return per page


class InvitationOutbox(Protocol):
    def deliver(self, invitation: dict[str, Any]) -> None: ...


class InvitationFile:
    """Invitations as JSON lines appended to a file (`make run` prints each as it arrives).

    One line per invitation: {"username", "temporary_password", "force", "officer_id", "rank",
    "given_name", "family_name", "role", "email"}.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()

    def deliver(self, invitation: dict[str, Any]) -> None:
        line = json.dumps(invitation, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock, open(self._path, "a", encoding="utf-8") as out:
            out.write(line)


def temporary_password() -> str:
    """16 random characters meeting the deployed pool's policy (upper, lower, digit, symbol)."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(12))
    return core + secrets.choice(string.ascii_uppercase) + secrets.choice(string.ascii_lowercase) + \
        secrets.choice(string.digits) + secrets.choice("!#%+-=?@^_")


def _attributes(pairs: Iterable[dict[str, str]]) -> dict[str, str]:
    return {pair["Name"]: pair["Value"] for pair in pairs}


class CognitoUserDirectory:
    """The user pool's accounts, read and changed for the registry (never by the users themselves)."""

    def __init__(self, client: Any, user_pool_id: str, invitations: InvitationOutbox | None = None) -> None:
        if not user_pool_id:
            raise RuntimeError("USER_POOL_ID is not set: the registry cannot keep sign-in accounts in step")
        self._client = client
        self._pool = user_pool_id
        self._invitations = invitations

    # ---- reads -----------------------------------------------------------------------------

    def get(self, username: str) -> SignInAccount | None:
        try:
            user = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
        except ClientError as error:
            if error.response["Error"]["Code"] == "UserNotFoundException":
                return None
            raise
        groups: set[str] = set()
        kwargs: dict[str, Any] = {"UserPoolId": self._pool, "Username": username, "Limit": PAGE}
        while True:
            page = self._client.admin_list_groups_for_user(**kwargs)
            groups.update(group["GroupName"] for group in page.get("Groups", []))
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        return self._account(user["Username"], user.get("UserAttributes", []), user, frozenset(groups))

    def accounts(self, usernames: Iterable[str]) -> dict[str, SignInAccount]:
        """The accounts of these usernames that exist, read the cheaper way for how many are asked."""
        wanted = set(usernames)
        if len(wanted) < LIST_WHOLE_POOL_FROM:
            found = {name: self.get(name) for name in sorted(wanted)}
            return {name: account for name, account in found.items() if account is not None}
        members: dict[str, set[str]] = {}
        for group in self._pages("list_groups", "Groups", {"UserPoolId": self._pool}, "NextToken"):
            name = group["GroupName"]
            for user in self._pages("list_users_in_group", "Users",
                                    {"UserPoolId": self._pool, "GroupName": name}, "NextToken"):
                members.setdefault(user["Username"], set()).add(name)
        accounts = {}
        for user in self._pages("list_users", "Users", {"UserPoolId": self._pool}, "PaginationToken"):
            if user["Username"] in wanted:
                accounts[user["Username"]] = self._account(
                    user["Username"], user.get("Attributes", []), user, frozenset(members.get(user["Username"], ())))
        return accounts

    def _pages(self, operation: str, key: str, kwargs: dict[str, Any], token: str) -> Iterator[dict[str, Any]]:
        kwargs = {**kwargs, "Limit": PAGE}
        while True:
            page = getattr(self._client, operation)(**kwargs)
            yield from page.get(key, [])
            if not page.get(token):
                return
            kwargs[token] = page[token]

    @staticmethod
    def _account(username: str, pairs: Iterable[dict[str, str]], user: dict[str, Any],
                 groups: frozenset[str]) -> SignInAccount:
        attributes = _attributes(pairs)
        return SignInAccount(
            username=username,
            force=attributes.get("custom:force"),
            officer_id=attributes.get("custom:officer_id"),
            email=attributes.get("email"),
            enabled=bool(user.get("Enabled", True)),
            groups=groups,
            status=user.get("UserStatus", ""),
        )

    # ---- writes ----------------------------------------------------------------------------

    def create(self, username: str, force: str, officer_id: str, email: str, group: str, *,
               invite: bool, who: dict[str, Any]) -> SignInAccount:
        """A new account in `group`; `custom:force` and `custom:officer_id` are set here, once.

        With `invite`, the person is sent their sign-in name and a temporary password (by Cognito's
        email, or through the invitation outbox); without, nothing is sent (someone not serving)."""
        request: dict[str, Any] = {
            "UserPoolId": self._pool,
            "Username": username,
            "UserAttributes": [
                {"Name": "email", "Value": email},
                # The force vouches for the address: the invitation and any reset go there.
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:force", "Value": force},
                {"Name": "custom:officer_id", "Value": officer_id},
            ],
        }
        password = None
        if not invite:
            request["MessageAction"] = "SUPPRESS"
        elif self._invitations is not None:
            password = temporary_password()
            request.update(MessageAction="SUPPRESS", TemporaryPassword=password)
        else:
            request["DesiredDeliveryMediums"] = ["EMAIL"]
        self._client.admin_create_user(**request)
        self._client.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=group)
        if password is not None and self._invitations is not None:
            self._invitations.deliver({"username": username, "temporary_password": password, **who})
        return SignInAccount(username, force, officer_id, email, True, frozenset({group}), "FORCE_CHANGE_PASSWORD")

    def set_email(self, username: str, email: str) -> None:
        self._client.admin_update_user_attributes(
            UserPoolId=self._pool, Username=username,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )

    def set_group(self, username: str, current: Iterable[str], group: str) -> None:
        """Exactly one group: `group` added if missing, every other one removed."""
        current = set(current)
        if group not in current:
            self._client.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=group)
        for other in sorted(current - {group}):
            self._client.admin_remove_user_from_group(UserPoolId=self._pool, Username=username, GroupName=other)

    def enable(self, username: str) -> None:
        self._client.admin_enable_user(UserPoolId=self._pool, Username=username)

    def sign_out_everywhere(self, username: str) -> None:
        """Refresh tokens stop working; ID tokens run out within the hour (the registry refuses them)."""
        self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)

    def disable(self, username: str) -> None:
        self._client.admin_disable_user(UserPoolId=self._pool, Username=username)
