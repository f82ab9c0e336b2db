"""The registry (de)serialises dataclass fields generically and instantiates only registered classes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

import trixy_protocol
from trixy_protocol import (
    DEFAULT_REGISTRY,
    CommandRegistry,
    Flags,
    FrameDecoder,
    MessageEncodeError,
    encode_frame,
    register_command,
)
from trixy_protocol.commands import AudioStream, DenialReason


def test_catalogue_compiles_and_every_class_has_a_docstring_and_field_docs() -> None:
    DEFAULT_REGISTRY.compile_all()
    assert len(DEFAULT_REGISTRY) >= 39
    for name in DEFAULT_REGISTRY.names():
        cls = DEFAULT_REGISTRY.get(name).cls
        assert cls.__doc__ and "->" in cls.__doc__ or "either side" in cls.__doc__ or name == "AudioFormat", name
        assert hasattr(cls, "__slots__"), f"{name} must be @dataclass(slots=True)"


def _sample(cls: type) -> object:
    """An instance with a non-default value in every required field."""
    values = {}
    hints = __import__("typing").get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        tp = hints[f.name]
        values[f.name] = {
            str: "s",
            int: 3,
            float: 1.5,
            bool: True,
            bytes: b"\x00b",
            DenialReason: DenialReason.BLACKLISTED,
            AudioStream: AudioStream.MUSIC,
        }.get(tp)
        if values[f.name] is None:
            values[f.name] = list(tp)[0]  # an enum
    return cls(**values)


@pytest.mark.parametrize("name", DEFAULT_REGISTRY.names())
@pytest.mark.parametrize("flags", [Flags.NONE, Flags.JSON], ids=["msgpack", "json"])
def test_every_catalogue_command_round_trips(name: str, flags: Flags) -> None:
    message = _sample(DEFAULT_REGISTRY.get(name).cls)
    (event,) = FrameDecoder().feed(encode_frame(message, flags=flags))
    assert event.message == message and type(event.message) is type(message)


def test_catalogue_names_are_exported_from_the_package() -> None:
    for name in DEFAULT_REGISTRY.names():
        cls = DEFAULT_REGISTRY.get(name).cls
        if not cls.__module__.startswith("trixy_protocol."):
            continue  # registered by another package (e.g. trixy_server.sync): exported from there
        assert getattr(trixy_protocol, name) is cls


def test_optional_fields_take_their_defaults_when_absent(samples) -> None:
    import msgpack

    from trixy_protocol.encoder import build_frame

    for payload in (msgpack.packb({"a": 4}), msgpack.packb([4])):
        (event,) = FrameDecoder(registry=samples.REGISTRY).feed(build_frame(0, b"Small", payload, 1))
        assert event.message == samples.Small(4, "x")


def test_fields_in_another_order_and_ints_for_floats_are_accepted(samples) -> None:
    import msgpack

    from trixy_protocol import WakeWordDetected
    from trixy_protocol.encoder import build_frame

    payload = msgpack.packb({"score": 1, "wake_word_name": "custom", "wake_word_id": 0})
    (event,) = FrameDecoder().feed(build_frame(0, b"WakeWordDetected", payload, 1))
    assert event.message == WakeWordDetected(wake_word_id=0, wake_word_name="custom", score=1.0)
    assert type(event.message.score) is float


def test_a_wake_word_from_a_satellite_without_the_command_lead_decodes_with_none() -> None:
    import msgpack

    from trixy_protocol import WakeWordDetected, encode_frame
    from trixy_protocol.encoder import build_frame

    nine = [0, "trixy", None, "", 0.9, -20.0, 5, None, False]  # the nine fields before command_lead_ms was appended
    (event,) = FrameDecoder().feed(build_frame(0, b"WakeWordDetected", msgpack.packb(nine), 1))
    assert event.message.command_lead_ms == 0 and event.message.score == 0.9
    sent = WakeWordDetected(wake_word_id=0, wake_word_name="trixy", command_lead_ms=200)
    (event,) = FrameDecoder().feed(encode_frame(sent))
    assert event.message == sent


def test_sending_a_wrong_field_type_fails_before_anything_is_written() -> None:
    from trixy_protocol import Hello, WakeWordDetected

    with pytest.raises(MessageEncodeError, match=r"WakeWordDetected\.wake_word_id must be int, got str"):
        encode_frame(WakeWordDetected(wake_word_id="0", wake_word_name="x"))
    with pytest.raises(MessageEncodeError, match="Hello.extra"):
        encode_frame(Hello(mac="m", extra={"obj": object()}))


def test_unregistered_classes_cannot_be_sent() -> None:
    @dataclass(slots=True)
    class NotRegistered:
        a: int = 1

    with pytest.raises(MessageEncodeError, match="not a registered command"):
        encode_frame(NotRegistered())


def test_registration_rules() -> None:
    registry = CommandRegistry()

    with pytest.raises(TypeError, match="must be a @dataclass"):
        registry.register(type("Plain", (), {}))

    @dataclass(slots=True)
    class Thing:
        a: int

    registry.register(Thing)
    registry.register(Thing)  # idempotent

    def make_clash() -> type:
        @dataclass(slots=True)
        class Thing:  # same wire name, different class
            b: int

        return Thing

    with pytest.raises(TypeError, match="already registered"):
        registry.register(make_clash())


_COMPILE_REGISTRY = CommandRegistry()


@dataclass(slots=True)
class Loose:
    a: int


@register_command(registry=_COMPILE_REGISTRY)
@dataclass(slots=True)
class Outer:
    inner: Loose


@register_command(registry=_COMPILE_REGISTRY)
@dataclass(slots=True)
class Weird:
    value: int | str


def test_unsupported_field_types_and_unregistered_nested_classes_fail_at_compile_time() -> None:
    with pytest.raises(TypeError, match="Outer.inner: nested dataclass Loose is not registered"):
        _COMPILE_REGISTRY.get("Outer").compile()
    with pytest.raises(TypeError, match="Weird.value: only 'X | None' unions"):
        _COMPILE_REGISTRY.get("Weird").compile()


def test_unresolvable_type_hints_give_a_clear_error() -> None:
    registry = CommandRegistry()

    @register_command(registry=registry)
    @dataclass(slots=True)
    class Local:
        a: Undefined  # noqa: F821

    with pytest.raises(TypeError, match="Local: cannot resolve field type hints"):
        registry.get("Local").compile()


def test_only_registered_classes_are_instantiated_from_the_wire(samples) -> None:
    from trixy_protocol import UnknownCommandError
    from trixy_protocol.encoder import build_frame

    for name in (b"Everything", b"builtins.eval", b"__import__"):
        with pytest.raises(UnknownCommandError):
            FrameDecoder().feed(build_frame(0, name, b"\x80", 1))  # default registry lacks them


def test_integers_beyond_64_bits_are_an_encode_error_not_a_crash() -> None:
    from trixy_protocol import Hello, WakeWordDetected

    with pytest.raises(MessageEncodeError, match="Integer value out of range|int too large"):
        encode_frame(Hello(mac="m", extra={"big": 2**70}))
    with pytest.raises(MessageEncodeError):
        encode_frame(WakeWordDetected(wake_word_id=2**64, wake_word_name="x"), flags=Flags.GZIP)
    with pytest.raises(MessageEncodeError):
        encode_frame(WakeWordDetected(wake_word_id=-(2**64), wake_word_name="x"))
    assert FrameDecoder().feed(encode_frame(Hello(mac="m")))[0].message == Hello(mac="m")
