"""Issue 4: `python -m chalicelib.cli audit verify|digest|show` against the in-process moto stack.

The CLI builds its own Dependencies from the environment (as an auditor's shell would), so each test
points AUDIT_BUCKET, AUDIT_SIGNING_KEY_ID, AUDIT_DATA_KEY_ID and VERIFICATIONS_TABLE at the stack.
`audit digest` and `audit verify` use the real clock; the digest's --date is the day the stream
consumer indexed the events (the FakeClock's 2026-11-28), so every event is digested and none pending.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest

from chalicelib import cli
from chalicelib.domain import digest as d

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
NOTE = "Warrant card seen"
DAY = date(2026, 11, 28)


def _key(vid: str, seq: int) -> str:
    return f"audit/force=met/date=2026-11-28/{vid}/{seq:06d}.json"


def _run(*argv: str) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue().splitlines(), err.getvalue()


def _point_cli_at(stack, monkeypatch) -> None:
    """The CLI's own wiring from the environment. Only the boto3 Session is shared with the stack: a
    fresh Session per command re-parses every service model (~1 s a command on this machine)."""
    import boto3.session

    for name in ("audit_bucket", "audit_signing_key_id", "audit_data_key_id", "verifications_table"):
        monkeypatch.setenv(name.upper(), getattr(stack.settings, name))
    monkeypatch.setattr(boto3.session, "Session", lambda *args, **kwargs: stack.session)


def _ids_not_starting_with_a_dash(stack, monkeypatch) -> None:
    """Ids that start with "-" are covered by their own test below (older ids could; `audit show` must
    still take them): keep the other tests independent of that case."""
    real = stack.deps.new_id
    monkeypatch.setattr(stack.deps, "new_id", lambda: "V" + real()[1:])


def _start(stack) -> str:
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, started
    return started["verification_id"]


def _digest_via_cli(stack, events: int) -> str:
    code, out, err = _run("audit", "digest", "--force", "met", "--date", "2026-11-28")
    assert code == 0, err
    (line,) = out
    match = re.fullmatch(rf"Wrote (digests/force=met/date=2026-11-28/digest-\d{{8}}T\d{{12}}Z\.json): {events} events, "
                         rf"signed with {re.escape(stack.settings.audit_signing_key_id)}", line)
    assert match, line
    return match[1]


def test_untouched_log_digest_verify_and_show(stack, monkeypatch):
    _ids_not_starting_with_a_dash(stack, monkeypatch)
    vid = _start(stack)
    assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
    assert (
        stack.call("POST", f"/verifications/{vid}/outcome", "MP2001", {"outcome": "confirmed", "note": NOTE})[0] == 200
    )
    stack.pump_audit()
    _point_cli_at(stack, monkeypatch)

    _digest_via_cli(stack, events=6)

    code, out, err = _run("audit", "verify", "--force", "met")
    assert code == 0
    assert out == ["INTACT: 6 events in 1 chains, 1 digests checked"]
    assert "checking 6 audit objects for force met" in err  # progress goes to stderr
    assert _run("audit", "verify", "--force", "wiltshire")[:2] == (
        0,
        ["INTACT: 0 events in 0 chains, 0 digests checked"],
    )

    code, out, _ = _run("audit", "show", vid)
    assert code == 0
    assert out[0] == f"Verification {vid} (force met): 6 events, chain intact"
    assert [line.split()[2] for line in out[1:]] == [
        "verification.requested", "sergeants.notified", "sms.sent", "verification.accepted",
        "registry.disclosed", "verification.confirmed",
    ]
    assert [line.split()[0] for line in out[1:]] == [f"#{n}" for n in range(1, 7)]
    assert all(" 2026-11-28T02:47:00.000Z " in line for line in out[1:])
    # The sealed values are shown decrypted (the data key still exists); who is shown by role and id.
    assert (
        re.search(r" location=accuracy_m=12(\.0)?,lat=51.539,lon=-0.1426 ", out[1]) and "area=Camden High St" in out[1]
    )
    assert "officer MP4721" in out[1]
    assert "recipients=MP2001,MP2002,MP2003" in out[3]
    assert "sergeant MP2001" in out[6] and f"note={NOTE}" in out[6]

    assert _run("audit", "show", "NoSuchCheck00000") == (1, ["No audit events for NoSuchCheck00000."], "")


def test_tampered_log_fails_naming_each_object(stack, monkeypatch):
    _ids_not_starting_with_a_dash(stack, monkeypatch)
    vid = _start(stack)
    stack.pump_audit()
    _point_cli_at(stack, monkeypatch)
    _digest_via_cli(stack, events=3)
    s3, bucket = stack.session.client("s3"), stack.settings.audit_bucket
    assert _run("audit", "verify", "--force", "met")[0] == 0

    key = _key(vid, 2)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=bucket, Key=key, Body=body.replace(b'"wave":1', b'"wave":2'), ChecksumAlgorithm="SHA256")

    code, out, _ = _run("audit", "verify", "--force", "met")
    assert code == 1
    assert sorted(out[:-1]) == [f"{key}: content changed: hash does not match the event",
                                f"{key}: overwritten: 2 versions exist"]
    assert out[-1] == "2 PROBLEM(S): 3 events in 1 chains, 1 digests checked"

    # --from/--to select events by their creation-date partition.
    assert _run("audit", "verify", "--force", "met", "--from", "2026-11-29")[:2] == (
        0, ["INTACT: 0 events in 0 chains, 1 digests checked"])
    assert _run("audit", "verify", "--force", "met", "--from", "2026-11-28", "--to", "2026-11-28")[0] == 1

    # A digest added with a signature that does not verify is named too.
    document = json.loads(s3.get_object(Bucket=bucket, Key=_digest_keys(stack)[0])["Body"].read())
    signature = bytearray(d.signature_of(document))
    signature[0] ^= 0x80
    forged_key = d.digest_key("met", DAY, stack.clock())
    s3.put_object(Bucket=bucket, Key=forged_key, Body=d.canonical(d.with_signature(document, bytes(signature))),
                  ChecksumAlgorithm="SHA256")
    code, out, _ = _run("audit", "verify", "--force", "met")
    assert code == 1
    assert f"{forged_key}: digest signature is not valid" in out
    assert out[-1] == "3 PROBLEM(S): 3 events in 1 chains, 2 digests checked"

    code, out, _ = _run("audit", "show", vid)
    assert code == 2
    assert out[0] == f"Verification {vid} (force met): 3 events, CHAIN BROKEN (1 problems)"
    assert out[-1] == "  ! seq 2: hash does not match content"


def _digest_keys(stack) -> list[str]:
    listed = stack.session.client("s3").list_objects_v2(Bucket=stack.settings.audit_bucket, Prefix="digests/")
    return sorted(item["Key"] for item in listed["Contents"])


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit) as exited:
        _run("audit", "verify", "--force", "met", "--from", "28/11/2026")
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        _run("audit", "verify")  # --force is required
    assert exited.value.code == 2


def test_show_accepts_a_verification_id_that_starts_with_a_dash(stack, monkeypatch):
    monkeypatch.setattr(stack.deps, "new_id", lambda: "-Dash0123456789a")
    vid = _start(stack)
    assert vid == "-Dash0123456789a"
    stack.pump_audit()
    _point_cli_at(stack, monkeypatch)

    code, out, _ = _run("audit", "show", vid)

    assert code == 0
    assert out[0] == f"Verification {vid} (force met): 3 events, chain intact"
