"""infra/checks.py: where a cdk-nag finding on the expanded template is reported."""

from __future__ import annotations

from infra.checks import violation_place


def test_a_finding_is_placed_at_its_resource_under_the_included_template():
    assert violation_place("Expanded/Template/ApiHandler", None) == "ApiHandler"


def test_a_finding_that_names_only_a_logical_id_is_placed_there():
    # cdk-nag sets either the construct path or the logical id; the latter used to crash the check.
    assert violation_place(None, "ApiHandlerRole") == "ApiHandlerRole"
