"""A sibling module of the example plugin, imported relatively from main.py (`from .replies import greeting_for`)."""

from __future__ import annotations


def greeting_for(greeting: str, who: str) -> str:
    """The sentence the plugin says, e.g. "Hello, kitchen!"."""
    who = who.strip() or "there"
    return f"{greeting}, {who}!"
