"""The staff accounts' password rules: the Cognito pool's policy, deployed (infra) and local alike.

One statement of the policy in Cognito's own shape (`Policies.PasswordPolicy`): the local pool is
created with it, tests/infra holds the deployed pool's template to it, and the staff pages list it
(checked as she types, before Cognito sees the password).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PASSWORD_POLICY: dict[str, Any] = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 3,
}

# What Cognito counts as a symbol (besides a space that is neither first nor last).
COGNITO_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"


def password_rules(policy: Mapping[str, Any] = PASSWORD_POLICY) -> list[tuple[str, str]]:
    """(rule, plain words) for each rule the policy sets, in the order the page lists them."""
    rules = [("length", f"At least {policy['MinimumLength']} characters")]
    if policy.get("RequireUppercase"):
        rules.append(("upper", "A capital letter (A-Z)"))
    if policy.get("RequireLowercase"):
        rules.append(("lower", "A small letter (a-z)"))
    if policy.get("RequireNumbers"):
        rules.append(("digit", "A number (0-9)"))
    if policy.get("RequireSymbols"):
        rules.append(("symbol", "A symbol, such as ! ? # - or a space between words"))
    return rules
