"""Issue 12: a force goes live. The issue's three people (an officer, a sergeant, a control-room
operator, with photos) imported through the real CLI entry point against the stack `make run`
starts; the new sergeant signs in with her invitation and gets the SMS of the next check.

Its own stack: adding an available sergeant to the Met would change other e2e tests' waves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.local.photos import silhouette_png
from chalicelib.local.sign_in import enrol_totp, sign_in
from tests.conftest import wait_for
from tests.e2e.conftest import PROJECT, _run_stack

pytestmark = pytest.mark.e2e

HEAD = "officer_id,given_name,family_name,rank,role,status,phone,email,duty,photo"
THREE = [
    "MP6001,Noor,Haddad,PC,officer,serving,+447700900601,noor.haddad@met.police.uk,,haddad.png",
    # MP1902 sorts before the seeded sergeants: never texted before, she is in the first wave.
    "MP1902,Leah,Brennan,PS,sergeant,serving,+447700900602,leah.brennan@met.police.uk,available,brennan.jpg",
    "MP6003,Tariq,Osei,PC,control_room,serving,+447700900603,tariq.osei@met.police.uk,,osei.png",
]
START = {"location": {"lat": 51.5390, "lon": -0.1426, "accuracy_m": 15}, "area": "Camden High St"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from _run_stack(tmp_path_factory.mktemp("onboarding-stack"))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("onboarding-files")
    photos = folder / "photos"
    photos.mkdir()
    (photos / "haddad.png").write_bytes(silhouette_png("MP6001"))
    # A JPEG by its magic bytes (the import checks content, not names).
    (photos / "brennan.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200) + b"\xff\xd9")
    (photos / "osei.png").write_bytes(silhouette_png("MP6003"))
    (folder / "three.csv").write_text("\n".join([HEAD, *THREE]) + "\n", encoding="utf-8")
    return folder


def cli(stack, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m chalicelib.cli --stack .local/stack.json ...` as an operator types it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", "--stack", str(stack.state_dir / "stack.json"), *args],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_the_issues_three_people_go_live_and_the_sergeant_gets_the_next_check(stack, files):
    done = cli(stack, "registry", "import", "--force", "met", str(files / "three.csv"),
               "--photos", str(files / "photos"))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1] == "created 3, updated 0, unchanged 0, disabled 0"

    # Each invitation lands in the stack's invitations file, and `make run` prints it.
    invitations_file = Path(stack.details["invitations_file"])
    invitations = {i["officer_id"]: i for i in map(json.loads, invitations_file.read_text().splitlines())}
    assert sorted(invitations) == ["MP1902", "MP6001", "MP6003"]
    wait_for(lambda: stack.log_path.read_text().count("[INVITE]") == 3)
    assert "[INVITE] PS Brennan (MP1902, met, sergeant) to leah.brennan@met.police.uk: sign in as mp1902" \
        in stack.log_path.read_text()

    # The photo is in S3 exactly as given, the version the registry names.
    s3 = stack.client("s3")
    version = s3.list_object_versions(Bucket=stack.details["photos_bucket"], Prefix="photos/met/MP1902.jpg")["Versions"]
    assert len(version) == 1
    body = s3.get_object(Bucket=stack.details["photos_bucket"], Key="photos/met/MP1902.jpg")["Body"].read()
    assert body == (files / "photos" / "brennan.jpg").read_bytes()

    # Leah's first sign-in: the temporary password, then her own.
    cognito = stack.client("cognito-idp")
    client_id = stack.details["cognito"]["client_id"]
    first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "mp1902", "PASSWORD": invitations["MP1902"]["temporary_password"]})
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    chosen = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
        ChallengeResponses={"USERNAME": "mp1902", "NEW_PASSWORD": "Brennan-Passw0rd!"})
    # The pool requires MFA, as the deployed one does: she enrols her authenticator app, then signs in.
    assert chosen["ChallengeName"] == "MFA_SETUP"
    secret = enrol_totp(cognito, client_id, "mp1902", "Brennan-Passw0rd!")
    leah = sign_in(cognito, client_id, "mp1902", "Brennan-Passw0rd!", secret)["IdToken"]

    # A seeded officer starts a check: the new sergeant is texted with its link, and can accept it.
    sms_before = len(stack.sms())
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, started
    vid = started["verification_id"]
    texts = wait_for(lambda: [m for m in stack.sms()[sms_before:] if m["phone_number"] == "+447700900602"])
    assert texts[0]["message"] == (f"Safe Connection: PC Jones (MP4721) asks for ID verification near Camden High St. "
                                   f"Open {stack.api}/s/{vid}")
    status, accepted = _call_with_token(stack, "POST", f"/verifications/{vid}/accept", leah, {})
    assert status == 200, accepted
    assert accepted["sergeant"]["officer_id"] == "MP1902" and accepted["officer_record"]["officer_id"] == "MP4721"

    # The same file again changes nothing.
    again = cli(stack, "registry", "import", "--force", "met", str(files / "three.csv"),
                "--photos", str(files / "photos"))
    assert (again.returncode, again.stdout.splitlines()[-1]) == (0, "created 0, updated 0, unchanged 3, disabled 0")
    assert len(invitations_file.read_text().splitlines()) == 3


def test_an_invalid_file_through_the_cli_exits_2_and_names_every_problem(stack, files):
    bad = files / "bad.csv"
    bad.write_text("\n".join([HEAD, THREE[0].replace("+447700900601", "07700900601"),
                              "MP7002,Ann,Lee,PS,sergeant,serving,,ann@met.police.uk,,"]) + "\n")
    done = cli(stack, "registry", "import", "--force", "met", str(bad), "--dry-run")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "line 2: phone: must be E.164, e.g. +447700900123",
        "line 2: photo: names a photo file, but no --photos DIR was given",
        "line 3: phone: required for sergeants (E.164, e.g. +447700900123)",
    ]


def _call_with_token(stack, method: str, path: str, token: str, body: object) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(stack.api + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
