"""In-memory user directory (the Cognito pool's accounts)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from chalicelib.domain.registry import Role
from chalicelib.domain.sign_in import SignInAccount
from tests.fakes.errors import aws_error


class FakeUserDirectory:
    """`accounts_by_name` maps username -> SignInAccount; `invitations` holds who was invited and
    `signed_out` who was signed out everywhere, in order. Missing users and groups are refused
    with Cognito's own errors, as the real directory lets them through."""

    def __init__(self, groups: Iterable[str] = tuple(role.value for role in Role)) -> None:
        self.accounts_by_name: dict[str, SignInAccount] = {}
        self.groups = set(groups)
        self.invitations: list[dict[str, Any]] = []
        self.signed_out: list[str] = []

    def add(self, account: SignInAccount) -> SignInAccount:
        """Test set-up: an account that already exists."""
        self.accounts_by_name[account.username] = account
        return account

    def _existing(self, username: str, operation: str) -> SignInAccount:
        if username not in self.accounts_by_name:
            raise aws_error("UserNotFoundException", operation)
        return self.accounts_by_name[username]

    def _group(self, group: str, operation: str) -> str:
        if group not in self.groups:
            raise aws_error("ResourceNotFoundException", operation)
        return group

    def _change(self, username: str, operation: str, **changes: Any) -> None:
        account = self._existing(username, operation)
        self.accounts_by_name[username] = dataclasses.replace(account, **changes)

    def get(self, username: str) -> SignInAccount | None:
        return self.accounts_by_name.get(username)

    def accounts(self, usernames: Iterable[str]) -> dict[str, SignInAccount]:
        return {name: self.accounts_by_name[name] for name in sorted(set(usernames)) if name in self.accounts_by_name}

    def create(self, username: str, force: str, officer_id: str, email: str, group: str, *,
               invite: bool, who: dict[str, Any]) -> SignInAccount:
        if username in self.accounts_by_name:
            raise aws_error("UsernameExistsException", "AdminCreateUser")
        self._group(group, "AdminAddUserToGroup")
        account = SignInAccount(username, force, officer_id, email, True, frozenset({group}), "FORCE_CHANGE_PASSWORD")
        self.accounts_by_name[username] = account
        if invite:
            self.invitations.append({"username": username, **who})
        return account

    def set_email(self, username: str, email: str) -> None:
        self._change(username, "AdminUpdateUserAttributes", email=email)

    def set_group(self, username: str, current: Iterable[str], group: str) -> None:
        # As the real one: `group` added if missing, every other group the caller named removed.
        account = self._existing(username, "AdminAddUserToGroup")
        self._group(group, "AdminAddUserToGroup")
        groups = (set(account.groups) | {group}) - (set(current) - {group})
        self._change(username, "AdminAddUserToGroup", groups=frozenset(groups))

    def enable(self, username: str) -> None:
        self._change(username, "AdminEnableUser", enabled=True)

    def sign_out_everywhere(self, username: str) -> None:
        self._existing(username, "AdminUserGlobalSignOut")
        self.signed_out.append(username)

    def disable(self, username: str) -> None:
        self._change(username, "AdminDisableUser", enabled=False)
