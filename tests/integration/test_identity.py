"""JwtVerifier with real RS256 tokens: what passes, everything that must fail as Unauthenticated,
and the JWKS fetched over HTTP (from 127.0.0.1) once and cached."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from chalicelib.adapters.identity import JwksUrlKeySource, JwtVerifier, StaticJwksKeySource
from chalicelib.domain.access import Principal
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.registry import Role


@pytest.fixture
def verifier(tokens) -> JwtVerifier:
    return JwtVerifier(tokens.issuer, tokens.audience, StaticJwksKeySource(tokens.jwks))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.{_b64(signature)}"


def _hs256_with_public_key(tokens) -> str:
    """The classic RS256 -> HS256 confusion: HMAC keyed with the public key's PEM bytes."""
    pem = tokens.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": tokens.kid}
    head_and_body = _unsigned(header, tokens.claims("officer", "met", "MP4721")).rsplit(".", 1)[0]
    signature = hmac.new(pem, head_and_body.encode(), hashlib.sha256).digest()
    return f"{head_and_body}.{_b64(signature)}"


def test_valid_token_gives_the_principal(verifier, tokens):
    claims = tokens.claims("sergeant", "met", "MP2001")
    token = jwt.encode(claims, tokens.private_key, algorithm="RS256", headers={"kid": tokens.kid})

    assert verifier.verify(token) == Principal(
        subject=claims["sub"], role=Role.SERGEANT, force="met", officer_id="MP2001"
    )


@pytest.mark.parametrize(
    "groups, force, officer_id",
    [([], "met", "MP4721"), (["chief"], "met", "MP4721"), (["officer", "admin"], "met", "MP4721"),
     (["officer"], "", "MP4721"), (["officer"], "met", "")],
    ids=["no-group", "unknown-group", "two-roles", "no-force", "no-officer-id"],
)
def test_valid_token_without_exactly_one_known_role_gets_no_role(verifier, tokens, groups, force, officer_id):
    token = tokens.token(None, force, officer_id or "x", **{"cognito:groups": groups, "custom:officer_id": officer_id})
    assert verifier.verify(token).role is None


def test_expiry_has_a_small_leeway_only(verifier, tokens):
    now = int(time.time())
    assert verifier.verify(tokens.token("officer", "met", "MP4721", exp=now - 5)).officer_id == "MP4721"
    with pytest.raises(Unauthenticated):
        verifier.verify(tokens.token("officer", "met", "MP4721", exp=now - 120))


