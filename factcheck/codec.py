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
from collections.abc import Callable
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
    return _decoder(kind)(data)


Decoder = Callable[[Any], Any]


@cache
def _decoder(kind: Any) -> Decoder:
    """A function reading data as `kind`, made once per type: values are read by the
    ten thousand, and walking the type hints for each would cost more than the data."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _union(typing.get_args(kind))
    if origin is tuple:
        return _tuple(typing.get_args(kind))
    if origin is dict:
        return _mapping(*typing.get_args(kind))
    if kind is type(None):
        return _none
    if kind is dt.date:
        return _date
    if kind in (str, bool, int):
        return _exactly(kind)
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    raise TypeError(f"cannot read a {kind!r}")


def _none(data: Any) -> None:
    if data is not None:
        raise CodecError("expected null")


def _date(data: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(data)
    except (TypeError, ValueError):
        raise CodecError(f"expected a date, found {data!r}") from None


def _exactly(kind: type) -> Decoder:
    def read(data: Any) -> Any:
        if type(data) is not kind:
            raise CodecError(f"expected {kind.__name__}, found {type(data).__name__}")
        return data

    return read


def _union(options: tuple[Any, ...]) -> Decoder:
    nullable = type(None) in options
    decoders = [_decoder(o) for o in options if o is not type(None)]

    def read(data: Any) -> Any:
        if data is None and nullable:
            return None
        for decoder in decoders:
            try:
                return decoder(data)
            except CodecError:
                continue
        raise CodecError(f"{data!r} is none of {options}")

    return read


def _tuple(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])

        def read_all(data: Any) -> tuple[Any, ...]:
            if not isinstance(data, list):
                raise CodecError(f"expected a list, found {type(data).__name__}")
            return tuple(item(d) for d in data)

        return read_all
    if all(a is str for a in args):  # a page list's rows, by the ten thousand
        return _strings(len(args))
    items = [_decoder(a) for a in args]

    def read(data: Any) -> tuple[Any, ...]:
        if not isinstance(data, list) or len(data) != len(items):
            raise CodecError(f"expected a list of {len(items)} items")
        return tuple(decode(d) for decode, d in zip(items, data, strict=True))

    return read


def _strings(length: int) -> Decoder:
    def read(data: Any) -> tuple[str, ...]:
        if type(data) is not list or len(data) != length:
            raise CodecError(f"expected a list of {length} items")
        for item in data:
            if type(item) is not str:
                raise CodecError(f"expected str, found {type(item).__name__}")
        return tuple(data)

    return read


def _mapping(key_kind: Any, value_kind: Any) -> Decoder:
    key, value = _decoder(key_kind), _decoder(value_kind)

    def read(data: Any) -> dict[Any, Any]:
        if not isinstance(data, dict):
            raise CodecError(f"expected a mapping, found {type(data).__name__}")
        return {key(k): value(v) for k, v in data.items()}

    return read


def _dataclass(kind: Any) -> Decoder:
    fields: list[Decoder] = []

    def read(data: Any) -> Any:
        if not fields:  # filled on first use: a dataclass may refer to itself
            fields.extend(_decoder(t) for _, t in _fields(kind))
        if not isinstance(data, list) or len(data) != len(fields):
            raise CodecError(f"expected {kind.__name__} as {len(fields)} values")
        return kind(*(decode(d) for decode, d in zip(fields, data, strict=True)))

    return read


@cache
def _fields(kind: Any) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(kind)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(kind) if f.init)
