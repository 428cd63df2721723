"""Issue 11: the Lambda package is tested as shipped, not assumed.

The package is built the way `make deploy` builds it, from a clean copy of the tree (no bundles, no
node_modules, nothing generated), and its real handlers run in a bare interpreter that sees only the
package and the standard library, against a moto server and a Chime stand-in over HTTP.

One module, so `pytest -n 2 --dist loadfile` builds the package once, on one worker. Each invocation
runs in its own process with its own environment: `runtime.invoke(function, event, env=...)`.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from . import shipped
from .shipped import REGION, api_event, schedule_event, sqs_event, stream_event

pytestmark = pytest.mark.package

OFFICER = "MP4721"
# Wave 2 is due 1 s after the start instead of 20 s, so the timer message is visible without a wait.
OVERRIDES = {"WAVE_SIZE": "1", "WAVE_INTERVAL_SECONDS": "1", "POWERTOOLS_LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> shipped.Build:
    started = time.monotonic()
    result = shipped.build(tmp_path_factory.mktemp("shipped"))
    result.timings["build in all"] = time.monotonic() - started
    print("\npackage build: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
    return result


@pytest.fixture(scope="module")
def world(build):
    """A moto server with the resources the stack declares, created as the local stack creates them."""
    import boto3
    from moto.server import ThreadedMotoServer

    from chalicelib.adapters.dynamodb import DynamoRegistry
    from chalicelib.local import resources, seed
    from chalicelib.settings import Settings

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    session = boto3.session.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint)

    template_env = build.function("APIHandler")["Environment"]["Variables"]
    settings = Settings(
        region=REGION,
        verifications_table="safe-connection-met-verifications",
        registry_table="safe-connection-met-registry",
        idempotency_table="safe-connection-met-idempotency",
        audit_bucket="safe-connection-met-audit",
        photos_bucket="safe-connection-met-photos",
    )
    dynamodb, s3, sqs, kms, cognito = (client(s) for s in ("dynamodb", "s3", "sqs", "kms", "cognito-idp"))
    resources.create_tables(dynamodb, settings)
    resources.create_buckets(s3, settings)
    topic_arn, alerts_queue_url = resources.create_alerts(client("sns"), sqs, "safe-connection-alerts", "alerts-inbox")
    # The queue carries the name the template gives the event source (Chalice names it at packaging).
    timers_queue_url = resources.create_timers_queue(sqs, template_env["TIMERS_QUEUE_NAME"])
    signing_key, data_key = resources.create_signing_key(kms), resources.create_data_key(kms)
    rate_limit_key = resources.create_rate_limit_key(client("secretsmanager"))
    push_key = resources.create_push_key(client("secretsmanager"))
    pool_id, client_id = seed.create_user_pool(cognito)
    users = seed.seed_users(cognito, pool_id, client_id)
    seed.seed_registry(DynamoRegistry(dynamodb, settings.registry_table), s3, settings.photos_bucket)
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    tokens = {
        "VERIFICATIONS_TABLE": settings.verifications_table,
        "REGISTRY_TABLE": settings.registry_table,
        "IDEMPOTENCY_TABLE": settings.idempotency_table,
        "AUDIT_BUCKET": settings.audit_bucket,
        "PHOTOS_BUCKET": settings.photos_bucket,
        "ALERTS_TOPIC_ARN": topic_arn,
        "TOKEN_ISSUER": issuer,
        "TOKEN_AUDIENCE": client_id,
        "USER_POOL_ID": pool_id,
        # moto serves the pool's JWKS on its own host (the issuer is AWS's host form).
        "JWKS_URL": f"{endpoint}/{pool_id}/.well-known/jwks.json",
        "AUDIT_SIGNING_KEY_ID": signing_key,
        "AUDIT_DATA_KEY_ID": data_key,
        "RATE_LIMIT_KEY_SECRET_ARN": rate_limit_key,
        "PUSH_KEY_SECRET_ARN": push_key,
        "TIMERS_QUEUE_URL": timers_queue_url,
        "VERIFICATIONS_STREAM_ARN":
            dynamodb.describe_table(TableName=settings.verifications_table)["Table"]["LatestStreamArn"],
    }
    # From here on the moto server checks every call: each function signs as its role from the
    # package's own template, and this test as an unrestricted harness user.
    from tests.support import iam

    named = settings.model_copy(update={
        "alerts_topic_arn": topic_arn, "audit_signing_key_id": signing_key, "audit_data_key_id": data_key,
        "user_pool_id": pool_id, "rate_limit_key_secret_arn": rate_limit_key,
    })
    physical = iam.physical_resources(client, named, {
        "TimersQueue": template_env["TIMERS_QUEUE_NAME"], "AuditStreamFailuresQueue": "safe-connection-stream-failures",
    })
    harness = iam.create_harness_user(client("iam"))
    roles = iam.roles_from_template(build.template, physical, client("iam"), client("sts"), REGION)
    session = boto3.session.Session(region_name=REGION, aws_access_key_id=harness.access_key,
                                    aws_secret_access_key=harness.secret_key)
    with iam.iam_enforced():
        yield {
            "endpoint": endpoint, "client": client, "settings": settings, "tokens": tokens, "users": users,
            "pool_id": pool_id, "client_id": client_id, "timers_queue_url": timers_queue_url,
            "alerts_queue_url": alerts_queue_url, "roles": roles,
            "as_role": lambda function, service: boto3.session.Session(
                region_name=REGION, aws_access_key_id=roles[function].access_key,
                aws_secret_access_key=roles[function].secret_key, aws_session_token=roles[function].token,
            ).client(service, endpoint_url=endpoint),
        }
    server.stop()


@pytest.fixture(scope="module")
def chime():
    standin = shipped.ChimeHttpStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def runtime(build, world, chime, tmp_path_factory) -> shipped.LambdaRuntime:
    return shipped.LambdaRuntime(
        build=build,
        tokens=world["tokens"],
        endpoints={"AWS_ENDPOINT_URL": world["endpoint"], "AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS": chime.url},
        workdir=tmp_path_factory.mktemp("invocations"),
        overrides=OVERRIDES,
        roles=world["roles"],
    )


def id_token(world, officer_id: str) -> str:
    """The pool requires MFA: password, then the code from the user's TOTP secret."""
    from chalicelib.local.sign_in import sign_in

    user = next(u for u in world["users"] if u["officer_id"] == officer_id)
    return sign_in(world["client"]("cognito-idp"), world["client_id"], user["username"], user["password"],
                   user["totp_secret"])["IdToken"]


