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


# ---- finding 4: the citizen locks herself out ---------------------------------------------------
# The JSON route and the /v/ page shared one budget of 30 look-ups a minute per address, and the
# page refreshes every 5 s: three phones behind one carrier address were refused within a minute.


def test_three_phones_behind_one_address_watching_a_real_check_are_never_refused(stack, clock):
    status, started = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, started
    reference, vid = started["reference"], started["verification_id"]
    seen: dict[str, list[int]] = {"page 1": [], "page 2": [], "json": [], "guesser": []}
    statuses = set()
    for tick in range(5 * 60):  # five minutes, one second at a time
        if tick == 100:
            assert stack.call("POST", f"/verifications/{vid}/accept", "MP2002", {})[0] == 200
        if tick == 200:
            assert stack.call("POST", f"/verifications/{vid}/outcome", "MP2002", {"outcome": "confirmed"})[0] == 200
        # Each phone refreshes every 5 s (the page's own refresh), at its own moment.
        for offset, phone in ((0, "page 1"), (2, "page 2")):
            if tick % 5 == offset:
                response = stack.client.http.get(f"/v/{reference}")
                seen[phone].append(response.status_code)
        if tick % 5 == 4:
            status, view = stack.call("GET", f"/public/verifications/{reference}")
            seen["json"].append(status)
            statuses.add(view.get("status") if isinstance(view, dict) else None)
        # Someone else on the same address guesses references, one a second, on purpose.
        if tick >= 30:
            seen["guesser"].append(stack.call("GET", f"/public/verifications/SC-{tick % 7 + 2}22-222-222")[0])
        clock.advance(seconds=1)

    for phone in ("page 1", "page 2", "json"):
        assert seen[phone] == [200] * 60, (phone, seen[phone])
    assert statuses == {"awaiting_sergeant", "connected", "confirmed"}
    # ...while the guesser is still limited: 30 misses a minute, then 429 until the next minute.
    guesses = seen["guesser"]
    assert set(guesses) == {404, 429} and guesses.count(404) <= 30 * 5


def test_misses_stay_limited_and_an_address_over_its_budget_finds_no_new_check(stack, clock):
    status, watched = stack.call("POST", "/verifications", "MP4721", START)
    assert status == 201, watched
    status, other = stack.call("POST", "/verifications", "MP5102", START)
    assert status == 201, other
    assert stack.call("GET", f"/v/{watched['reference']}")[0] == 200  # she opened her page

    misses = [stack.call("GET", f"/public/verifications/SC-{n}22-222-222")[0] for n in range(2, 10)]
    misses += [stack.client.http.get("/v/SC-ZZZ-ZZZ-ZZ" + "Z" * (n % 2)).status_code for n in range(22)]
    assert misses == [404] * 30

    response = stack.client.http.get("/public/verifications/SC-ZZZ-ZZZ-ZZZ")
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    page = stack.client.http.get("/v/SC-ZZZ-ZZZ-ZZZ")
    assert page.status_code == 429 and "Wait a minute" in page.body.decode()
    # A check this address never found is refused too: hits cannot be told from refusals.
    status, body = stack.call("GET", f"/public/verifications/{other['reference']}")
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    # The check she was already watching is not.
    assert stack.call("GET", f"/v/{watched['reference']}")[0] == 200
    assert stack.call("GET", f"/public/verifications/{watched['reference']}")[0] == 200

    clock.advance(seconds=60)
    assert stack.call("GET", f"/public/verifications/{other['reference']}")[0] == 200
