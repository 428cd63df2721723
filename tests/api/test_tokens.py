"""Every authenticated route refuses bad tokens with 401 `unauthenticated`, never a 500."""

from __future__ import annotations

import time

import jwt
import pytest

ROUTES = [
    ("POST", "/verifications", {"location": {"lat": 51.5, "lon": -0.1}}),
    ("GET", "/verifications?status=awaiting_sergeant", None),
    ("GET", "/verifications/abc123", None),
    ("POST", "/verifications/abc123/accept", {}),
    ("POST", "/verifications/abc123/outcome", {"outcome": "confirmed"}),
    ("POST", "/verifications/abc123/cancel", {}),
    ("PUT", "/me/duty", {"status": "available"}),
    ("GET", "/officers/MP4721", None),
    ("GET", "/control/board", None),
    ("POST", "/control/alerts/abc123.def456/acknowledge", {}),
    (
        "PUT",
        "/officers/MP4721",
        {
            "given_name": "A",
            "family_name": "B",
            "rank": "PC",
            "status": "serving",
            "role": "officer",
            "phone": None,
            "photo": None,
            "duty": None,
        },
    ),
]


def _bad_headers(tokens) -> dict[str, dict[str, str]]:
    now = int(time.time())
    good_claims = tokens.claims("officer", "met", "MP4721")
    hs256 = jwt.encode(good_claims, "secret-guess-" * 3, algorithm="HS256", headers={"kid": tokens.kid})
    unsigned = jwt.encode(good_claims, None, algorithm="none")

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return {
        "missing": {},
        "empty bearer": {"Authorization": "Bearer "},
        "basic scheme": {"Authorization": "Basic bXA0NzIxOnB3"},
        "malformed": bearer("not.a.jwt"),
        "garbage": bearer("%%%"),
        "wrong signature": bearer(tokens.token("officer", "met", "MP4721", key=tokens.other_key)),
        "unknown kid": bearer(tokens.token("officer", "met", "MP4721", kid="someone-else")),
        "expired": bearer(tokens.token("officer", "met", "MP4721", exp=now - 120, iat=now - 3720)),
        "wrong audience": bearer(tokens.token("officer", "met", "MP4721", aud="another-app")),
        "wrong issuer": bearer(tokens.token("officer", "met", "MP4721", iss="https://evil.example/pool")),
        "access token": bearer(tokens.token("officer", "met", "MP4721", token_use="access")),
        "no exp": bearer(tokens.token("officer", "met", "MP4721", exp=None)),
        "hs256 confusion": bearer(hs256),
        "alg none": bearer(unsigned),
    }


@pytest.mark.parametrize("method,path,body", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_bad_tokens_are_401(stack, tokens, method, path, body):
    for name, header in _bad_headers(tokens).items():
        status, reply = stack.call(method, path, body=body, headers={"Content-Type": "application/json", **header})
        assert status == 401, (name, reply)
        assert reply == {"error": {"code": "unauthenticated", "message": reply["error"]["message"]}}, name
    assert stack.stored_items() == [] and stack.sms() == []


def test_401_carries_www_authenticate(stack):
    response = stack.client.http.get("/verifications/abc")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
