"""SPEC §2 and §4: who may see a verification; everyone else gets not_found, never forbidden."""

from __future__ import annotations

import pytest

from chalicelib.domain.access import Principal, ensure_can_view, ensure_control_room_of, require_role
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.registry import Role

from .factories import verification

V = verification()  # force met, officer MP4721


def principal(role: Role | None, force: str = "met", officer_id: str = "MX0001") -> Principal:
    return Principal(subject="sub-1", role=role, force=force, officer_id=officer_id)


VISIBLE = [
    principal(Role.OFFICER, officer_id="MP4721"),
    principal(Role.SERGEANT),
    principal(Role.SERGEANT, officer_id="MP4721"),
    principal(Role.ADMIN),
    principal(Role.AUDITOR),
]
HIDDEN = [
    principal(Role.OFFICER, officer_id="MP9999"),  # another officer of the same force
    principal(Role.OFFICER, force="wilts", officer_id="MP4721"),  # same number, other force
    principal(Role.SERGEANT, force="wilts"),
    principal(Role.ADMIN, force="wilts"),
    principal(Role.AUDITOR, force="police-scotland"),
    principal(None),
    principal(None, officer_id="MP4721"),
    principal(Role.SERGEANT, force="MET"),  # forces are exact identifiers
    principal(Role.ADMIN, force=""),
]


@pytest.mark.parametrize("who", VISIBLE, ids=lambda p: f"{p.role}-{p.force}-{p.officer_id}")
def test_allowed_viewers(who):
    assert ensure_can_view(who, V) is None


@pytest.mark.parametrize("who", HIDDEN, ids=lambda p: f"{p.role}-{p.force}-{p.officer_id}")
def test_everyone_else_gets_not_found(who):
    with pytest.raises(NotFound) as raised:
        ensure_can_view(who, V)
    assert raised.value.code == "not_found"
    assert not isinstance(raised.value, Forbidden)


@pytest.mark.parametrize(
    ("role", "allowed", "ok"),
    [
        (Role.OFFICER, (Role.OFFICER,), True),
        (Role.SERGEANT, (Role.OFFICER,), False),
        (Role.ADMIN, (Role.ADMIN, Role.AUDITOR), True),
        (Role.AUDITOR, (Role.ADMIN, Role.AUDITOR), True),
        (Role.OFFICER, (Role.ADMIN, Role.AUDITOR), False),
        (None, (Role.OFFICER, Role.SERGEANT, Role.ADMIN, Role.AUDITOR), False),
        (Role.SERGEANT, (), False),
    ],
)
def test_require_role(role, allowed, ok):
    who = principal(role)
    if ok:
        assert require_role(who, *allowed) is None
    else:
        with pytest.raises(Forbidden) as raised:
            require_role(who, *allowed)
        assert raised.value.code == "forbidden"


def test_principal_is_immutable():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        principal(Role.OFFICER).role = Role.ADMIN  # type: ignore[misc]


def test_the_control_room_acts_on_its_own_forces_checks_only():
    """SPEC §7.3: another force's check is not found; any other role is forbidden."""
    check = verification()
    ensure_control_room_of(Principal("s", Role.CONTROL_ROOM, "met", "MC1"), check)
    with pytest.raises(NotFound):
        ensure_control_room_of(Principal("s", Role.CONTROL_ROOM, "kent", "KC1"), check)
    for role in (Role.SERGEANT, Role.OFFICER, Role.ADMIN, Role.AUDITOR, None):
        with pytest.raises(Forbidden):
            ensure_control_room_of(Principal("s", role, "met", "MC1"), check)
