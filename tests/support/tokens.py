"""Mint real RS256 ID tokens (Cognito's shape) with a key made for the test session."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class TokenFactory:
    def __init__(self, issuer: str, audience: str, kid: str = "test-key-1") -> None:
        self.issuer = issuer
        self.audience = audience
        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        public_jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
        self.jwks = {"keys": [public_jwk]}

    def claims(self, role: str | None, force: str, officer_id: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": str(uuid.uuid4()),
            "iss": self.issuer,
            "aud": self.audience,
            "token_use": "id",
            "iat": now,
            "auth_time": now,
            "exp": now + 3600,
            "cognito:groups": [role] if role else [],
            "cognito:username": officer_id.lower(),
            "custom:force": force,
            "custom:officer_id": officer_id,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self,
        role: str | None,
        force: str,
        officer_id: str,
        *,
        key: Any = None,
        kid: str | None = None,
        **overrides: Any,
    ) -> str:
        return jwt.encode(
            self.claims(role, force, officer_id, **overrides),
            key or self.private_key,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )

    def header(self, role: str | None, force: str, officer_id: str, **kwargs: Any) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token(role, force, officer_id, **kwargs)}",
            "Content-Type": "application/json",
        }
