"""The AWS errors the real adapters let through, raised the same way by the fakes."""

from __future__ import annotations

from botocore.exceptions import ClientError


def aws_error(code: str, operation: str, reasons: list[str] | None = None) -> ClientError:
    """A botocore ClientError as the service returns it (with cancellation reasons for a transaction)."""
    response: dict = {"Error": {"Code": code, "Message": f"{code} (raised by an in-memory fake)"}}
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": reason} for reason in reasons]
    return ClientError(response, operation)


def transaction_cancelled(reasons: list[str]) -> ClientError:
    """What TransactWriteItems raises when a condition of one of its items fails."""
    return aws_error("TransactionCanceledException", "TransactWriteItems", reasons)
