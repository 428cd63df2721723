"""Reading on fakes: who may see which check, and each read an audited consultation, logged once
per reader per check per 5-minute window (DPA 2018 s.62, SPEC §7.5)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.registry import Role
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, principal, sergeant, start_request
from tests.unit.factories import record, sergeant_record


def ids_listed(result: Any) -> list[str]:
    """The verification ids a listing answered with (a dict body today)."""
    items = result["items"] if isinstance(result, dict) else result
    return [item["verification_id"] if isinstance(item, dict) else item.verification_id for item in items]


@pytest.fixture
def deps(settings, clock):
    return fake_dependencies(settings, clock, [record(), record(officer_id="MP0002"), sergeant_record()])


def _started(deps, officer_id: str = "MP4721") -> str:
    services.start_verification(deps, officer(officer_id), start_request())
    return deps.verifications.active_verification_id("met", officer_id)


def _views(deps, vid: str) -> list[dict[str, Any]]:
    return [e for e in deps.verifications.events(vid) if e["type"] == "verification.viewed"]


def test_a_read_is_logged_once_per_reader_and_window(deps, clock):
    vid = _started(deps)

    services.get_verification(deps, officer("MP4721"), vid)
    clock.advance(seconds=3)
    services.get_verification(deps, officer("MP4721"), vid)  # the page polling
    clock.advance(seconds=297)
    services.get_verification(deps, officer("MP4721"), vid)  # the next window

    views = _views(deps, vid)
    assert len(views) == 2
    assert views[0]["actor"] == {"role": "officer", "officer_id": "MP4721"}
    assert views[0]["data"] == {"reason": "own_record"}


def test_each_reader_has_its_own_window(deps, clock):
    vid = _started(deps)

    services.get_verification(deps, officer("MP4721"), vid)
    services.get_verification(deps, sergeant("MS0815"), vid)
    services.get_verification(deps, principal("AU0001", Role.AUDITOR), vid)

    assert [(v["actor"]["officer_id"], v["data"]["reason"]) for v in _views(deps, vid)] == [
        ("MP4721", "own_record"), ("MS0815", "operational_supervision"), ("AU0001", "audit")]


def test_another_officer_or_another_forces_sergeant_sees_nothing_and_nothing_is_logged(deps, clock):
    vid = _started(deps)
    seq = deps.verifications.get(vid).audit_seq

    with pytest.raises(NotFound):
        services.get_verification(deps, officer("MP0002"), vid)
    with pytest.raises(NotFound):
        services.get_verification(deps, sergeant("KS0001", force="kent"), vid)
    with pytest.raises(NotFound):
        services.get_verification(deps, officer("MP4721"), "no-such-check")

    assert deps.verifications.get(vid).audit_seq == seq


def test_the_sergeants_queue_is_their_forces_oldest_first_and_each_listed_check_is_logged(deps, clock):
    first = _started(deps)
    clock.advance(seconds=5)
    second = _started(deps, "MP0002")

    listed = services.list_verifications(deps, sergeant("MS0815"), None)

    assert ids_listed(listed) == [first, second]
    for vid in (first, second):
        [view] = _views(deps, vid)
        assert view["data"] == {"reason": "operational_supervision", "via": "list"}
    assert ids_listed(services.list_verifications(deps, sergeant("KS0001", force="kent"), None)) == []
    services.list_verifications(deps, sergeant("MS0815"), "awaiting_sergeant")
    assert len(_views(deps, first)) == 1  # inside the window: not logged again


def test_only_sergeants_list_and_only_known_statuses(deps, clock):
    with pytest.raises(Forbidden):
        services.list_verifications(deps, officer("MP4721"), None)
    with pytest.raises(ValidationFailed):
        services.list_verifications(deps, sergeant("MS0815"), "lost")