def sms_sent(world) -> list[dict[str, Any]]:
    import urllib.request

    with urllib.request.urlopen(f"{world['endpoint']}/moto-api/data.json") as response:
        return json.load(response)["sns"]["SMS"]


def body(invocation) -> Any:
    return json.loads(invocation.result["body"])


# ---- what the package holds -------------------------------------------------------------------


def test_package_holds_our_code_and_no_local_stack_or_dev_tooling(build):
    package = build.package
    assert (package / "app.py").is_file() and (package / "chalicelib" / "bootstrap.py").is_file()
    assert not (package / "chalicelib" / "local").exists()
    top_level = {p.name.removesuffix(".py") for p in package.iterdir()}
    assert sorted(top_level & {name for name in shipped.DEV_ONLY if "." not in name}) == []
    # Chalice adds only its runtime module (chalice/app.py), not its CLI.
    assert sorted(p.name for p in (package / "chalice").iterdir() if p.suffix == ".py") == ["__init__.py", "app.py"]


def test_every_module_ships_with_its_bytecode_for_the_runtime(build):
    """/var/task is read-only: without .pyc files every cold start would compile again each module
    it imports, ours and the bundled dependencies' (wheels hold no bytecode). Hash-checked (the zip
    does not keep the sources' mtimes exactly), for this Python (the runtime's)."""
    import importlib.util

    sources = sorted(build.package.glob("**/*.py"))
    assert len(sources) > 500 and {"boto3", "botocore", "chalicelib", "aws_lambda_powertools"} <= {
        source.relative_to(build.package).parts[0] for source in sources}
    stale = []
    for source in sources:
        pyc = Path(importlib.util.cache_from_source(str(source)))
        data = pyc.read_bytes() if pyc.is_file() else b""
        if (data[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(data[4:8], "little") != 0b11
                or data[8:16] != importlib.util.source_hash(source.read_bytes())):
            stale.append(str(source.relative_to(build.package)))
    assert stale == []


def _shipped_distributions(package: Path) -> dict[str, tuple[str, set[str]]]:
    """canonical name -> (version, top-level entries it installed), from each *.dist-info."""
    from email.parser import Parser

    from infra.lock import canonical

    found = {}
    for info in package.glob("*.dist-info"):
        meta = Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"), headersonly=True)
        record = (info / "RECORD").read_text(encoding="utf-8").splitlines()
        tops = {line.split(",", 1)[0].split("/", 1)[0] for line in record if line}
        found[canonical(meta["Name"])] = (meta["Version"], tops)
    return found


def test_package_holds_exactly_the_locked_versions(build):
    from infra.lock import read_pins

    shipped_versions = {name: version for name, (version, _) in _shipped_distributions(build.package).items()}
    assert shipped_versions == read_pins(build.copy / "requirements.lock")


def test_everything_in_the_package_is_ours_or_a_locked_distribution(build):
    owned = set().union(*(tops for _, tops in _shipped_distributions(build.package).values()))
    ours = {"app.py", "chalicelib", "chalice"}  # chalice/: Chalice's runtime module, added by its packager
    strays = sorted(p.name for p in build.package.iterdir()
                    if p.name not in owned | ours | {"__pycache__"} and not p.name.endswith((".dist-info", ".data")))
    assert strays == []
    # The top-level __pycache__ holds the bytecode of the top-level modules (app.py, six.py...), no more.
    top_level_modules = {p.stem for p in build.package.glob("*.py")}
    assert {p.name.split(".")[0] for p in (build.package / "__pycache__").iterdir()} <= top_level_modules


# ---- the handlers, run from the package -------------------------------------------------------


def test_health_runs_in_a_bare_interpreter_that_sees_only_the_package(runtime, build):
    invocation = runtime.invoke("APIHandler", api_event("GET", "/health"))
    assert invocation.result["statusCode"] == 200 and body(invocation) == {"status": "ok"}
    report = invocation.report
    assert report["sys_path"][0] == str(build.package)
    assert not any("site-packages" in p for p in report["sys_path"]), report["sys_path"]
    assert {name for name, found in report["importable"].items() if found} == set()
    assert report["loaded_from_outside"] == []


@pytest.mark.parametrize("page", ["officer", "sergeant", "control"])
def test_staff_page_javascript_is_served_from_the_package(runtime, page):
    invocation = runtime.invoke("APIHandler", api_event(
        "GET", f"/static/{page}.js", resource="/static/{asset}", path_parameters={"asset": f"{page}.js"}))
    assert invocation.result["statusCode"] == 200, invocation.result["body"][:200]
    assert invocation.result["headers"]["Content-Type"].startswith("text/javascript")
    script = invocation.result["body"]
    # The page's own code: every plain string literal of frontend/src/<page>.js survives minifying.
    source = (shipped.PROJECT_DIR / "frontend" / "src" / f"{page}.js").read_text(encoding="utf-8")
    # A quote inside a word is an apostrophe (a comment's "officer's ... room's"), not a literal's edge.
    literals = re.findall(r"(?<![A-Za-z])'([A-Za-z0-9 ,.:\-]{25,})'(?![A-Za-z])", source)
    assert literals and [text for text in literals if text not in script] == []
    if page == "control":
        return  # the console has no video call
    # And the Chime SDK for JavaScript, at the version frontend/package.json pins.
    package_json = json.loads((shipped.PROJECT_DIR / "frontend" / "package.json").read_text())
    version = package_json["dependencies"]["amazon-chime-sdk-js"]
    assert "DefaultMeetingSession" in script and f'semverString:"{version}"' in script


def test_the_sergeant_service_worker_is_served_from_the_package_for_the_sergeant_pages(runtime):
    invocation = runtime.invoke("APIHandler", api_event(
        "GET", "/static/sergeant-sw.js", resource="/static/{asset}", path_parameters={"asset": "sergeant-sw.js"}))
    assert invocation.result["statusCode"] == 200, invocation.result["body"][:200]
    headers = invocation.result["headers"]
    assert headers["Content-Type"].startswith("text/javascript") and headers["Service-Worker-Allowed"] == "../s/"
    assert headers["Cache-Control"] == "no-cache"
    script = invocation.result["body"]
    assert "showNotification" in script and "../push/receipts" in script


@pytest.fixture(scope="module")
def started(runtime, world, chime):
    """An officer's check, started through the packaged API function with a real Cognito ID token."""
    request = api_event("POST", "/verifications", headers={
        "Authorization": f"Bearer {id_token(world, OFFICER)}", "Idempotency-Key": "package-test-1",
    }, body={"location": {"lat": 51.5413, "lon": -0.1431, "accuracy_m": 12}, "area": "Camden High St"})
    invocation = runtime.invoke("APIHandler", request)
    return invocation, body(invocation)


def test_officer_starts_a_check_with_a_real_chime_meeting(started, chime, world):
    invocation, view = started
    assert invocation.result["statusCode"] == 201, view
    assert view["status"] == "awaiting_sergeant" and view["officer"]["officer_id"] == OFFICER
    meeting = view["meeting"]
    assert meeting is not None, "the start fell back to voice: the Chime call failed"
    meeting_id = meeting["Meeting"]["MeetingId"]
    record = chime.standin.meetings[meeting_id]
    assert record["meeting"]["ExternalMeetingId"] == view["verification_id"]
    assert meeting["Attendee"]["AttendeeId"] in record["attendees"]
    created = [r for r in chime.requests if r["operation"] == "CreateMeeting"]
    assert created and created[0]["params"]["MediaRegion"] == "eu-west-2"
    # Signed by the real client for the Chime service (SigV4 scope .../eu-west-2/chime/aws4_request),
    # with the API function's role (moto has no Chime to check it: tests/integration/test_iam_roles.py does).
    assert "/eu-west-2/chime/aws4_request" in created[0]["authorization"]
    assert f"Credential={world['roles']['APIHandler'].access_key}/" in created[0]["authorization"]
    assert len(sms_sent(world)) == 1  # wave 1: one sergeant (WAVE_SIZE=1)


def test_timer_message_runs_through_run_timers(started, runtime, world):
    _, view = started
    sqs = world["client"]("sqs")
    queue_url = world["timers_queue_url"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    deadline, messages = time.monotonic() + 10, []
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
    assert messages, "the start scheduled no visible timer (wave 2 is due after 1 s)"
    assert view["verification_id"] in messages[0]["Body"]
    runtime.invoke("RunTimers", sqs_event(queue_arn, messages))
    assert len(sms_sent(world)) == 2  # wave 2 texted the next sergeant


@pytest.fixture(scope="module")
def audited(started, runtime, world):
    """The table's stream so far (the start's audit events among it), delivered to the packaged consumer.

    Lambda's event source mapping reads the stream with the function's role: so does this."""
    streams = world["as_role"]("CopyAuditEventsToS3", "dynamodbstreams")
    stream_arn = world["tokens"]["VERIFICATIONS_STREAM_ARN"]
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator, Limit=100)["Records"]
    assert records
    return runtime.invoke("CopyAuditEventsToS3", stream_event(stream_arn, records))


def test_stream_batch_lands_the_audit_events_in_s3(started, audited, world):
    _, view = started
    client = world["client"]
    settings = world["settings"]
    s3 = client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=settings.audit_bucket, Prefix="audit/").get("Contents", [])]
    mine = sorted(k for k in keys if f"/{view['verification_id']}/" in k)
    events = [json.loads(s3.get_object(Bucket=settings.audit_bucket, Key=k)["Body"].read()) for k in mine]
    assert [e["type"] for e in events][:2] == ["verification.requested", "sergeants.notified"]
    assert mine[0] == f"audit/force=met/date={view['created_at'][:10]}/{view['verification_id']}/000001.json"
    from chalicelib.domain.audit import event_hash

    assert all(e["hash"] == event_hash(e) for e in events)


