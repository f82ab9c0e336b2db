"""Converters between dataclass field values and the plain trees msgpack / JSON carry.

A field's type hint is compiled once into an encoder (Python value -> wire value, or ``None`` when
the value goes on the wire unchanged) and a decoder (wire value -> Python value, validating as it
goes).  Supported: ``bool int float str bytes``, ``enum.Enum`` subclasses (by value),
``X | None``, ``list[X]``, ``tuple[X, ...]``, ``dict[str, X]`` (keys may be a ``StrEnum``),
nested registered dataclasses, and ``Any`` (a plain tree of the types above).
In JSON, ``bytes`` travel as standard padded base64 strings; in msgpack as ``bin``.
"""

from __future__ import annotations

import binascii
import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any

Encoder = Callable[[Any], Any] | None
Decoder = Callable[[Any], Any]


class FieldValueError(ValueError):
    """A wire value does not fit its field's type (internal; wrapped into PayloadDecodeError)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def under(self, step: str) -> FieldValueError:
        """Return the same error with ``step`` prepended to its field path."""
        if not self.path:
            self.path = step
        elif self.path.startswith("["):
            self.path = step + self.path
        else:
            self.path = f"{step}.{self.path}"
        return self


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _dec_int(v: Any) -> int:
    if type(v) is int:
        return v
    raise FieldValueError(f"expected int, got {_describe(v)}")


def _dec_float(v: Any) -> float:
    t = type(v)
    if t is float:
        return v
    if t is int:
        return float(v)
    raise FieldValueError(f"expected float, got {_describe(v)}")


def _dec_str(v: Any) -> str:
    if type(v) is str:
        return v
    raise FieldValueError(f"expected str, got {_describe(v)}")


def _dec_bool(v: Any) -> bool:
    if type(v) is bool:
        return v
    raise FieldValueError(f"expected bool, got {_describe(v)}")


def _dec_bytes(v: Any) -> bytes:
    if type(v) is bytes:
        return v
    raise FieldValueError(f"expected bytes (msgpack bin), got {_describe(v)}")


def _enc_bytes_json(v: Any) -> str:
    return binascii.b2a_base64(v, newline=False).decode("ascii")


def _dec_bytes_json(v: Any) -> bytes:
    if type(v) is not str:
        raise FieldValueError(f"expected bytes as a base64 string, got {_describe(v)}")
    try:
        return binascii.a2b_base64(v, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise FieldValueError(f"invalid base64 for a bytes field: {exc}") from None


def check_plain(value: Any, *, json: bool, depth: int = 0) -> None:
    """Raise FieldValueError unless ``value`` is a plain tree (None/bool/int/float/str/[bytes]/list/dict)."""
    if depth > 64:
        raise FieldValueError("nesting deeper than 64 levels")
    t = type(value)
    if value is None or t in (bool, int, float, str):
        return
    if t is bytes:
        if json:
            raise FieldValueError("bytes cannot travel in a JSON free-form value; send binary or base64 it")
        return
    if t is list or t is tuple:
        for i, item in enumerate(value):
            try:
                check_plain(item, json=json, depth=depth + 1)
            except FieldValueError as exc:
                raise exc.under(f"[{i}]") from None
        return
    if t is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise FieldValueError(f"map keys must be str, got {_describe(key)}")
            try:
                check_plain(item, json=json, depth=depth + 1)
            except FieldValueError as exc:
                raise exc.under(key) from None
        return
    raise FieldValueError(f"{_describe(value)} is not a plain value (None/bool/int/float/str/bytes/list/dict)")


def _make_plain(json: bool) -> tuple[Encoder, Decoder]:
    def enc(v: Any) -> Any:
        check_plain(v, json=json)
        return v

    def dec(v: Any) -> Any:
        check_plain(v, json=json)
        return v

    return enc, dec


def _make_enum(tp: type[enum.Enum]) -> tuple[Encoder, Decoder]:
    def enc(v: Any) -> Any:
        return tp(v).value

    def dec(v: Any) -> Any:
        if type(v) not in (int, str):
            raise FieldValueError(f"expected a {tp.__name__} value (int or str), got {_describe(v)}")
        try:
            return tp(v)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in tp)
            raise FieldValueError(f"{v!r} is not a {tp.__name__} (allowed: {allowed})") from None

    return enc, dec


def _make_optional(inner: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    ienc, idec = inner
    enc = None if ienc is None else (lambda v: None if v is None else ienc(v))

    def dec(v: Any) -> Any:
        return None if v is None else idec(v)

    return enc, dec


def _make_sequence(inner: tuple[Encoder, Decoder], as_tuple: bool) -> tuple[Encoder, Decoder]:
    ienc, idec = inner
    enc: Encoder
    if ienc is None:
        enc = list if as_tuple else None
    else:
        enc = lambda v: [ienc(x) for x in v]  # noqa: E731
    build = tuple if as_tuple else list

    def dec(v: Any) -> Any:
        if type(v) is not list:
            raise FieldValueError(f"expected a list, got {_describe(v)}")
        out = []
        for i, x in enumerate(v):
            try:
                out.append(idec(x))
            except FieldValueError as exc:
                raise exc.under(f"[{i}]") from None
        return build(out)

    return enc, dec


def _make_dict(key_tp: Any, inner: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    venc, vdec = inner
    key_dec: Callable[[str], Any] = str
    if isinstance(key_tp, type) and issubclass(key_tp, enum.Enum):
        key_dec = _make_enum(key_tp)[1]
    elif key_tp is not str:
        raise TypeError(f"dict keys must be str or a str enum, not {key_tp!r}")

    def enc(v: Any) -> Any:
        out = {}
        for key, item in v.items():
            k = key.value if isinstance(key, enum.Enum) else key
            if type(k) is not str and not isinstance(k, str):
                raise FieldValueError(f"map keys must be str, got {_describe(key)}")
            out[str(k)] = item if venc is None else venc(item)
        return out

    def dec(v: Any) -> Any:
        if type(v) is not dict:
            raise FieldValueError(f"expected a map, got {_describe(v)}")
        out = {}
        for key, item in v.items():
            if type(key) is not str:
                raise FieldValueError(f"map keys must be str, got {_describe(key)}")
            try:
                out[key_dec(key)] = vdec(item)
            except FieldValueError as exc:
                raise exc.under(key) from None
        return out

    return enc, dec


_SCALARS: dict[Any, tuple[Encoder, Decoder]] = {
    int: (None, _dec_int),
    float: (None, _dec_float),
    str: (None, _dec_str),
    bool: (None, _dec_bool),
}


def compile_type(
    tp: Any, *, json: bool, nested: Callable[[type], tuple[Encoder, Decoder]]
) -> tuple[Encoder, Decoder]:
    """Compile type hint ``tp`` into (encoder, decoder); ``nested`` handles dataclass types.

    Raises TypeError (at registration/compile time) for types the wire cannot carry.
    """
    if tp is Any or tp is object:
        return _make_plain(json)
    scalar = _SCALARS.get(tp)
    if scalar is not None:
        return scalar
    if tp is bytes:
        return (_enc_bytes_json, _dec_bytes_json) if json else (None, _dec_bytes)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _make_enum(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return nested(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) == 1 and len(args) == 2:
            return _make_optional(compile_type(others[0], json=json, nested=nested))
        raise TypeError(f"only 'X | None' unions can travel on the wire, not {tp!r}")
    if origin is list:
        return _make_sequence(compile_type(args[0] if args else Any, json=json, nested=nested), False)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _make_sequence(compile_type(args[0], json=json, nested=nested), True)
    if origin is dict:
        key_tp, val_tp = args if args else (str, Any)
        return _make_dict(key_tp, compile_type(val_tp, json=json, nested=nested))
    raise TypeError(f"field type {tp!r} cannot travel on the wire; use bool/int/float/str/bytes/enum/list/dict/"
                    "a registered dataclass/Any")


_IDENTITY_SCALARS: dict[Any, frozenset[type]] = {
    int: frozenset({int}),
    float: frozenset({float}),
    str: frozenset({str}),
    bool: frozenset({bool}),
}
_NONE = type(None)


def identity_types(tp: Any, *, json: bool, encoding: bool) -> frozenset[type] | None:
    """Wire types that ``tp`` accepts unchanged, or None when the field needs a converter.

    Used for the fast path: a field whose value's exact type is in this set needs no conversion.
    When ``encoding``, a float field also accepts int (msgpack/JSON carry it as an integer).
    """
    if tp is float and encoding:
        return frozenset({float, int})
    found = _IDENTITY_SCALARS.get(tp)
    if found is not None:
        return found
    if tp is bytes and not json:
        return frozenset({bytes})
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        others = [a for a in args if a is not _NONE]
        if len(others) == 1 and len(args) == 2:
            inner = identity_types(others[0], json=json, encoding=encoding)
            return None if inner is None else inner | {_NONE}
    return None
