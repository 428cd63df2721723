"""The cold-start floor: what any Chalice app on boto3 pays to serve the same first request.

`replay()` imports boto3 and chalice.app, then makes the AWS calls the app made for the same request
(recorded by `bench/coldstart.py`, prepared as `bench/latency.py` prepares its floor: conditions
dropped, verification-table writes moved to keys of their own), one client per service with the
app's own client settings, and for a signed-in caller fetches the JWKS and checks the token with
PyJWT (the SPEC makes every route verify its token; `latency.py`'s floor does the same).

Only the standard library is imported at module level: a fresh interpreter imports this module
and loads the recorded calls before its clock starts, so the floor is the request, nothing else.
"""

from __future__ import annotations

from typing import Any

# (service as botocore's event names it, client name) where they differ.
CLIENT_NAMES = {"cognito-identity-provider": "cognito-idp", "secrets-manager": "secretsmanager"}


def replay(plan: dict[str, Any], session: Any = None) -> list[tuple[str, str]]:
    """Issue the plan's calls; returns (method, error code) of the replays AWS refused (still calls made).

    `plan`: {"calls": [(service, method, params)], "token": {...} or None, "region": str,
    "chime_standin": bool, "photo_url_seconds": int}. `session` (tests): a boto3 session to use.
    """
    import boto3
    import chalice.app  # noqa: F401 - the floor is a Chalice app too
    from botocore.config import Config
    from botocore.exceptions import ClientError

    token = plan.get("token")
    if token is not None:
        import jwt

        key = jwt.PyJWKClient(token["jwks_url"], cache_keys=True).get_signing_key_from_jwt(token["token"])
        jwt.decode(token["token"], key.key, algorithms=["RS256"], audience=token["audience"],
                   issuer=token["issuer"], options={"require": ["exp", "iss", "aud", "sub", "token_use"]}, leeway=30)
    session = session or boto3.session.Session()
    config = Config(region_name=plan["region"], retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=3, read_timeout=5)
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = session.client(CLIENT_NAMES.get(service, service), config=config)
            if service == "chime-sdk-meetings" and plan.get("chime_standin"):
                # moto has no Chime: the app's candidate answers these from the same stand-in.
                from chalicelib.local.chime_standin import ChimeStandIn

                ChimeStandIn().install(clients[service])
        return clients[service]

    refused: list[tuple[str, str]] = []
    meeting_id = None
    for service, method, params in plan["calls"]:
        if service.endswith("-presign"):
            client(service.removesuffix("-presign")).generate_presigned_url(
                method, Params=params, ExpiresIn=plan["photo_url_seconds"])
            continue
        if method == "create_attendee" and meeting_id is not None:
            params = {**params, "MeetingId": meeting_id}  # the meeting this replay created
        try:
            answer = getattr(client(service), method)(**params)
            if method == "create_meeting":
                meeting_id = answer["Meeting"]["MeetingId"]
        except ClientError as error:
            refused.append((method, error.response["Error"]["Code"]))
    return refused


CHILD = r"""
import json, pickle, sys, time
from bench.coldfloor import replay
with open(sys.argv[1], "rb") as handle:
    plan = pickle.load(handle)
started, cpu_started = time.perf_counter(), time.process_time()
refused = replay(plan)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
print(json.dumps(refused))
print(elapsed, cpu)
"""
