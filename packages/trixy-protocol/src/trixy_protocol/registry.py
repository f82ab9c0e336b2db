"""The command registry: maps class names on the wire to dataclasses, and (de)serialises their fields.

Only classes registered here are ever instantiated from network input.  A class is registered with
``@register_command`` on a ``@dataclass(slots=True)``; its wire name is its ``__name__``.  Fields are
converted generically from their type hints (see :mod:`trixy_protocol.fieldcodec`), so a command is
just a dataclass - no hand-written ``to_dict``/``from_dict``.
"""

from __future__ import annotations

import dataclasses
import operator
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import MessageEncodeError, PayloadDecodeError
from .fieldcodec import Decoder, Encoder, FieldValueError, compile_type

T = TypeVar("T")


class CommandSpec:
    """Compiled wire description of one registered dataclass (compiled lazily on first use)."""

    __slots__ = (
        "cls",
        "name",
        "name_bytes",
        "registry",
        "_compiled",
        "_names",
        "_getter",
        "_enc",
        "_dec",
    )

    def __init__(self, cls: type, registry: CommandRegistry) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.name_bytes = self.name.encode("utf-8")
        self.registry = registry
        self._compiled = False

    # -- compilation -------------------------------------------------------------------------
    def compile(self) -> None:
        """Resolve type hints and build converters; raises TypeError for unsupported field types."""
        if self._compiled:
            return
        hints = typing.get_type_hints(self.cls)
        fields = [f for f in dataclasses.fields(self.cls) if f.init]
        names = tuple(f.name for f in fields)
        enc: dict[bool, list[tuple[str, Encoder]]] = {False: [], True: []}
        dec: dict[bool, dict[str, Decoder]] = {False: {}, True: {}}
        for f in fields:
            for json in (False, True):
                try:
                    e, d = compile_type(hints[f.name], json=json, nested=self._nested(json))
                except TypeError as exc:
                    raise TypeError(f"{self.name}.{f.name}: {exc}") from None
                if e is not None:
                    enc[json].append((f.name, e))
                dec[json][f.name] = d
        self._names = names
        if len(names) == 0:
            self._getter = lambda obj: ()
        elif len(names) == 1:
            single = operator.attrgetter(names[0])
            self._getter = lambda obj: (single(obj),)
        else:
            self._getter = operator.attrgetter(*names)
        self._enc = {k: tuple(v) for k, v in enc.items()}
        self._dec = dec
        self._compiled = True

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

    # -- conversion --------------------------------------------------------------------------
    def to_wire(self, obj: Any, *, json: bool) -> dict[str, Any]:
        """Return the plain map that represents ``obj`` on the wire."""
        if not self._compiled:
            self.compile()
        if type(obj) is not self.cls:
            raise MessageEncodeError(f"expected a {self.name} instance, got {type(obj).__name__}")
        data = dict(zip(self._names, self._getter(obj), strict=True))
        for name, enc in self._enc[json]:
            try:
                data[name] = enc(data[name])
            except (FieldValueError, ValueError, TypeError, AttributeError) as exc:
                path = name if not isinstance(exc, FieldValueError) else FieldValueError("", exc.path).under(name).path
                raise MessageEncodeError(
                    f"{self.name}.{path}: cannot encode {data[name]!r:.60}: {exc}; fix the value before sending"
                ) from None
        return data

    def from_wire(self, data: Any, *, json: bool) -> Any:
        """Build an instance from the decoded map, validating every field; raises PayloadDecodeError."""
        if not self._compiled:
            self.compile()
        if type(data) is not dict:
            raise PayloadDecodeError(
                f"{self.name}: payload must be a map of field names, got {type(data).__name__}",
                class_name=self.name,
            )
        decoders = self._dec[json]
        for key in data:
            dec = decoders.get(key)
            if dec is None:
                raise PayloadDecodeError(
                    f"{self.name}: unknown field {key!r:.60} (known: {', '.join(self._names) or 'none'}); "
                    "the peer runs a different command catalogue - update both sides",
                    class_name=self.name,
                )
            try:
                data[key] = dec(data[key])
            except FieldValueError as exc:
                path = exc.under(key).path
                raise PayloadDecodeError(f"{self.name}.{path}: {exc.message}", class_name=self.name) from None
        try:
            return self.cls(**data)
        except (TypeError, ValueError) as exc:
            missing = [
                f.name
                for f in dataclasses.fields(self.cls)
                if f.init
                and f.name not in data
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
            ]
            why = f"missing required field(s) {', '.join(missing)}" if missing else str(exc)
            raise PayloadDecodeError(f"{self.name}: {why}", class_name=self.name) from None


class CommandRegistry:
    """Name -> class table; the only source of classes instantiated from the wire."""

    def __init__(self) -> None:
        self._by_name: dict[str, CommandSpec] = {}
        self._by_class: dict[type, CommandSpec] = {}

    def register(self, cls: type[T]) -> type[T]:
        """Register dataclass ``cls`` under its ``__name__``; raises TypeError on misuse or clash."""
        if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls!r} must be a @dataclass to be registered as a command")
        name = cls.__name__
        existing = self._by_name.get(name)
        if existing is not None and existing.cls is not cls:
            raise TypeError(
                f"command name {name!r} is already registered by {existing.cls.__module__}; "
                "class names are the wire identity and must be unique"
            )
        spec = CommandSpec(cls, self)
        self._by_name[name] = spec
        self._by_class[cls] = spec
        return cls

    def get(self, name: str) -> CommandSpec | None:
        """Spec registered under wire name ``name``, or None."""
        return self._by_name.get(name)

    def spec_for_class(self, cls: type) -> CommandSpec | None:
        """Spec of registered class ``cls``, or None."""
        return self._by_class.get(cls)

    def names(self) -> list[str]:
        """All registered wire names, sorted."""
        return sorted(self._by_name)

    def compile_all(self) -> None:
        """Compile every spec now (tests call this to catch unsupported field types early)."""
        for spec in self._by_name.values():
            spec.compile()

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __len__(self) -> int:
        return len(self._by_name)


#: The registry the catalogue in :mod:`trixy_protocol.commands` registers into.
DEFAULT_REGISTRY = CommandRegistry()


@typing.overload
def register_command(cls: type[T], /) -> type[T]: ...
@typing.overload
def register_command(*, registry: CommandRegistry) -> Callable[[type[T]], type[T]]: ...


def register_command(cls: Any = None, /, *, registry: CommandRegistry | None = None) -> Any:
    """Class decorator: register a ``@dataclass(slots=True)`` as a wire command (default registry)."""
    target = DEFAULT_REGISTRY if registry is None else registry
    if cls is None:
        return target.register
    return target.register(cls)
