"""SPEC §2: a principal has exactly one known role, from cognito:groups; otherwise no role at all."""

from __future__ import annotations

import pytest

from chalicelib.adapters.identity import principal_from_claims
from chalicelib.domain.access import Principal
from chalicelib.domain.registry import Role


def claims(groups, force="met", officer_id="MP4721", **extra):
    body = {"sub": "0b7c-sub", "custom:force": force, "custom:officer_id": officer_id, **extra}
    if groups is not ...:
        body["cognito:groups"] = groups
    return body


@pytest.mark.parametrize("role", list(Role))
def test_single_known_role(role):
    assert principal_from_claims(claims([role.value])) == Principal(
        subject="0b7c-sub", role=role, force="met", officer_id="MP4721"
    )


def test_group_given_as_a_single_string():
    assert principal_from_claims(claims("sergeant")).role is Role.SERGEANT


def test_known_role_alongside_unknown_groups():
    assert principal_from_claims(claims(["met-users", "officer"])).role is Role.OFFICER


def test_repeated_group_is_still_one_role():
    assert principal_from_claims(claims(["auditor", "auditor"])).role is Role.AUDITOR


@pytest.mark.parametrize(
    "groups",
    [
        ["officer", "sergeant"],
        ["sergeant", "admin"],
        ["officer", "sergeant", "admin", "auditor"],
    ],
)
def test_several_roles_means_no_role(groups):
    principal = principal_from_claims(claims(groups))
    assert principal.role is None
    # Identity is still carried, but with no role it can do nothing.
    assert (principal.force, principal.officer_id) == ("met", "MP4721")


@pytest.mark.parametrize(
    "groups",
    [["superuser"], ["Officer"], ["SERGEANT"], ["officers"], [], None, "", ...],
    ids=["superuser", "Officer", "SERGEANT", "officers", "empty", "null", "empty-string", "absent"],
)
def test_unknown_or_missing_group_means_no_role(groups):
    assert principal_from_claims(claims(groups)).role is None


@pytest.mark.parametrize("force", [None, ""])
def test_missing_force_means_no_role(force):
    body = claims(["officer"], force=force)
    if force is None:
        del body["custom:force"]
    assert principal_from_claims(body).role is None


@pytest.mark.parametrize("officer_id", [None, ""])
def test_missing_officer_id_means_no_role(officer_id):
    body = claims(["sergeant"], officer_id=officer_id)
    if officer_id is None:
        del body["custom:officer_id"]
    assert principal_from_claims(body).role is None


def test_other_claims_are_ignored():
    principal = principal_from_claims(claims(["admin"], force="wilts", officer_id="WA7", email="a@b.c"))
    assert principal == Principal(subject="0b7c-sub", role=Role.ADMIN, force="wilts", officer_id="WA7")
