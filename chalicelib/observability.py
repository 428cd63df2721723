"""One Logger and one Metrics for the whole app (Powertools). No personal data goes in either:
log officer ids and verification ids, never names, phone numbers, photos or locations."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "safe-connection"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SafeConnection", service=SERVICE)

__all__ = ["MetricUnit", "flush_metrics", "logger", "metrics"]


def flush_metrics() -> None:
    """Emit what this request recorded (EMF to stdout); silent when nothing was recorded."""
    if metrics.metric_set:
        metrics.flush_metrics()