def test_nightly_digest_signs_the_audit_writes_of_the_day_before(started, audited, runtime, world):
    """The scheduled function signs yesterday's digest: the day's index is copied to yesterday
    (the package runs on the real clock), then the KMS signature it wrote must verify."""
    from chalicelib.adapters.dynamodb import DynamoAuditIndex
    from chalicelib.domain import digest as d

    _, view = started
    client, settings = world["client"], world["settings"]
    index = DynamoAuditIndex(client("dynamodb"), settings.verifications_table)
    today = view["created_at"][:10]
    written = index.written("met", today)
    assert written, "the stream consumer indexed nothing"
    yesterday = date.fromisoformat(today) - timedelta(days=1)
    index.record_many(yesterday.isoformat(), [("met", key, digest) for key, digest in written])

    runtime.invoke("WriteDailyAuditDigests", schedule_event("WriteDailyAuditDigests"))

    s3 = client("s3")
    listed = s3.list_objects_v2(Bucket=settings.audit_bucket, Prefix=d.digest_prefix("met", yesterday))
    keys = [o["Key"] for o in listed.get("Contents", [])]
    assert len(keys) == 1
    document = json.loads(s3.get_object(Bucket=settings.audit_bucket, Key=keys[0])["Body"].read())
    assert document["event_count"] == len(written)
    from chalicelib.adapters.kms_signer import KmsDigestSigner

    signer = KmsDigestSigner(client("kms"), world["tokens"]["AUDIT_SIGNING_KEY_ID"])
    assert signer.verify(d.message_digest(document), d.signature_of(document)) is True


