"""Work moto repeats in every test's world or on every request, done once instead.

The `aws` fixture turns them on for its world (`active()`). Each is a pure computation whose result
moto never mutates, so sharing it changes no behaviour:

- every KMS key moto creates gets an RSA-2048 private key generated on the spot (~150 ms each, even
  for symmetric keys, where it is only used if someone asks for a public key), and a stack makes
  three. Keys are now taken from a per-process pool that grows on demand, rewound as each world
  starts, so within one world every key is still distinct, as with moto's own generation; only
  separate worlds, which share nothing, reuse them;
- every Cognito user pool imports the same static JWK from moto's resources (`jwks-private.json`),
  recovering its RSA primes each time (~400 ms). The imported key is now cached by its content;
- every request lists the public functions of its service's response class with `inspect.getmembers`
  (~1 ms of a ~15 ms request). Classes do not change while tests run: the list is cached per class;
- a DynamoDB transaction backs up each table it writes, for the rollback, with one deep copy per item
  naming it (a transition writes a check and its audit events: one copy of the table per item).
  The copies are taken before any item is written, so they are identical: one is now taken per table.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import json
import types
from collections.abc import Iterator
from typing import Any

_pools: dict[tuple[str, int], list[Any]] = {}
_cursor: dict[tuple[str, int], int] = {}
# (object, attribute, replacement), made once per process.
_patches: list[tuple[Any, str, Any]] = []


@contextlib.contextmanager
def active() -> Iterator[None]:
    """The patches, for one world: in place while it lasts, moto as published outside it.

    (tests/unit/test_moto_transactions.py, say, counts moto's own table copies on a mock of its own.)
    The pooled KMS keys are handed out again from the first one, so within a world all are distinct.
    """
    if not _patches:
        _install_kms_key_pool()
        _install_cognito_jwk_cache()
        _install_response_method_names_cache()
        _install_one_backup_per_table()
    saved = [(target, name, getattr(target, name)) for target, name, _ in _patches]
    _cursor.clear()
    for target, name, replacement in _patches:
        setattr(target, name, replacement)
    try:
        yield
    finally:
        for target, name, original in reversed(saved):
            setattr(target, name, original)


def _install_kms_key_pool() -> None:
    import moto.kms.models as kms_models
    from moto.kms.models import KeySpec
    from moto.kms.utils import RSAPrivateKey

    generate = kms_models.generate_private_key

    def rsa_size(key_spec: str) -> int | None:
        # moto's generate_private_key: RSA_3072/4096 as named, ECC its own, anything else RSA-2048.
        if key_spec in KeySpec.ecc_key_specs():
            return None
        return {KeySpec.RSA_3072: 3072, KeySpec.RSA_4096: 4096}.get(key_spec, 2048)

    def pooled_private_key(key_spec: str) -> Any:
        size = rsa_size(key_spec)
        if size is None:
            return generate(key_spec)  # EC keys are cheap to make
        slot = ("RSA", size)
        pool = _pools.setdefault(slot, [])
        index = _cursor.get(slot, 0)
        _cursor[slot] = index + 1
        if index == len(pool):
            pool.append(RSAPrivateKey(key_size=size))
        return pool[index]

    _patches.append((kms_models, "generate_private_key", pooled_private_key))


def _install_cognito_jwk_cache() -> None:
    import moto.cognitoidp.models as cognito_models

    jwk = cognito_models.jwk

    @functools.lru_cache(maxsize=4)
    def import_key_once(text: str) -> Any:
        return jwk.RSAKey.import_key(json.loads(text))

    def import_key(value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(value, dict):
            return jwk.RSAKey.import_key(value, *args, **kwargs)
        return import_key_once(json.dumps(value, sort_keys=True))

    rsa_key = types.SimpleNamespace(import_key=import_key)
    names = {name: getattr(jwk, name) for name in dir(jwk) if not name.startswith("__")}
    _patches.append((cognito_models, "jwk", types.SimpleNamespace(**{**names, "RSAKey": rsa_key})))


def _install_response_method_names_cache() -> None:
    import moto.core.responses as responses
    import moto.core.utils as utils

    @functools.cache
    def method_names(clazz: type) -> tuple[str, ...]:
        return tuple(utils.method_names_from_class(clazz))

    def method_names_from_class(clazz: Any) -> list[str]:
        return list(method_names(clazz)) if isinstance(clazz, type) else utils.method_names_from_class(clazz)

    _patches.append((responses, "method_names_from_class", method_names_from_class))


_table_backups: contextvars.ContextVar[dict[int, Any] | None] = contextvars.ContextVar("table_backups", default=None)


def _install_one_backup_per_table() -> None:
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.table import Table

    transact_write_items = dynamodb_models.DynamoDBBackend.transact_write_items

    class CopyModule(types.ModuleType):
        """`copy` as moto.dynamodb.models sees it: inside a transaction, a table is copied once."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            backups = _table_backups.get()
            if backups is None or memo is not None or not isinstance(value, Table):
                return copy.deepcopy(value, memo)
            if id(value) not in backups:
                backups[id(value)] = (value, copy.deepcopy(value))
            return backups[id(value)][1]

    def one_backup_per_table(self: Any, transact_items: list[dict[str, Any]]) -> None:
        token = _table_backups.set({})
        try:
            transact_write_items(self, transact_items)
        finally:
            _table_backups.reset(token)

    _patches.append((dynamodb_models, "copy", CopyModule("copy")))
    _patches.append((dynamodb_models.DynamoDBBackend, "transact_write_items", one_backup_per_table))
