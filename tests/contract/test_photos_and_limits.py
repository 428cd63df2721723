"""PhotoStore, PhotoLinks and RateLimiter contracts: the fakes and the S3 / DynamoDB adapters on moto."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from chalicelib.ports import PhotoLinks, PhotoStore, RateLimiter
from tests.contract.conftest import BACKENDS
from tests.fakes import FakePhotoLinks, FakePhotoStore, FakeRateLimiter

PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg"
SHA = hashlib.sha256(PHOTO).hexdigest()
NOW = 1_796_093_220.5  # inside a window, not on its edge


@pytest.fixture(params=BACKENDS)
def photos(request: pytest.FixtureRequest, settings: Any, boto_session: Any) -> tuple[PhotoStore, PhotoLinks]:
    if request.param == "fake":
        return FakePhotoStore(), FakePhotoLinks()
    from chalicelib.adapters.s3_audit import S3PhotoLinks, S3PhotoStore
    from chalicelib.local import resources

    request.getfixturevalue("aws")
    s3 = boto_session.client("s3")
    resources.create_buckets(s3, settings)
    return S3PhotoStore(s3, settings.photos_bucket), S3PhotoLinks(s3, settings.photos_bucket, 300)


@pytest.fixture(params=BACKENDS)
def limiter(request: pytest.FixtureRequest, settings: Any) -> RateLimiter:
    if request.param == "fake":
        return FakeRateLimiter()
    from chalicelib.adapters.rate_limits import DynamoRateLimiter

    return DynamoRateLimiter(request.getfixturevalue("dynamodb"), settings.idempotency_table)


def test_each_upload_is_a_new_version_and_current_names_the_newest(photos):
    store, _ = photos
    assert store.current("met/MP4721.jpg", 1_000_000) is None

    first = store.put("met/MP4721.jpg", PHOTO, "image/jpeg", SHA)
    newer = PHOTO + b"!"
    second = store.put("met/MP4721.jpg", newer, "image/jpeg", hashlib.sha256(newer).hexdigest())

    assert first and second and first != second
    current = store.current("met/MP4721.jpg", 1_000_000)
    assert current is not None
    assert (current.version_id, current.sha256, current.size) == (second, hashlib.sha256(newer).hexdigest(), len(newer))
    too_big = store.current("met/MP4721.jpg", 4)
    assert too_big is not None and too_big.sha256 is None and too_big.size == len(newer)


def test_a_link_names_the_key_and_version_and_no_key_has_no_link(photos):
    _, links = photos
    url = links.url_for("met/MP4721.jpg", "v-123")

    assert url is not None and url.startswith("https://")
    assert "met/MP4721.jpg" in url and "versionId=v-123" in url
    assert links.url_for(None) is None
    assert links.url_for("") is None


def test_a_window_allows_its_limit_then_refuses_without_counting(limiter):
    assert [limiter.allow("start#met#MP4721", 2, 60, NOW) for _ in range(3)] == [True, True, False]
    assert limiter.exhausted("start#met#MP4721", 2, 60, NOW) is True
    assert limiter.exhausted("start#met#MP4721", 3, 60, NOW) is False  # the refused hit was not counted


def test_windows_and_keys_count_apart(limiter):
    assert limiter.allow("a", 1, 60, NOW) is True
    assert limiter.allow("a", 1, 60, NOW) is False
    assert limiter.allow("b", 1, 60, NOW) is True
    assert limiter.allow("a", 1, 60, NOW + 60) is True
    assert limiter.exhausted("c", 1, 60, NOW) is False