BAD_TOKENS = {
    "expired": lambda t: t.token("officer", "met", "MP4721", exp=int(time.time()) - 3600),
    "wrong-audience": lambda t: t.token("officer", "met", "MP4721", aud="another-client"),
    "wrong-issuer": lambda t: t.token(
        "officer", "met", "MP4721", iss="https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_EVIL"
    ),
    "other-key-same-kid": lambda t: t.token("officer", "met", "MP4721", key=t.other_key),
    "unknown-kid": lambda t: t.token("officer", "met", "MP4721", kid="not-a-known-kid"),
    "no-kid": lambda t: jwt.encode(t.claims("officer", "met", "MP4721"), t.private_key, algorithm="RS256"),
    "alg-none": lambda t: jwt.encode(
        t.claims("officer", "met", "MP4721"), None, algorithm="none", headers={"kid": t.kid}
    ),
    "alg-none-handmade": lambda t: _unsigned({"alg": "none", "kid": t.kid}, t.claims("officer", "met", "MP4721")),
    "hs256-with-public-key": _hs256_with_public_key,
    "rs512": lambda t: jwt.encode(
        t.claims("officer", "met", "MP4721"), t.private_key, algorithm="RS512", headers={"kid": t.kid}
    ),
    "ps256": lambda t: jwt.encode(
        t.claims("officer", "met", "MP4721"), t.private_key, algorithm="PS256", headers={"kid": t.kid}
    ),
    "access-token": lambda t: t.token("officer", "met", "MP4721", token_use="access"),
    "no-token-use": lambda t: t.token("officer", "met", "MP4721", token_use=None),
    "no-exp": lambda t: t.token("officer", "met", "MP4721", exp=None),
    "no-sub": lambda t: t.token("officer", "met", "MP4721", sub=None),
    "no-aud": lambda t: t.token("officer", "met", "MP4721", aud=None),
    "string-exp": lambda t: t.token("officer", "met", "MP4721", exp="tomorrow"),
    "not-yet-valid": lambda t: t.token("officer", "met", "MP4721", nbf=int(time.time()) + 3600),
    "tampered-payload": lambda t: (
        lambda parts: ".".join([parts[0], _b64(json.dumps({**t.claims("admin", "met", "MP4721")}).encode()), parts[2]])
    )(t.token("officer", "met", "MP4721").split(".")),
    "truncated-signature": lambda t: t.token("officer", "met", "MP4721")[:-10],
    "garbage": lambda t: "garbage",
    "three-garbage-parts": lambda t: "not.a.token",
    "empty": lambda t: "",
    "non-ascii": lambda t: "é.é.é",
    "header-is-a-list": lambda t: _unsigned([], t.claims("officer", "met", "MP4721")),  # type: ignore[arg-type]
    "kid-is-a-list": lambda t: _unsigned({"alg": "RS256", "kid": ["a"]}, t.claims("officer", "met", "MP4721")),
    "payload-is-a-list": lambda t: _unsigned({"alg": "RS256", "kid": t.kid}, []),  # type: ignore[arg-type]
    "bearer-prefix-left-in": lambda t: "Bearer " + t.token("officer", "met", "MP4721"),
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_tokens_are_unauthenticated_and_nothing_else(verifier, tokens, make_token):
    _refused_as_unauthenticated(verifier, make_token(tokens))


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_tokens_are_unauthenticated_with_the_jwks_fetched_over_http_too(tokens, jwks_server, make_token):
    verifier = JwtVerifier(tokens.issuer, tokens.audience, JwksUrlKeySource(jwks_server.url))
    _refused_as_unauthenticated(verifier, make_token(tokens))


def _refused_as_unauthenticated(verifier: JwtVerifier, token: str) -> None:
    try:
        verifier.verify(token)
    except Unauthenticated as error:
        assert error.code == "unauthenticated"
    except Exception as error:  # noqa: BLE001 - any other type is the failure we look for
        pytest.fail(f"{type(error).__name__} escaped instead of Unauthenticated: {error}")
    else:
        pytest.fail("token was accepted")


# ---- JWKS over HTTP --------------------------------------------------------------------------


class _JwksServer:
    """A tiny JWKS endpoint on 127.0.0.1 that counts its requests."""

    def __init__(self, jwks: dict) -> None:
        self.jwks = jwks
        self.status = 200
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests += 1
                body = json.dumps(owner.jwks).encode() if owner.status == 200 else b"oops"
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/eu-west-2_TEST/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def jwks_server(tokens):
    with _JwksServer(tokens.jwks) as server:
        yield server


def test_jwks_is_fetched_once_and_cached(tokens, jwks_server):
    verifier = JwtVerifier(tokens.issuer, tokens.audience, JwksUrlKeySource(jwks_server.url))
    assert jwks_server.requests == 0  # nothing fetched at construction (cold start)

    for officer_id in ("MP4721", "MP5102", "MP2001", "WP1187", "MP4721"):
        assert verifier.verify(tokens.token("officer", "met", officer_id)).officer_id == officer_id

    assert jwks_server.requests == 1


def test_jwks_cache_is_shared_by_threads(tokens, jwks_server):
    verifier = JwtVerifier(tokens.issuer, tokens.audience, JwksUrlKeySource(jwks_server.url))
    verifier.verify(tokens.token("officer", "met", "MP4721"))
    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda i=i: results.append(verifier.verify(tokens.token("officer", "met", f"MP{i}")).officer_id)
        )
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results) == sorted(f"MP{i}" for i in range(8))
    assert jwks_server.requests == 1


def test_jwks_url_source_rejects_bad_signatures_and_unknown_kids(tokens, jwks_server):
    verifier = JwtVerifier(tokens.issuer, tokens.audience, JwksUrlKeySource(jwks_server.url))
    verifier.verify(tokens.token("officer", "met", "MP4721"))

    with pytest.raises(Unauthenticated):
        verifier.verify(tokens.token("officer", "met", "MP4721", key=tokens.other_key))
    with pytest.raises(Unauthenticated):
        verifier.verify(tokens.token("officer", "met", "MP4721", kid="rotated-away"))
    with pytest.raises(Unauthenticated):
        verifier.verify(_hs256_with_public_key(tokens))
    # An unknown kid may trigger one refresh (key rotation), never more than that per token.
    assert 1 <= jwks_server.requests <= 2


def test_every_bad_token_is_unauthenticated_with_the_url_source_too(tokens, jwks_server):
    verifier = JwtVerifier(tokens.issuer, tokens.audience, JwksUrlKeySource(jwks_server.url))
    escaped = {}
    for name, make_token in BAD_TOKENS.items():
        try:
            verifier.verify(make_token(tokens))
            escaped[name] = "accepted"
        except Unauthenticated:
            pass
        except Exception as error:  # noqa: BLE001
            escaped[name] = type(error).__name__
    assert escaped == {}


def test_jwks_endpoint_failure_is_unauthenticated(tokens, jwks_server):
    jwks_server.status = 500
    verifier = JwtVerifier(tokens.issuer, tokens.audience, JwksUrlKeySource(jwks_server.url, timeout_seconds=2))

    with pytest.raises(Unauthenticated):
        verifier.verify(tokens.token("officer", "met", "MP4721"))

    jwks_server.status = 200  # the endpoint recovers: the next request succeeds
    assert verifier.verify(tokens.token("officer", "met", "MP4721")).officer_id == "MP4721"


def test_jwks_endpoint_unreachable_is_unauthenticated(tokens):
    with _JwksServer(tokens.jwks) as closed:
        url = closed.url
    verifier = JwtVerifier(tokens.issuer, tokens.audience, JwksUrlKeySource(url, timeout_seconds=2))

    with pytest.raises(Unauthenticated):
        verifier.verify(tokens.token("officer", "met", "MP4721"))
