"""The local Cognito (moto) refusing what the deployed pool refuses: writes to immutable attributes.

The pool's `custom:force` and `custom:officer_id` are immutable (`Mutable: False`, SPEC §7.1): they
are set when the account is created and never again. moto 5.2 stores the flag but lets anyone
write the attribute, so on the local stack a signed-in officer could rewrite her own force with
`UpdateUserAttributes` and her next ID token would carry it. Installed here:

* `UpdateUserAttributes` (the user's own access token) naming an immutable attribute is refused
  with `InvalidParameterException`, and nothing is written;
* `AdminUpdateUserAttributes` that would change an immutable attribute's value is refused the
  same way (the administrator sets it once, with `AdminCreateUser`).

Only the local stack installs it (`install()`); the app's own tests run on moto as published.
"""

from __future__ import annotations

from typing import Any

_MARK = "_safe_connection_immutable"


def install() -> None:
    """Wrap moto's attribute updates in this process (idempotent)."""
    from moto.cognitoidp.models import CognitoIdpBackend

    if getattr(CognitoIdpBackend.update_user_attributes, _MARK, False):
        return
    own, admin = CognitoIdpBackend.update_user_attributes, CognitoIdpBackend.admin_update_user_attributes

    def update_user_attributes(self: Any, access_token: str, attributes: list[dict[str, str]]) -> None:
        for pool in self.user_pools.values():
            if access_token in pool.access_tokens:
                _refuse(pool, {a["Name"] for a in attributes})
        return own(self, access_token, attributes)

    def admin_update_user_attributes(self: Any, user_pool_id: str, username: str,
                                     attributes: list[dict[str, str]]) -> None:
        pool = self.describe_user_pool(user_pool_id)
        current = self.admin_get_user(user_pool_id, username).attribute_lookup
        _refuse(pool, {a["Name"] for a in attributes if current.get(a["Name"]) != a.get("Value")})
        return admin(self, user_pool_id, username, attributes)

    setattr(update_user_attributes, _MARK, True)
    CognitoIdpBackend.update_user_attributes = update_user_attributes  # type: ignore[method-assign]
    CognitoIdpBackend.admin_update_user_attributes = admin_update_user_attributes  # type: ignore[method-assign]


def _refuse(pool: Any, names: set[str]) -> None:
    from moto.cognitoidp.exceptions import InvalidParameterException

    immutable = sorted(n for n in names if n in pool.schema_attributes and not pool.schema_attributes[n].mutable)
    if immutable:
        raise InvalidParameterException(
            "".join(f"user.{name}: Attribute cannot be updated.\n" for name in immutable)
        )
