"""Names imported on first use, so a Lambda container imports only what the request it serves needs.

Chalice learns the routes by importing every blueprint, and each blueprint names its use cases and
request models at the top. Imported eagerly, a citizen's first look-up paid for every use case and
pydantic model of the app (issue 17). Bound through these, a name is imported when a request first
uses it; type checkers see the real imports (under `TYPE_CHECKING`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


class LazyModule:
    """A module imported at the first attribute read (the import system's own locks make it thread-safe)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


class LazyName:
    """One name of a module, imported when first called or resolved (a function or a model class)."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def resolve(self) -> Any:
        return getattr(import_module(self.module), self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<lazy {self.module}.{self.name}>"


def lazy_modules(*names: str) -> tuple[LazyModule, ...]:
    return tuple(LazyModule(name) for name in names)


def lazy_names(module: str, *names: str) -> tuple[LazyName, ...]:
    return tuple(LazyName(module, name) for name in names)


def resolved(value: Any) -> Any:
    """The object itself, whether bound directly or through `LazyName`."""
    return value.resolve() if isinstance(value, LazyName) else value
