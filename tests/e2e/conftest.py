"""Starts the same stack `make run` starts (python -m chalicelib.local) on free ports, once per run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveStack:
    """HTTP client for the running stack plus readers for what it sent (SMS, alerts, S3, Chime)."""

    def __init__(self, details: dict[str, Any], state_dir: Path) -> None:
        self.details = details
        self.state_dir = state_dir
        self.api = details["api_url"]
        self.aws = details["aws_endpoint_url"]
        import boto3

        self.session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=details["region"]
        )
        self._tokens: dict[str, str] = {}

    def client(self, service: str):
        return self.session.client(service, endpoint_url=self.aws)

    def user(self, officer_id: str) -> dict[str, Any]:
        return next(u for u in self.details["users"] if u["officer_id"] == officer_id)

    def users(self, **match: Any) -> list[dict[str, Any]]:
        return [u for u in self.details["users"] if all(u.get(k) == v for k, v in match.items())]

    def sign_in(self, officer_id: str) -> str:
        """Cognito USER_PASSWORD_AUTH against the embedded AWS, then the SOFTWARE_TOKEN_MFA code from
        the user's totp_secret, as a client app would: the ID token."""
        if officer_id not in self._tokens:
            from chalicelib.local.sign_in import sign_in

            user = self.user(officer_id)
            result = sign_in(self.client("cognito-idp"), self.details["cognito"]["client_id"],
                             user["username"], user["password"], user.get("totp_secret"))
            self._tokens[officer_id] = result["IdToken"]
        return self._tokens[officer_id]

    def call(self, method: str, path: str, officer_id: str | None = None, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if officer_id:
            all_headers["Authorization"] = f"Bearer {self.sign_in(officer_id)}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def sms(self) -> list[dict[str, str]]:
        with urllib.request.urlopen(f"{self.aws}/moto-api/data.json", timeout=15) as response:
            return json.loads(response.read())["sns"]["SMS"]

    def audit_events(self, verification_id: str) -> dict[str, dict[str, Any]]:
        s3 = self.client("s3")
        bucket = self.details["audit_bucket"]
        found = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="audit/"):
            for item in page.get("Contents", []):
                if f"/{verification_id}/" in item["Key"]:
                    found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return found

    def alerts_for(self, verification_id: str, wait_seconds: int = 1) -> list[dict[str, Any]]:
        """Alerts about one verification (others are kept on the queue for their own tests)."""
        sqs = self.client("sqs")
        url = self.details["alerts_queue_url"]
        mine = []
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds,
                                           VisibilityTimeout=0).get("Messages", []):
            body = json.loads(message["Body"])
            if body.get("verification_id") == verification_id:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                mine.append(body)
        return mine

    def alerts(self, wait_seconds: int = 2) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        url = self.details["alerts_queue_url"]
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(m["Body"]) for m in messages]

    def meetings(self) -> dict[str, Any]:
        path = Path(self.details["chime_meetings_file"])
        return json.loads(path.read_text()) if path.exists() else {}


def onboard_person(stack: LiveStack, *, force: str, officer_id: str, role: str, rank: str, given_name: str,
                   family_name: str, phone: str | None = None, duty: str | None = None) -> dict[str, Any]:
    """A person a force has just onboarded, through SPEC §7.1's `registry import` as an
    administrator runs it against `make run`'s stack: her registry record, and a Cognito account
    with her role's group, `custom:force`/`custom:officer_id`, a verified email and a temporary
    password, delivered by the invitation the stack prints. Returns the sign-in she was given."""
    username = officer_id.lower()
    email = f"{username}@{force}.police.example"
    row = [officer_id, given_name, family_name, rank, role, "serving", phone or "", email, duty or "", ""]
    csv_file = stack.state_dir / f"import-{officer_id}.csv"
    csv_file.write_text("officer_id,given_name,family_name,rank,role,status,phone,email,duty,photo\n"
                        + ",".join(row) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", "--stack", str(stack.state_dir / "stack.json"),
         "registry", "import", "--force", force, str(csv_file)],
        cwd=PROJECT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("created 1,"), result.stdout
    invitations = Path(stack.details["invitations_file"]).read_text(encoding="utf-8").splitlines()
    invitation = [json.loads(line) for line in invitations if json.loads(line)["username"] == username][-1]
    return {"username": username, "temporary_password": invitation["temporary_password"], "officer_id": officer_id,
            "force": force, "role": role, "email": email}


def _run_stack(state_dir: Path, extra_env: dict[str, str] | None = None):
    """Start `python -m chalicelib.local` (what `make run` runs) on free ports; yield a LiveStack."""
    env = {
        **os.environ,
        "PORT": str(_free_port()),
        "MOTO_PORT": str(_free_port()),
        "LOCAL_STATE_DIR": str(state_dir),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    for name in ("AWS_ENDPOINT_URL", "POWERTOOLS_LOG_LEVEL"):
        env.pop(name, None)
    log_path = state_dir / "stack.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "chalicelib.local"], cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        stack_file = state_dir / "stack.json"
        deadline = time.monotonic() + 60
        while not stack_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"local stack did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        live = LiveStack(json.loads(stack_file.read_text()), state_dir)
        live.process = process
        live.log_path = log_path
        try:
            yield live
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory):
    """The stack with its default timings (waves of 3 every 20 s, answer timeout 90 s)."""
    yield from _run_stack(tmp_path_factory.mktemp("local-stack"))


FAST_TIMINGS = {
    "WAVE_SIZE": "1",
    "WAVE_INTERVAL_SECONDS": "1",
    "ANSWER_TIMEOUT_SECONDS": "8",
    "DECISION_TIMEOUT_SECONDS": "3",
}


@pytest.fixture(scope="module")
def fast_stack(tmp_path_factory):
    """The same stack with escalation timings shortened through the environment, as `make run` allows."""
    yield from _run_stack(tmp_path_factory.mktemp("fast-stack"), FAST_TIMINGS)