def test_the_reconciler_copies_from_the_package_what_the_stream_did_not(started, runtime, world):
    """Issue 13, finding 6: an event no stream batch delivered (here: the officer's read of the check,
    after the stream was read) reaches S3 through the scheduled reconciler, under its own role."""
    _, view = started
    vid = view["verification_id"]
    read = runtime.invoke("APIHandler", api_event(
        "GET", f"/verifications/{vid}", resource="/verifications/{verification_id}",
        path_parameters={"verification_id": vid}, headers={"Authorization": f"Bearer {id_token(world, OFFICER)}"}))
    assert read.result["statusCode"] == 200, read.result["body"][:200]

    runtime.invoke(
        "ReconcileAuditOutbox", schedule_event("ReconcileAuditOutbox"), env={"AUDIT_RECONCILE_AFTER_SECONDS": "0"}
    )

    client, settings = world["client"], world["settings"]
    s3 = client("s3")
    keys = sorted(
        o["Key"]
        for o in s3.list_objects_v2(Bucket=settings.audit_bucket, Prefix="audit/").get("Contents", [])
        if f"/{vid}/" in o["Key"]
    )
    last = json.loads(s3.get_object(Bucket=settings.audit_bucket, Key=keys[-1])["Body"].read())
    assert last["type"] == "verification.viewed" and last["seq"] == len(keys)


