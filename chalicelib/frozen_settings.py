"""A frozen, validated settings class without pydantic, declared the way pydantic declares one.

Every Lambda function reads its Settings on its first request; as a pydantic model that alone
imported pydantic and built a validator (about a third of a citizen's first look-up, issue 17),
although the routes that read no request body never need pydantic. Settings are flat: strings,
whole numbers, optional strings and one secret, each with simple bounds. This validates exactly
those, with pydantic's spelling (`Field(default=..., ge=..., le=..., min_length=..., max_length=...,
pattern=...)`, `SecretStr`, `model_fields`, `model_validate`, `model_copy(update=...)`), so a
setting is still declared in one line. Anything richer belongs in a pydantic model, not here.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Any, ClassVar, Self


class SettingsError(ValueError):
    """A setting with a value of the wrong type or out of its bounds (names the setting)."""


class SecretStr:
    """A secret value that never shows in a repr or a log line."""

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "SecretStr('**********')"


@dataclass(frozen=True)
class FieldInfo:
    default: Any = None
    ge: int | None = None
    le: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    annotation: Any = None


def Field(default: Any = None, *, ge: int | None = None, le: int | None = None,
          min_length: int | None = None, max_length: int | None = None, pattern: str | None = None) -> Any:
    """A setting's default and bounds (typed Any, as pydantic's, so `x: int = Field(...)` checks)."""
    return FieldInfo(default, ge, le, min_length, max_length, pattern)


class FrozenSettings:
    """Base class: annotated class attributes are the settings; instances are validated and frozen."""

    model_fields: ClassVar[dict[str, FieldInfo]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hints = typing.get_type_hints(cls)
        fields: dict[str, FieldInfo] = {}
        for name, annotation in hints.items():
            if typing.get_origin(annotation) is ClassVar:
                continue
            declared = cls.__dict__.get(name)
            info = declared if isinstance(declared, FieldInfo) else FieldInfo(default=declared)
            fields[name] = FieldInfo(info.default, info.ge, info.le, info.min_length, info.max_length,
                                     info.pattern, annotation)
        cls.model_fields = fields

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.model_fields)
        if unknown:
            raise SettingsError(f"{type(self).__name__}: unknown settings {sorted(unknown)}")
        for name, info in self.model_fields.items():
            raw = values.get(name, info.default)
            object.__setattr__(self, name, _validated(name, raw, info) if name in values else raw)

    @classmethod
    def model_validate(cls, values: dict[str, Any]) -> Self:
        return cls(**values)

    def model_copy(self, update: dict[str, Any] | None = None) -> Self:
        """A copy with some settings changed (validated, unlike pydantic's: a copy stays valid)."""
        values = {name: getattr(self, name) for name in self.model_fields}
        values.update(update or {})
        return type(self)(**values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: use model_copy(update=...)")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, name) == getattr(other, name) for name in self.model_fields)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self.model_fields))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.model_fields)
        return f"{type(self).__name__}({shown})"


def _validated(name: str, value: Any, info: FieldInfo) -> Any:
    """`value` as the setting's type (environment strings parsed), within its bounds."""
    annotation = info.annotation
    options = typing.get_args(annotation) if isinstance(annotation, UnionType) else (annotation,)
    if value is None:
        if NoneType in options:
            return None
        raise SettingsError(f"{name}: a value is required")
    kind = next(option for option in options if option is not NoneType)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise SettingsError(f"{name}: must be a whole number")
        try:
            value = int(value)
        except ValueError:
            raise SettingsError(f"{name}: must be a whole number, not {value!r}") from None
        if info.ge is not None and value < info.ge:
            raise SettingsError(f"{name}: must be at least {info.ge}")
        if info.le is not None and value > info.le:
            raise SettingsError(f"{name}: must be at most {info.le}")
        return value
    if kind is SecretStr:
        secret = value if isinstance(value, SecretStr) else SecretStr(_text(name, value))
        _check_text(name, secret.get_secret_value(), info)
        return secret
    if kind is str:
        _check_text(name, _text(name, value), info)
        return value
    raise TypeError(f"{name}: settings of type {annotation!r} are not supported")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{name}: must be text")
    return value


def _check_text(name: str, value: str, info: FieldInfo) -> None:
    if info.min_length is not None and len(value) < info.min_length:
        raise SettingsError(f"{name}: must be at least {info.min_length} characters")
    if info.max_length is not None and len(value) > info.max_length:
        raise SettingsError(f"{name}: must be at most {info.max_length} characters")
    if info.pattern is not None and re.search(info.pattern, value) is None:
        raise SettingsError(f"{name}: must match {info.pattern}")
