"""``CommandSpec``: the compiled wire form of one registered dataclass.

msgpack carries a command as an **array** of its field values in declaration order (compact and
fast); JSON carries it as an **object** keyed by field name.  Receivers accept both shapes in both
formats.  Arrays may be shorter than the field list (missing trailing fields take their defaults)
but never longer; maps may omit fields with defaults but never contain unknown names.  So fields
are only ever appended, with defaults, never reordered or removed.
"""

from __future__ import annotations

import dataclasses
import operator
import typing
from collections.abc import Callable
from typing import Any, Protocol

from .errors import MessageEncodeError, PayloadDecodeError
from .fieldcodec import Decoder, Encoder, FieldValueError, compile_type, identity_types


class SpecLookup(Protocol):
    """What a spec needs from its registry: the spec of a nested command class (a Protocol, so that the registry,
    which builds specs, is not imported back here)."""

    def spec_for_class(self, cls: type) -> CommandSpec | None: ...


_contains = operator.contains
#: How many distinct field-type tuples per class are remembered as valid (fast-path cache).
_KNOWN_TYPES_LIMIT = 64


class _AnyType(frozenset):
    """Accepts every type: placeholder for fields checked by their converter instead."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY_TYPE = _AnyType()


class CommandSpec:
    """Compiled wire description of one registered dataclass (compiled lazily on first use)."""

    __slots__ = (
        "cls",
        "name",
        "name_bytes",
        "registry",
        "to_msgpack",
        "from_msgpack",
        "_compiled",
        "_names",
        "_index",
        "_n_required",
        "_positional",
        "_getter",
        "_enc",
        "_dec",
        "_accept",
        "_enc_accept",
        "_enc_ok",
        "_dec_ok",
    )

    def __init__(self, cls: type, registry: SpecLookup) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.name_bytes = self.name.encode("utf-8")
        self.registry = registry
        self._compiled = False
        #: hot-path converters for msgpack (closures over locals, built by compile())
        self.to_msgpack: Callable[[Any], Any] = self._compile_then_to_msgpack
        self.from_msgpack: Callable[[Any], Any] = self._compile_then_from_msgpack

    def _compile_then_to_msgpack(self, obj: Any) -> Any:
        self.compile()
        return self.to_msgpack(obj)

    def _compile_then_from_msgpack(self, data: Any) -> Any:
        self.compile()
        return self.from_msgpack(data)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Field names in wire (declaration) order."""
        self.compile()
        return self._names

    # -- compilation -------------------------------------------------------------------------
    def compile(self) -> None:
        """Resolve type hints and build converters; raises TypeError for unsupported field types."""
        if self._compiled:
            return
        try:
            hints = typing.get_type_hints(self.cls)
        except (NameError, TypeError) as exc:
            raise TypeError(
                f"{self.name}: cannot resolve field type hints ({exc}); define the command and the types "
                "it uses at module level"
            ) from None
        fields = [f for f in dataclasses.fields(self.cls) if f.init]
        names = tuple(f.name for f in fields)
        enc: list[list[tuple[int, str, Encoder]]] = [[], []]
        dec: list[list[Decoder]] = [[], []]
        for i, f in enumerate(fields):
            for json in (False, True):
                try:
                    e, d = compile_type(hints[f.name], json=json, nested=self._nested(json))
                except TypeError as exc:
                    raise TypeError(f"{self.name}.{f.name}: {exc}") from None
                if e is not None:
                    enc[json].append((i, f.name, e))
                dec[json].append(d)
        self._names = names
        self._index = {name: i for i, name in enumerate(names)}
        self._n_required = sum(
            1 for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
        self._positional = not any(f.kw_only for f in fields)
        if not names:
            self._getter = lambda obj: ()
        elif len(names) == 1:
            single = operator.attrgetter(names[0])
            self._getter = lambda obj: (single(obj),)
        else:
            self._getter = operator.attrgetter(*names)
        self._enc = [tuple(enc[0]), tuple(enc[1])]
        self._dec = [tuple(dec[0]), tuple(dec[1])]
        # Fast paths: per-field sets of wire types that need no conversion (None = converter needed).
        self._accept = [None, None]
        self._enc_accept = [(), ()]
        self._enc_ok = [set(), set()]
        self._dec_ok = [set(), set()]
        for json in (False, True):
            acc = [identity_types(hints[n], json=json, encoding=False) for n in names]
            self._accept[json] = tuple(acc) if all(a is not None for a in acc) else None
            self._enc_accept[json] = tuple(
                identity_types(hints[n], json=json, encoding=True) or _ANY_TYPE for n in names
            )
        self._compiled = True
        self._build_msgpack_fast_paths()

    def _nested(self, json: bool) -> Callable[[type], tuple[Encoder, Decoder]]:
        def nested(tp: type) -> tuple[Encoder, Decoder]:
            spec = self.registry.spec_for_class(tp)
            if spec is None:
                raise TypeError(
                    f"nested dataclass {tp.__name__} is not registered; decorate it with @register_command"
                )

            def enc(v: Any) -> Any:
                return spec.to_wire(v, json=json)

            def dec(v: Any) -> Any:
                try:
                    return spec.from_wire(v, json=json)
                except PayloadDecodeError as exc:
                    raise FieldValueError(str(exc)) from None

            return enc, dec

        return nested

    def _build_msgpack_fast_paths(self) -> None:
        """Closures over local variables for the common msgpack case (no attribute lookups)."""
        cls, getter, n_fields = self.cls, self._getter, len(self._names)
        enc_ok, enc_accept, dec_ok = self._enc_ok[0], self._enc_accept[0], self._dec_ok[0]
        to_wire, from_wire, bad_scalar = self.to_wire, self.from_wire, self._bad_scalar
        limit = _KNOWN_TYPES_LIMIT

        if self._enc[0]:

            def to_msgpack(obj: Any) -> Any:
                return to_wire(obj, json=False)
        else:

            def to_msgpack(obj: Any) -> Any:
                if type(obj) is not cls:
                    return to_wire(obj, json=False)  # raises the precise error
                values = getter(obj)
                types = tuple(map(type, values))
                if types not in enc_ok:
                    if not all(map(_contains, enc_accept, types)):
                        bad_scalar(values, False)
                    if len(enc_ok) < limit:
                        enc_ok.add(types)
                return values  # a tuple: msgpack packs it as an array

        if self._accept[0] is None or not self._positional:

            def from_msgpack(data: Any) -> Any:
                return from_wire(data, json=False)
        else:

            def from_msgpack(data: Any) -> Any:
                if type(data) is list and len(data) == n_fields and tuple(map(type, data)) in dec_ok:
                    return cls(*data)
                return from_wire(data, json=False)  # validates, converts, and learns the types

        self.to_msgpack = to_msgpack
        self.from_msgpack = from_msgpack

    # -- encoding ----------------------------------------------------------------------------
    def to_wire(self, obj: Any, *, json: bool) -> Any:
        """Plain value for ``obj``: an array of field values (msgpack) or an object (JSON)."""
        if not self._compiled:
            self.compile()
        if type(obj) is not self.cls:
            raise MessageEncodeError(f"expected a {self.name} instance, got {type(obj).__name__}")
        values = self._getter(obj)
        types = tuple(map(type, values))
        known = self._enc_ok[json]
        if types not in known:
            if not all(map(_contains, self._enc_accept[json], types)):
                self._bad_scalar(values, json)
            if len(known) < _KNOWN_TYPES_LIMIT:
                known.add(types)
        encoders = self._enc[json]
        if json:
            out: Any = dict(zip(self._names, values, strict=True))
        elif not encoders:
            return values
        else:
            out = list(values)
        for index, name, enc in encoders:
            try:
                out[name if json else index] = enc(values[index])
            except (FieldValueError, ValueError, TypeError, AttributeError) as exc:
                path = FieldValueError("", exc.path).under(name).path if isinstance(exc, FieldValueError) else name
                raise MessageEncodeError(
                    f"{self.name}.{path}: cannot encode {values[index]!r:.60}: {exc}; fix the value before sending"
                ) from None
        return out

    def _bad_scalar(self, values: tuple[Any, ...], json: bool) -> None:
        for name, accept, value in zip(self._names, self._enc_accept[json], values, strict=True):
            if type(value) not in accept:
                wanted = " or ".join(sorted(t.__name__ for t in accept))
                raise MessageEncodeError(
                    f"{self.name}.{name} must be {wanted}, got {type(value).__name__} {value!r:.60}; "
                    "fix the value before sending"
                )

    # -- decoding ----------------------------------------------------------------------------
    def from_wire(self, data: Any, *, json: bool) -> Any:
        """Build an instance from an array or map of field values, validating every field.

        Raises PayloadDecodeError naming the class and field.
        """
        if not self._compiled:
            self.compile()
        if type(data) is list:
            values = self._decode_array(data, json)
        elif type(data) is dict:
            values = self._decode_map(data, json)
        else:
            raise PayloadDecodeError(
                f"{self.name}: payload must be an array of field values or a map of field names, "
                f"got {type(data).__name__}",
                class_name=self.name,
            )
        try:
            if type(values) is list:
                if self._positional:
                    return self.cls(*values)
                return self.cls(**dict(zip(self._names, values, strict=False)))
            return self.cls(**values)
        except (TypeError, ValueError) as exc:
            raise PayloadDecodeError(f"{self.name}: {exc}", class_name=self.name) from None

    def _decode_array(self, data: list[Any], json: bool) -> list[Any]:
        n = len(data)
        if n > len(self._names):
            raise PayloadDecodeError(
                f"{self.name}: {n} field values but the class has {len(self._names)} fields "
                f"({', '.join(self._names) or 'none'}); the peer runs a newer command catalogue - update this side",
                class_name=self.name,
            )
        if n < self._n_required:
            missing = ", ".join(self._names[n : self._n_required])
            raise PayloadDecodeError(f"{self.name}: missing required field(s) {missing}", class_name=self.name)
        accept = self._accept[json]
        if accept is not None and n == len(self._names):
            types = tuple(map(type, data))
            known = self._dec_ok[json]
            if types in known:
                return data
            if all(map(_contains, accept, types)):
                if len(known) < _KNOWN_TYPES_LIMIT:
                    known.add(types)
                return data
        decoders = self._dec[json]
        for i, value in enumerate(data):
            try:
                data[i] = decoders[i](value)
            except FieldValueError as exc:
                path = exc.under(self._names[i]).path
                raise PayloadDecodeError(f"{self.name}.{path}: {exc.message}", class_name=self.name) from None
        return data

    def _decode_map(self, data: dict[str, Any], json: bool) -> dict[str, Any]:
        decoders = self._dec[json]
        index = self._index
        for key in data:
            i = index.get(key)
            if i is None:
                raise PayloadDecodeError(
                    f"{self.name}: unknown field {key!r:.60} (known: {', '.join(self._names) or 'none'}); "
                    "the peer runs a different command catalogue - update both sides",
                    class_name=self.name,
                )
            try:
                data[key] = decoders[i](data[key])
            except FieldValueError as exc:
                path = exc.under(key).path
                raise PayloadDecodeError(f"{self.name}.{path}: {exc.message}", class_name=self.name) from None
        missing = [name for name in self._names[: self._n_required] if name not in data]
        if missing:
            raise PayloadDecodeError(
                f"{self.name}: missing required field(s) {', '.join(missing)}", class_name=self.name
            )
        return data
