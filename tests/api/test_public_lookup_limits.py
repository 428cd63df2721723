"""Red team, issue 13: the citizen's look-ups and their rate limit.

Part of finding 8: the limit's key was an unsalted SHA-256 of the client address, which anyone
holding the table reverses by hashing every IPv4 address. It is now an HMAC under a random key kept
in Secrets Manager, which only the API function may read, once per container.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
# What chalice's local gateway (and so the test client) gives as every request's sourceIp.
CLIENT_ADDRESS = "127.0.0.1"


def _rate_limit_records(stack) -> list[str]:
    items = stack.session.client("dynamodb").scan(TableName=stack.settings.idempotency_table)["Items"]
    return [i["id"]["S"] for i in items if i["id"]["S"].startswith("ratelimit#")]


def test_the_stored_key_is_a_keyed_hmac_that_hashing_every_address_cannot_reverse(stack):
    for _ in range(3):
        assert stack.call("GET", "/public/verifications/SC-222-222-222")[0] == 404

    (record,) = set(_rate_limit_records(stack))
    pseudonym = record.split("#")[-2]
    # The attack: hash every address of the block the caller is in (all of IPv4 is only 2^32).
    for candidate in ipaddress.ip_network("127.0.0.0/16"):
        address = str(candidate).encode()
        for unkeyed in (hashlib.sha256(b"safe-connection:" + address), hashlib.sha256(address)):
            assert pseudonym != unkeyed.hexdigest()[:32], f"the stored key reveals {candidate}"
    # With the key from Secrets Manager (and only with it) the pseudonym is reproduced.
    secret = stack.session.client("secretsmanager").get_secret_value(SecretId=stack.settings.rate_limit_key_secret_arn)
    key = secret["SecretString"].encode()
    assert pseudonym == hmac.new(key, f"address\n{CLIENT_ADDRESS}".encode(), hashlib.sha256).hexdigest()[:32]
    assert CLIENT_ADDRESS not in str(record)


def test_the_api_function_reads_the_key_once_per_container_under_its_own_role(stack):
    reads: list[str | None] = []
    stack.session._session.register(
        "before-call.secrets-manager.GetSecretValue", lambda **_: reads.append(stack.identity.running))
    status, body = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, body
    for _ in range(5):
        assert stack.call("GET", f"/public/verifications/{body['reference']}")[0] == 200
        assert stack.call("GET", f"/v/{body['reference']}")[0] == 200
    assert reads == ["APIHandler"]

    stack.deps.__dict__.pop("client_address_keys")  # a new container reads it again
    assert stack.call("GET", f"/public/verifications/{body['reference']}")[0] == 200
    assert reads == ["APIHandler", "APIHandler"]