def test_nightly_erasure_runs_from_the_package(runtime):
    runtime.invoke("EraseExpiredPersonalData", schedule_event("EraseExpiredPersonalData"))


def test_each_function_runs_under_its_own_role(runtime, world):
    """Every invocation above signed as its function's role (moto's IAM enforcement is on)."""
    for function in shipped.FUNCTIONS:
        env = runtime.environment(function)
        role = world["roles"][function]
        assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SESSION_TOKEN"]) == (role.access_key, role.token)
    assert env["AWS_ENDPOINT_URL"] == world["endpoint"] and env["CHIME_BACKEND"] == "aws"
    # The enforcement is real: the digest function run with the timers' role is refused.
    timers = world["roles"]["RunTimers"]
    wrong = runtime.invoke("WriteDailyAuditDigests", schedule_event("WriteDailyAuditDigests"), env={
        "AWS_ACCESS_KEY_ID": timers.access_key, "AWS_SECRET_ACCESS_KEY": timers.secret_key,
        "AWS_SESSION_TOKEN": timers.token}, expect_ok=False)
    assert not wrong.ok and "AccessDenied" in wrong.report["error"] + wrong.report["traceback"]


def test_make_deploy_builds_the_bundles_before_it_packages(tmp_path):
    """`make deploy` from a clean clone: bundles, then the package and checks, then the CDK deploy."""
    lines = shipped.make(shipped.clean_copy(tmp_path / "src"), "deploy", dry_run=True).stdout.splitlines()

    def first(text: str) -> int:
        found = [i for i, line in enumerate(lines) if text in line]
        assert found, f"make deploy does not run {text!r}:\n" + "\n".join(lines)
        return found[0]

    assert first("npm run --silent build") < first("infra/app.py") < first("infra.checks") < first("aws-cdk@2 deploy")
