"""One Logger and one Metrics for the whole app (Powertools). No personal data goes in either:
log officer ids and verification ids, never names, phone numbers, photos or locations."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "safe-connection"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SafeConnection", service=SERVICE)

__all__ = ["MetricUnit", "error_code", "flush_metrics", "logger", "metrics"]


def flush_metrics() -> None:
    """Emit what this request recorded (EMF to stdout); silent when nothing was recorded."""
    if metrics.metric_set:
        metrics.flush_metrics()


def error_code(error: Exception) -> str:
    """A log-safe description of a failure: the AWS error code or the exception class, no message
    (provider messages can echo a phone number or a name)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Code"):
        return str(response["Error"]["Code"])
    return type(error).__name__
