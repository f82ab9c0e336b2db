"""docs/protocol.md embeds the command catalogue exactly as the code defines it."""

from __future__ import annotations

from pathlib import Path

from trixy_protocol import DEFAULT_REGISTRY
from trixy_protocol.catalogue_doc import render

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"


def test_catalogue_section_matches_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("<!-- catalogue:begin -->\n", 1)[1].split("<!-- catalogue:end -->", 1)[0]
    assert section.strip() == render().strip(), "run: python -m trixy_protocol.catalogue_doc and paste it"
    for name in DEFAULT_REGISTRY.names():
        spec = DEFAULT_REGISTRY.get(name)
        if spec is not None and not spec.cls.__module__.startswith("trixy_protocol."):
            continue  # commands other packages register (e.g. trixy_server.sync) are documented by them
        assert f"#### `{name}`" in section
