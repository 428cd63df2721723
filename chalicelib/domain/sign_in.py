"""A person's sign-in account (Cognito) follows their registry record.

The registry decides; the account is made to agree: one group, the record's role; enabled only
while serving; a suspension or departure also ends every session. Pure: what to change, not how.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .registry import RegistryRecord


def username_for(officer_id: str) -> str:
    """The sign-in name of an officer id (lower case, as the local stack's demo users have)."""
    return officer_id.lower()


@dataclass(frozen=True)
class SignInAccount:
    """What the user pool holds for one user (attributes the app relies on, groups, enabled)."""

    username: str
    force: str | None
    officer_id: str | None
    email: str | None
    enabled: bool
    groups: frozenset[str]
    status: str = "CONFIRMED"

    def belongs_to(self, force: str, officer_id: str) -> bool:
        """`custom:force` and `custom:officer_id` are set once, at creation: they name the person."""
        return self.force == force and self.officer_id == officer_id


class AccountChange(enum.StrEnum):
    """One change to an account, in the order they are made (names only: they are audited)."""

    CREATED = "created"
    EMAIL = "email"
    GROUP = "group"
    ENABLED = "enabled"
    SIGNED_OUT = "signed_out"
    DISABLED = "disabled"


def account_changes(account: SignInAccount | None, record: RegistryRecord, email: str | None) -> list[AccountChange]:
    """What must change so the account agrees with the record.

    `email` None leaves the address alone and never creates an account (`PUT /officers/{id}`
    carries no address); with an address, a missing account is created. A new account for someone
    not serving is created disabled; there is no session yet to end.
    """
    if account is None:
        if email is None:
            return []
        return [AccountChange.CREATED] + ([] if record.is_serving else [AccountChange.DISABLED])
    changes: list[AccountChange] = []
    if email is not None and account.email != email:
        changes.append(AccountChange.EMAIL)
    if account.groups != {record.role.value}:
        changes.append(AccountChange.GROUP)
    if record.is_serving and not account.enabled:
        changes.append(AccountChange.ENABLED)
    if not record.is_serving and account.enabled:
        changes += [AccountChange.SIGNED_OUT, AccountChange.DISABLED]
    return changes
