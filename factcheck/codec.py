"""Values as plain JSON and back, checked against their declared types.

The build cache keeps data, never code: a value is stored as JSON made from its
dataclass fields, and read back only through the type it must have, so a damaged or
crafted entry fails to decode (`CodecError`) instead of becoming something else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from functools import cache
from typing import Any, TypeVar, cast

T = TypeVar("T")


class CodecError(ValueError):
    """Stored data does not have the shape of the type it was read as."""


def dumps(value: object) -> str:
    """Compact, stable JSON for a value made of dataclasses, tuples, dicts and dates."""
    return json.dumps(to_data(value), ensure_ascii=False, separators=(",", ":"))


def loads(kind: type[T], text: str) -> T:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CodecError(f"not JSON: {exc}") from None
    return cast(T, from_data(kind, data))


def to_data(value: object) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {key: to_data(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [to_data(getattr(value, name)) for name, _ in _fields(type(value))]
    raise TypeError(f"cannot store a {type(value).__name__}")


def from_data(kind: Any, data: Any) -> Any:
    """`data` as a value of `kind`, or CodecError when it is not one."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _union(typing.get_args(kind), data)
    if origin is tuple:
        return _tuple(typing.get_args(kind), data)
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind)
        if not isinstance(data, dict):
            raise CodecError(f"expected a mapping, found {type(data).__name__}")
        return {from_data(key_kind, k): from_data(value_kind, v) for k, v in data.items()}
    if kind is type(None):
        if data is not None:
            raise CodecError("expected null")
        return None
    if kind is dt.date:
        try:
            return dt.date.fromisoformat(data)
        except (TypeError, ValueError):
            raise CodecError(f"expected a date, found {data!r}") from None
    if kind in (str, bool):
        if type(data) is not kind:
            raise CodecError(f"expected {kind.__name__}, found {type(data).__name__}")
        return data
    if kind is int:
        if type(data) is not int:
            raise CodecError(f"expected int, found {type(data).__name__}")
        return data
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind, data)
    raise CodecError(f"cannot read a {kind!r}")


def _union(options: tuple[Any, ...], data: Any) -> Any:
    if data is None and type(None) in options:
        return None
    for option in options:
        if option is not type(None):
            try:
                return from_data(option, data)
            except CodecError:
                continue
    raise CodecError(f"{data!r} is none of {options}")


def _tuple(args: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise CodecError(f"expected a list, found {type(data).__name__}")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(from_data(args[0], item) for item in data)
    if len(args) != len(data):
        raise CodecError(f"expected {len(args)} items, found {len(data)}")
    return tuple(from_data(a, item) for a, item in zip(args, data, strict=True))


def _dataclass(kind: Any, data: Any) -> Any:
    fields = _fields(kind)
    if not isinstance(data, list) or len(data) != len(fields):
        raise CodecError(f"expected {kind.__name__} as {len(fields)} values")
    return kind(*(from_data(t, item) for (_, t), item in zip(fields, data, strict=True)))


@cache
def _fields(kind: Any) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(kind)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(kind) if f.init)
