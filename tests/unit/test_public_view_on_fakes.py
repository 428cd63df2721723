"""The public view on fakes: found by the reference as typed, nothing personal shown, misses limited
per client address, and a citizen who found her check keeps watching it whatever else the address does."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from chalicelib.api.presenters import public_body
from chalicelib.domain.errors import NotFound, RateLimited
from chalicelib.schemas import OutcomeRequest
from tests.fakes import fake_dependencies
from tests.integration.helpers import officer, sergeant, start_request
from tests.unit.factories import record, sergeant_record

ADDRESS = "203.0.113.7"


def shown(result: Any) -> dict[str, Any]:
    """The public view as the citizen's page and API present it."""
    return public_body(result)


@pytest.fixture
def deps(settings, clock):
    limited = settings.model_copy(update={"public_views_per_minute": 2})
    return fake_dependencies(limited, clock, [record(photo="met/MP4721.jpg"), sergeant_record()])


def _reference(deps) -> tuple[str, str]:
    services.start_verification(deps, officer("MP4721"), start_request())
    vid = deps.verifications.active_verification_id("met", "MP4721")
    return vid, deps.verifications.get(vid).reference


def _typed(reference: str) -> str:
    """As a person reads it out: lower case, spaces for dashes."""
    return reference.lower().replace("-", " ")


def test_a_reference_typed_in_lower_case_with_spaces_finds_the_check(deps, clock):
    _, reference = _reference(deps)

    view = shown(services.public_view(deps, _typed(reference)))

    assert view["reference"] == reference and view["status"] == "awaiting_sergeant"
    assert view["officer"]["officer_id"] == "MP4721" and view["officer"]["family_name"] == "Jones"
    assert view["officer"]["photo_url"] == "https://photos.example/met/MP4721.jpg"
    assert view["confirmed_by"] is None
    assert "Camden" not in repr(view) and "51.5" not in repr(view)  # no area, no location
    assert "+4477" not in repr(view)


def test_a_confirmed_check_names_the_sergeant_who_confirmed(deps, clock):
    vid, reference = _reference(deps)
    services.accept_verification(deps, sergeant("MS0815"), vid)
    services.record_outcome(deps, sergeant("MS0815"), vid, OutcomeRequest(outcome="confirmed", note="secret"))

    view = shown(services.public_view(deps, reference))

    assert view["status"] == "confirmed"
    assert view["confirmed_by"] == {"officer_id": "MS0815", "rank": "PS", "family_name": "Okafor"}
    assert "secret" not in repr(view)


def test_unknown_malformed_and_too_old_references_find_nothing(deps, clock):
    _, reference = _reference(deps)

    with pytest.raises(NotFound):
        services.public_view(deps, "SC-AAA-BBB-CCC")
    with pytest.raises(NotFound):
        services.public_view(deps, "not a reference")
    clock.advance(hours=24, seconds=1)
    with pytest.raises(NotFound):
        services.public_view(deps, reference)


def test_misses_are_counted_per_address_and_then_refused(deps, clock):
    _reference(deps)
    for _ in range(2):
        with pytest.raises(NotFound):
            services.public_view(deps, "SC-AAA-BBB-CCC", client_address=ADDRESS)

    with pytest.raises(RateLimited) as raised:
        services.public_view(deps, "SC-AAA-BBB-CCC", client_address=ADDRESS)

    assert raised.value.retry_after == 60
    assert sum(deps.rate_limiter.hits.values()) == 2  # the refused miss was not counted
    assert all(ADDRESS not in key for key, _ in deps.rate_limiter.hits)  # only pseudonyms are stored
    with pytest.raises(NotFound):  # another address has its own budget
        services.public_view(deps, "SC-AAA-BBB-CCC", client_address="198.51.100.1")
    clock.advance(seconds=60)
    with pytest.raises(NotFound):  # the next window
        services.public_view(deps, "SC-AAA-BBB-CCC", client_address=ADDRESS)


def test_hits_are_never_counted_and_grant_a_pass_until_the_view_ends(deps, clock):
    vid, reference = _reference(deps)

    for _ in range(5):
        services.public_view(deps, reference, client_address=ADDRESS)

    assert deps.rate_limiter.hits == {}
    [(pass_key, until)] = deps.lookup_passes.passes.items()
    assert ADDRESS not in pass_key and reference not in pass_key
    assert until == int(deps.verifications.get(vid).created_at.timestamp()) + 24 * 3600


def test_an_address_over_its_budget_finds_nothing_new_but_keeps_watching_its_check(deps, clock):
    _, watched = _reference(deps)
    services.public_view(deps, watched, client_address=ADDRESS)  # found before the guessing
    deps.registry.put(record(officer_id="MP0002"))
    services.start_verification(deps, officer("MP0002"), start_request())
    other = deps.verifications.get(deps.verifications.active_verification_id("met", "MP0002")).reference
    for _ in range(2):
        with pytest.raises(NotFound):
            services.public_view(deps, "SC-AAA-BBB-CCC", client_address=ADDRESS)

    with pytest.raises(RateLimited):
        services.public_view(deps, other, client_address=ADDRESS)  # a hit, but new to this address
    assert shown(services.public_view(deps, _typed(watched), client_address=ADDRESS))["reference"] == watched
    assert len(deps.lookup_passes.passes) == 1
