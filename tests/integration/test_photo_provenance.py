"""Red team (issue 13, finding 3): the audit names the exact photo a sergeant compared (SPEC §7.5).

An admin could swap in an accomplice's photo, have the check confirmed and swap it back, leaving
only "photo changed". Now `registry.disclosed` carries the key, version id and SHA-256 of the very
object shown (and the sergeant's link points at that version), `registry.changed` carries from/to in
the same shape, and the photos bucket keeps old versions as long as the audit log is locked.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from chalicelib.local import resources
from tests.integration.test_registry_import import png, run  # noqa: F401 - `run` is a fixture

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
NOOR = "MP6001,Noor,Haddad,PC,officer,serving,+447700900601,noor.haddad@met.police.uk,,face.png"
KEY = "photos/met/MP6001.png"
ADMIN = "MP0001"


def _sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _photo_version(stack, key: str, version_id: str) -> bytes:
    """What an investigator fetches from the photos bucket, by the version id the audit names."""
    s3 = stack.session.client("s3")
    return s3.get_object(Bucket=stack.settings.photos_bucket, Key=key, VersionId=version_id)["Body"].read()


def _audit(stack, event_type: str) -> list[dict[str, Any]]:
    stack.pump_audit()
    events = [e for k, e in stack.audit_objects().items() if k.startswith("audit/") and e["type"] == event_type]
    return sorted(events, key=lambda e: (e["at"], e["event_id"]))


def _linked_version(photo_url: str) -> str | None:
    return parse_qs(urlsplit(photo_url).query).get("versionId", [None])[0]


def _accept(stack, officer_headers: dict[str, str] | None = None, officer: str | None = "MP4721") -> dict[str, Any]:
    status, started = stack.call("POST", "/verifications", officer, START, headers=officer_headers)
    assert status == 201, started
    status, accepted = stack.call("POST", f"/verifications/{started['verification_id']}/accept", "MP2001", {})
    assert status == 200, accepted
    return accepted


def test_swap_confirm_swap_back_leaves_the_compared_photo_in_the_audit(stack, run, tmp_path):  # noqa: F811
    photos = tmp_path / "photos"
    photos.mkdir()
    real, accomplice = png(1), png(2)
    (photos / "face.png").write_bytes(real)
    assert run([NOOR], "--photos", str(photos))[0] == 0
    stack.clock.advance(minutes=1)
    (photos / "face.png").write_bytes(accomplice)  # the admin swaps in the accomplice's face...
    assert run([NOOR], "--photos", str(photos))[0] == 0
    stack.clock.advance(minutes=1)

    noor = stack.headers("MP6001", role="officer", force="met")
    accepted = _accept(stack, noor, officer=None)  # ...the accomplice stands in front of the camera...
    vid = accepted["verification_id"]
    assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed"})[0] == 200
    stack.clock.advance(minutes=1)
    (photos / "face.png").write_bytes(real)  # ...and the real face goes back
    assert run([NOOR], "--photos", str(photos))[0] == 0
    assert stack.deps.registry.get("met", "MP6001").photo_sha256 == _sha256(real)

    [disclosed] = [e for e in _audit(stack, "registry.disclosed") if e["verification_id"] == vid]
    shown = disclosed["data"]["photo"]
    assert set(shown) == {"key", "version_id", "sha256"} and shown["key"] == KEY
    compared = _photo_version(stack, KEY, shown["version_id"])
    assert _sha256(compared) == shown["sha256"] == _sha256(accomplice) != _sha256(real)
    # The sergeant's link pointed at that version, so a swap after disclosure changes nothing it shows.
    assert _linked_version(accepted["officer_record"]["photo_url"]) == shown["version_id"]

    # registry.changed tells the swap and the swap back, in the same shape, around the disclosure.
    changes = [e["data"]["photo"] for e in _audit(stack, "registry.changed") if e["data"]["officer_id"] == "MP6001"]
    assert len(changes) == 3 and changes[0]["from"] is None
    assert changes[1]["from"] == changes[0]["to"] and changes[1]["to"] == shown
    assert changes[2]["from"] == shown and changes[2]["to"]["sha256"] == _sha256(real)
    assert changes[2]["to"]["version_id"] not in (changes[0]["to"]["version_id"], shown["version_id"])


def test_a_put_that_names_another_photo_pins_its_version_and_hash(stack):
    s3 = stack.session.client("s3")
    body = png(7)
    put = s3.put_object(Bucket=stack.settings.photos_bucket, Key="photos/met/MP4721-2027.png", Body=body)
    record = stack.call("GET", "/officers/MP4721", ADMIN)[1]
    fields = {k: record[k] for k in ("given_name", "family_name", "rank", "status", "role", "phone", "duty")}
    status, answer = stack.call("PUT", "/officers/MP4721", ADMIN, {**fields, "photo": "photos/met/MP4721-2027.png"})
    assert status == 200, answer
    stored = stack.deps.registry.get("met", "MP4721")
    assert (stored.photo_version_id, stored.photo_sha256) == (put["VersionId"], _sha256(body))
    [change] = _audit(stack, "registry.changed")
    assert change["data"]["photo"]["to"] == {"key": "photos/met/MP4721-2027.png", "version_id": put["VersionId"],
                                             "sha256": _sha256(body)}

    # Overwritten in S3 behind the registry's back: the sergeant still sees (and the audit names) the pinned one.
    s3.put_object(Bucket=stack.settings.photos_bucket, Key="photos/met/MP4721-2027.png", Body=png(8))
    accepted = _accept(stack)
    [disclosed] = _audit(stack, "registry.disclosed")
    assert disclosed["data"]["photo"] == change["data"]["photo"]["to"]
    assert _linked_version(accepted["officer_record"]["photo_url"]) == put["VersionId"]


def test_a_put_naming_a_photo_that_is_not_there_is_refused_and_stores_nothing(stack):
    record = stack.call("GET", "/officers/MP4721", ADMIN)[1]
    before = stack.deps.registry.get("met", "MP4721")
    fields = {k: record[k] for k in ("given_name", "family_name", "rank", "status", "role", "phone", "duty")}
    status, answer = stack.call("PUT", "/officers/MP4721", ADMIN, {**fields, "photo": "photos/met/nobody.png"})
    assert (status, answer["error"]["code"]) == (400, "validation_error"), answer
    assert answer["error"]["message"].startswith("photo: ")
    assert stack.deps.registry.get("met", "MP4721") == before
    assert _audit(stack, "registry.changed") == []


def test_a_record_without_a_pinned_version_discloses_the_version_it_shows(stack):
    """Records from before pinning (here: seeded, photo uploaded later) are pinned when shown."""
    assert stack.deps.registry.get("met", "MP4721").photo_version_id is None
    first = _accept(stack)  # no object at the key yet: nothing to name but the key
    [disclosed] = _audit(stack, "registry.disclosed")
    assert disclosed["data"]["photo"] == {"key": "photos/met/MP4721.png", "version_id": None, "sha256": None}
    assert stack.call("POST", f"/verifications/{first['verification_id']}/outcome", "MP2001",
                      {"outcome": "confirmed"})[0] == 200

    body = png(9)
    put = stack.session.client("s3").put_object(Bucket=stack.settings.photos_bucket, Key="photos/met/MP4721.png",
                                                Body=body)
    stack.clock.advance(minutes=1)
    accepted = _accept(stack)
    disclosed = _audit(stack, "registry.disclosed")[-1]
    assert disclosed["data"]["photo"] == {"key": "photos/met/MP4721.png", "version_id": put["VersionId"],
                                          "sha256": _sha256(body)}
    assert _linked_version(accepted["officer_record"]["photo_url"]) == put["VersionId"]


def test_the_local_photos_bucket_keeps_old_versions_as_long_as_the_audit_log(stack):
    s3 = stack.session.client("s3")
    assert s3.get_bucket_versioning(Bucket=stack.settings.photos_bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=stack.settings.photos_bucket)["Rules"]
    lock = s3.get_object_lock_configuration(Bucket=stack.settings.audit_bucket)["ObjectLockConfiguration"]
    kept = [r["NoncurrentVersionExpiration"]["NoncurrentDays"] for r in rules if "NoncurrentVersionExpiration" in r]
    assert kept == [lock["Rule"]["DefaultRetention"]["Days"]] == [resources.AUDIT_RETENTION_DAYS]
    assert all(r["Status"] == "Enabled" and "Expiration" not in r for r in rules)  # current photos never expire


def test_a_record_pinned_when_shown_keeps_that_version_for_later_accepts(stack):
    """The first accept that finds a version pins it on the record (a conditional write), so a later
    upload under the same key is not what the next sergeant is shown or the audit names."""
    s3 = stack.session.client("s3")
    first_body, later_body = png(9), png(10)
    first = s3.put_object(Bucket=stack.settings.photos_bucket, Key="photos/met/MP4721.png", Body=first_body)
    accepted = _accept(stack)
    record = stack.deps.registry.get("met", "MP4721")
    assert (record.photo_version_id, record.photo_sha256) == (first["VersionId"], _sha256(first_body))
    assert stack.call("POST", f"/verifications/{accepted['verification_id']}/outcome", "MP2001",
                      {"outcome": "confirmed"})[0] == 200

    s3.put_object(Bucket=stack.settings.photos_bucket, Key="photos/met/MP4721.png", Body=later_body)
    stack.clock.advance(minutes=1)
    accepted = _accept(stack)
    disclosed = _audit(stack, "registry.disclosed")[-1]
    assert disclosed["data"]["photo"] == {"key": "photos/met/MP4721.png", "version_id": first["VersionId"],
                                          "sha256": _sha256(first_body)}
    assert _linked_version(accepted["officer_record"]["photo_url"]) == first["VersionId"]
    assert _audit(stack, "registry.changed") == []  # the photo did not change: the record learnt its version


def test_pinning_never_overwrites_a_record_changed_meanwhile(stack):
    from dataclasses import replace

    from chalicelib.domain.registry import PhotoObject

    record = stack.deps.registry.get("met", "MP4721")
    stale = record.pin_photo(PhotoObject(version_id="v-old", sha256="0" * 64, size=1))
    stack.deps.registry.put(replace(record, photo="photos/met/MP4721-new.png"))
    assert stack.deps.registry.pin_photo(stale) is False
    assert stack.deps.registry.get("met", "MP4721").photo_version_id is None

    stack.deps.registry.put(record)
    assert stack.deps.registry.pin_photo(stale) is True
    again = record.pin_photo(PhotoObject(version_id="v-new", sha256="1" * 64, size=1))
    assert stack.deps.registry.pin_photo(again) is False  # pinned once; the first pin stays
    assert stack.deps.registry.get("met", "MP4721").photo_version_id == "v-old"
