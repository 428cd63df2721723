"""The SQS consumer for escalation timers."""

from __future__ import annotations

from ..adapters.sqs_timers import timer_from_body
from ..bootstrap import get_dependencies
from ..observability import logger
from ..services import timers


def handle_timer_messages(bodies: list[str]) -> list[str]:
    """Run each timer; a malformed message is logged and dropped (retrying would not fix it)."""
    results = []
    for body in bodies:
        logger.remove_keys(["verification_id"])
        try:
            timer = timer_from_body(body)
        except ValueError:
            logger.error("timer_message_malformed")
            results.append("malformed")
            continue
        result = timers.handle_timer(get_dependencies(), timer)
        logger.info("timer_handled", extra={"timer": timer.kind.value, "result": result})
        results.append(result)
    return results
