"""One frozen settings object, read from the environment once, with defaults for local runs.

Declared as a pydantic model would be, but validated by frozen_settings.py: every function reads
its settings on its first request, and pydantic there cost a citizen's first look-up a third of
its time (issue 17). Request bodies are still validated by pydantic (the schemas package)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from .frozen_settings import Field, FrozenSettings, SecretStr


class Settings(FrozenSettings):
    """Names and knobs. `.chalice/config.json` stages and the local stack set these variables."""

    region: str = "eu-west-2"
    verifications_table: str = "safe-connection-verifications"
    registry_table: str = "safe-connection-registry"
    idempotency_table: str = "safe-connection-idempotency"
    audit_bucket: str = "safe-connection-audit"
    photos_bucket: str = "safe-connection-photos"
    alerts_topic_arn: str = "arn:aws:sns:eu-west-2:123456789012:safe-connection-alerts"
    # Identity: the token issuer and the app client (audience). JWKS defaults to the issuer's.
    token_issuer: str = "https://cognito-idp.eu-west-2.amazonaws.com/local"  # noqa: S105 - an issuer URL, not a secret
    token_audience: str = "local-client"  # noqa: S105 - the local app client id, not a secret
    jwks_url: str | None = None
    # The user pool whose accounts follow the registry (group = role, disabled unless serving).
    user_pool_id: str = ""
    # Where the staff pages sign in (Cognito USER_PASSWORD_AUTH from the browser); the local stack
    # points it at the moto server. Defaults to the region's Cognito endpoint.
    cognito_endpoint_url: str | None = None
    # Whose accounts these are, as staff see it in their authenticator app: "Safe Connection (<label>)"
    # (the force's display name when deployed, the pool's name on the local stack).
    authenticator_label: str = Field(default="local", min_length=1, max_length=60)
    # Links in SMS and responses point here (the force's own site in production).
    public_base_url: str = "http://127.0.0.1:8000"
    # The force's site as the officer's page shows it in words ("Go to sc.met.police.uk/verify"):
    # she types it herself, never follows a link or code from the officer's device (SPEC §7.4).
    # Empty: the host of public_base_url (the local stack); the stack sets the force's domain name.
    citizen_site: str = Field(default="", max_length=100, pattern=r"^[A-Za-z0-9.:-]*$")
    # The forces whose officers this deployment serves, comma-separated: a citizen's request by an
    # officer's number is looked up in these (one per stack in AWS; the local stack seeds two).
    served_forces: str = Field(default="met,wiltshire", pattern=r"^[a-z][a-z0-9-]{1,30}(,[a-z][a-z0-9-]{1,30})*$")
    # The citizen page's language until she switches: "en" or "cy" (the force chooses).
    default_language: str = Field(default="en", pattern="^(en|cy)$")
    # The alphanumeric sender id on each sergeant's SMS (the force's own, registered where the
    # destination country requires it); the stack sets it from infra/config/<force>.json.
    sms_sender_id: str = Field(default="SafeConnect", pattern="^[A-Za-z0-9]{1,11}$")
    chime_media_region: str = "eu-west-2"
    # "aws" uses Chime SDK Meetings; "standin" answers the same calls from memory (no moto Chime).
    chime_backend: str = "aws"
    photo_url_seconds: int = 300
    public_view_hours: int = 24
    idempotency_seconds: int = 3600
    # Audit integrity: the asymmetric KMS key that signs the daily digests.
    audit_signing_key_id: str = ""
    # Symmetric KMS key wrapping the per-verification data keys (location and notes in the audit log).
    audit_data_key_id: str = ""
    personal_data_retention_days: int = Field(default=90, ge=1, le=3650)
    # Each erasure run (every 15 minutes) stops after this long or this many checks, well inside
    # the 20 s function timeout; the next run continues (issue 13, finding 9).
    erasure_budget_seconds: int = Field(default=12, ge=1, le=900)
    erasure_max_checks_per_run: int = Field(default=2000, ge=1, le=100_000)
    # The reconciler (every 10 minutes) copies outbox events older than this that the stream has
    # not copied, within its own budget (issue 13, finding 6).
    audit_reconcile_after_seconds: int = Field(default=300, ge=0, le=86_400)
    audit_reconcile_budget_seconds: int = Field(default=12, ge=1, le=900)
    audit_reconcile_max_chains: int = Field(default=2000, ge=1, le=100_000)
    # Escalation (issue 3): who is texted when, and when an unanswered or undecided check ends.
    timers_queue_url: str = ""
    wave_size: int = Field(default=3, ge=1, le=50)
    wave_interval_seconds: int = Field(default=20, ge=1, le=900)
    answer_timeout_seconds: int = Field(default=90, ge=1, le=86_400)
    decision_timeout_seconds: int = Field(default=600, ge=1, le=86_400)
    max_starts_per_hour: int = Field(default=6, ge=1, le=1000)
    # SPEC §7.2: how long a container may trust a registry answer about a caller (at most 60 s).
    registry_cache_seconds: int = Field(default=60, ge=0, le=60)
    public_views_per_minute: int = Field(default=30, ge=1, le=10_000)
    # Citizens' requests for a check (POST /public/check-requests) per client address per 10 minutes.
    check_requests_per_address: int = Field(default=6, ge=1, le=1000)
    # The key of the HMAC that turns a client address into a rate-limit key (an unkeyed hash of an
    # IPv4 address is reversed by trying all 2^32). In AWS it is a Secrets Manager secret the API
    # function reads once per container (RATE_LIMIT_KEY_SECRET_ARN); RATE_LIMIT_KEY gives the value
    # itself, for tests and scripts only: a secret's value never goes into a Lambda environment.
    rate_limit_key_secret_arn: str = ""
    rate_limit_key: SecretStr | None = Field(default=None, min_length=32)
    # Web Push to the sergeant page (domain/push.py): the key the VAPID signing key and the receipt
    # key are derived from, a Secrets Manager secret read on first use (PUSH_KEY_SECRET_ARN), or
    # PUSH_KEY itself for tests and the local stack. Neither set: no push, every sergeant is texted.
    push_key_secret_arn: str = ""
    push_key: SecretStr | None = Field(default=None, min_length=32)
    # The push services a subscription may point at (scheme://host, "*." for subdomains); empty:
    # the browsers' own (domain/push.py KNOWN_PUSH_SERVICES, imported only when push is used).
    push_services: str = Field(default="", max_length=1000)
    # VAPID's contact for the push services (mailto: or https:); empty: public_base_url.
    push_contact: str = Field(default="", max_length=200, pattern=r"^((mailto:|https?://)\S+)?$")
    push_grace_seconds: int = Field(default=5, ge=1, le=60)  # domain/push.py PUSH_GRACE_SECONDS (a test)

    @property
    def effective_cognito_endpoint(self) -> str:
        return self.cognito_endpoint_url or f"https://cognito-idp.{self.region}.amazonaws.com/"

    @property
    def effective_citizen_site(self) -> str:
        """The site she types: the configured name, else public_base_url without its scheme."""
        return self.citizen_site or urlsplit(self.public_base_url).netloc

    @property
    def push_enabled(self) -> bool:
        return self.push_key is not None or bool(self.push_key_secret_arn)

    @property
    def push_origins(self) -> tuple[str, ...]:
        if not self.push_services:
            from .domain.push import KNOWN_PUSH_SERVICES

            return KNOWN_PUSH_SERVICES
        return tuple(origin.strip() for origin in self.push_services.split(",") if origin.strip())

    @property
    def forces(self) -> tuple[str, ...]:
        return tuple(self.served_forces.split(","))

    @property
    def effective_jwks_url(self) -> str:
        return self.jwks_url or f"{self.token_issuer.rstrip('/')}/.well-known/jwks.json"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name in cls.model_fields:
            key = name.upper()
            if key in env and env[key] != "":
                values[name] = env[key]
        if "region" not in values and env.get("AWS_DEFAULT_REGION"):
            values["region"] = env["AWS_DEFAULT_REGION"]
        return cls.model_validate(values)  # each string is parsed as its field's type
