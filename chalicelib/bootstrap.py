"""Composition root: the one place where real adapters are built and wired.

Everything is built lazily, once per Lambda container (never at import, never per request), so cold
starts stay cheap and tests can `override()` the whole set with their own.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .domain.clock import Clock, utc_now
from .domain.references import new_reference
from .settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from . import ports
    from .adapters.identity import JwtVerifier
    from .domain.escalation import EscalationPolicy
    from .frozen_settings import SecretStr
    from .services.registry_gate import RegistryCache


def new_verification_id() -> str:
    """16 URL-safe characters (96 random bits): short enough to keep the SMS in one segment.

    Never starting with '-' or '_', so an id pasted into a command line is never read as an option.
    """
    while True:
        candidate = secrets.token_urlsafe(12)
        if candidate[0].isalnum():
            return candidate


class Dependencies:
    """Adapters and policies the services need. Each is built on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        new_id: ports.IdFactory = new_verification_id,
        new_event_id: ports.IdFactory = lambda: str(uuid.uuid4()),
        reference_factory: ports.IdFactory = new_reference,
        session: Any = None,
        chime_standin: Any = None,
        push_post: Any = None,
        invitations: Any = None,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.new_id = new_id
        self.new_event_id = new_event_id
        self.new_reference = reference_factory
        self._session = session
        self._chime_standin = chime_standin
        # Where pushes are POSTed instead of the internet (local/push_standin.py), if anywhere.
        self._push_post = push_post
        # Where invitations go instead of Cognito's email (the local stack's file), if anywhere.
        self._invitations = invitations
        # botocore Config settings for the clients, over the defaults below (bulk jobs ask for
        # adaptive retries and longer reads); a client with its own attempt count (SNS: one, the
        # notifier retries) keeps it.
        self._client_options = client_options or {}
        self._client_lock = threading.Lock()

    @cached_property
    def _boto3_session(self) -> Any:
        """One session per container: each new session loads botocore's endpoint and partition data
        again (tens of milliseconds a client on a cold start)."""
        import boto3

        return self._session or boto3.session.Session()

    def _client(self, service: str, max_attempts: int | None = None) -> Any:
        from botocore.config import Config

        session = self._boto3_session
        options: dict[str, Any] = {
            "retries": {"mode": "standard", "max_attempts": 3},
            "connect_timeout": 3,
            "read_timeout": 5,
            **self._client_options,
        }
        if max_attempts:
            options["retries"] = {"mode": "standard", "max_attempts": max_attempts}
        config = Config(region_name=self.settings.region, **options)
        # A boto3 session is not safe to make clients from in two threads at once (the local stack's workers).
        with self._client_lock:
            return session.client(service, config=config)

    @cached_property
    def dynamodb(self) -> Any:
        return self._client("dynamodb")

    @cached_property
    def verifications(self) -> ports.VerificationStore:
        from .adapters.dynamodb.verifications import DynamoVerificationRepository

        # Consultation marks are short-lived: they go to the table with a TTL (the idempotency table).
        return DynamoVerificationRepository(
            self.dynamodb, self.settings.verifications_table, marks_table=self.settings.idempotency_table
        )

    @cached_property
    def registry(self) -> ports.Registry:
        from .adapters.dynamodb.registry import DynamoRegistry

        return DynamoRegistry(self.dynamodb, self.settings.registry_table)

    @cached_property
    def registry_cache(self) -> RegistryCache:
        """What the registry said about each caller, trusted for at most a minute (SPEC §7.2)."""
        from .services.registry_gate import RegistryCache

        return RegistryCache(self.registry, self.clock, self.settings.registry_cache_seconds)

    @cached_property
    def sns(self) -> Any:
        # One attempt per call: SnsSergeantNotifier retries with its own, audited backoff.
        return self._client("sns", max_attempts=1)

    @cached_property
    def sms(self) -> ports.SergeantNotifier:
        from .adapters.sns import SnsSergeantNotifier

        return SnsSergeantNotifier(self.sns, sender_id=self.settings.sms_sender_id)

    @cached_property
    def web_push(self) -> ports.WebPush:
        """Web Push to sergeants' pages; its key is read on first use (a wave with a push in it)."""
        from .adapters.web_push import VapidWebPush

        secret = self._secret(self.settings.push_key, self.settings.push_key_secret_arn,
                              "Web Push is off: set PUSH_KEY_SECRET_ARN (or PUSH_KEY outside AWS)")
        contact = self.settings.push_contact or self.settings.public_base_url
        if self._push_post is not None:  # the local stack's and the tests' push-service stand-in
            return VapidWebPush(secret, contact, post=self._push_post)
        return VapidWebPush(secret, contact)

    @cached_property
    def alerts(self) -> ports.AlertPublisher:
        from .adapters.sns import SnsAlertPublisher

        return SnsAlertPublisher(self.sns, self.settings.alerts_topic_arn)

    @cached_property
    def alert_store(self) -> ports.AlertStore:
        """Alerts as records, stored before they are published (SPEC §7.3)."""
        from .adapters.dynamodb.alerts import DynamoAlertStore

        return DynamoAlertStore(self.dynamodb, self.settings.verifications_table)

    @cached_property
    def s3(self) -> Any:
        return self._client("s3")

    @cached_property
    def audit_log(self) -> ports.AuditLog:
        from .adapters.s3_audit import S3AuditLog

        return S3AuditLog(self.s3, self.settings.audit_bucket)

    @cached_property
    def audit_index(self) -> ports.AuditIndex:
        from .adapters.dynamodb.audit_index import DynamoAuditIndex

        return DynamoAuditIndex(self.dynamodb, self.settings.verifications_table)

    @cached_property
    def audit_outbox(self) -> ports.AuditOutbox:
        from .adapters.audit_outbox import DynamoAuditOutbox

        return DynamoAuditOutbox(self.dynamodb, self.settings.verifications_table)

    @cached_property
    def kms(self) -> Any:
        return self._client("kms")

    @cached_property
    def envelope(self) -> ports.Envelope:
        from .adapters.envelope import KmsEnvelope

        return KmsEnvelope(
            self.kms, self.dynamodb, self.settings.verifications_table, self.settings.audit_data_key_id
        )

    @cached_property
    def digest_signer(self) -> ports.DigestSigner:
        from .adapters.kms_signer import KmsDigestSigner

        return KmsDigestSigner(self.kms, self.settings.audit_signing_key_id)

    @cached_property
    def photos(self) -> ports.PhotoLinks:
        from .adapters.s3_audit import S3PhotoLinks

        return S3PhotoLinks(self.s3, self.settings.photos_bucket, self.settings.photo_url_seconds)

    @cached_property
    def photo_store(self) -> ports.PhotoStore:
        from .adapters.s3_audit import S3PhotoStore

        return S3PhotoStore(self.s3, self.settings.photos_bucket)

    @cached_property
    def users(self) -> ports.UserDirectory:
        from .adapters.cognito_users import CognitoUserDirectory

        return CognitoUserDirectory(self._client("cognito-idp"), self.settings.user_pool_id, self._invitations)

    @cached_property
    def meetings(self) -> ports.Meetings:
        from .adapters.chime import ChimeMeetings

        client = self._client("chime-sdk-meetings")
        if self.settings.chime_backend == "standin":
            # chalicelib/local/ is not in the Lambda package: whoever runs the stand-in passes it in.
            if self._chime_standin is None:
                raise RuntimeError(
                    "CHIME_BACKEND=standin needs a Chime stand-in passed as Dependencies(chime_standin=...) "
                    "(the local stack and the tests do); deployed functions run with CHIME_BACKEND=aws"
                )
            self._chime_standin.install(client)
        return ChimeMeetings(client, self.settings.chime_media_region)

    @cached_property
    def timers(self) -> ports.TimerScheduler:
        from .adapters.sqs_timers import SqsTimers

        return SqsTimers(self._client("sqs"), self.settings.timers_queue_url, self.clock)

    @cached_property
    def escalation(self) -> EscalationPolicy:
        from .domain.escalation import EscalationPolicy

        return EscalationPolicy(
            wave_size=self.settings.wave_size,
            wave_interval_seconds=self.settings.wave_interval_seconds,
            answer_timeout_seconds=self.settings.answer_timeout_seconds,
            decision_timeout_seconds=self.settings.decision_timeout_seconds,
        )

    @cached_property
    def rate_limiter(self) -> ports.RateLimiter:
        from .adapters.rate_limits import DynamoRateLimiter

        return DynamoRateLimiter(self.dynamodb, self.settings.idempotency_table)

    @cached_property
    def alert_folds(self) -> ports.AlertFolds:
        """Repeated refusals of one caller raise one alert per window (their counts in the next)."""
        from .adapters.alert_folds import DynamoAlertFolds

        return DynamoAlertFolds(self.dynamodb, self.settings.idempotency_table)

    @cached_property
    def lookup_passes(self) -> ports.LookupPasses:
        from .adapters.rate_limits import DynamoLookupPasses

        return DynamoLookupPasses(self.dynamodb, self.settings.idempotency_table)

    @cached_property
    def client_address_keys(self) -> ports.AddressPseudonyms:
        """The keyed pseudonyms of client addresses: the key is read once per container."""
        from .adapters.rate_limits import ClientAddressKeys

        # Refused rather than falling back to an unkeyed (reversible) or per-container key.
        return ClientAddressKeys(self._secret(
            self.settings.rate_limit_key, self.settings.rate_limit_key_secret_arn,
            "set RATE_LIMIT_KEY_SECRET_ARN (or RATE_LIMIT_KEY outside AWS) for the public rate limits",
        ))

    def _secret(self, configured: SecretStr | None, secret_arn: str, missing: str) -> bytes:
        """A key given outright (tests, local runs) or read from Secrets Manager (AWS: never in the
        environment), once per container by the cached property that asks; RuntimeError if neither."""
        if configured is not None:
            return configured.get_secret_value().encode("utf-8")
        if not secret_arn:
            raise RuntimeError(missing)
        secret: str = self._client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
        return secret.encode("utf-8")

    @cached_property
    def identity(self) -> JwtVerifier:
        from .adapters.identity import JwksUrlKeySource, JwtVerifier

        return JwtVerifier(
            issuer=self.settings.token_issuer,
            audience=self.settings.token_audience,
            key_source=JwksUrlKeySource(self.settings.effective_jwks_url),
        )

    @cached_property
    def idempotency_store(self) -> DynamoDBPersistenceLayer:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(
            table_name=self.settings.idempotency_table, boto3_client=self.dynamodb
        )


_current: Dependencies | None = None
_current_lock = threading.Lock()


def get_dependencies() -> Dependencies:
    """The container's Dependencies, built from the environment on first use."""
    global _current
    with _current_lock:
        if _current is None:
            _current = Dependencies(Settings.from_env())
        return _current


def override(dependencies: Dependencies | None) -> None:
    """Swap in other Dependencies (tests, the local stack); None resets to the environment's."""
    global _current
    with _current_lock:
        _current = dependencies
